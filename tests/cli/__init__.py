"""The CLI, the README, packaging and the import layering."""
