"""pydantic models of the MLmodel document (no I/O)."""
