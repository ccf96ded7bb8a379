"""The model's own environment: what defines it, how the running interpreter drifts from it
(:mod:`mlmodel.environments.drift`) and the mlmodel that goes into it
(:mod:`mlmodel.environments.self_wheel`: a wheel of the running mlmodel). Nothing is imported
eagerly: each module is imported where it is used."""
