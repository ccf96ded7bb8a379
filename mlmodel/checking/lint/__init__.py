"""Lint: rules over the round-trip document (``engine`` runs them, ``rules/`` holds one module
each)."""
