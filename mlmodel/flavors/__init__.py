"""Flavors: their specification, MLflow's built-ins, the registry (entry points)."""
