"""The validator half: validate, lint, inspect, convert, JSON Schema export, the project configuration."""
