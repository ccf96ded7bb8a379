"""YAML I/O: fast parsing, round-trip documents, positions."""
