"""The document format: YAML round trips, spans, schema, flavors and plugins."""
