"""The model's own environment: what defines it, and how the running interpreter drifts from
it (:mod:`mlmodel.environments.drift`). Nothing is imported eagerly."""
