"""Tests of the model environments (--env-manager)."""
