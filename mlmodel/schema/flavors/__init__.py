"""Per-flavor schemas. Each module holds one flavor; the registry imports them lazily."""
