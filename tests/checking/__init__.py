"""The validator half: validate, lint, inspect, convert, JSON Schema, the corpus."""
