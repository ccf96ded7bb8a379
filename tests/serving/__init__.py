"""Serving and batch scoring: the server, its parity with MLflow's, predict, Docker."""
