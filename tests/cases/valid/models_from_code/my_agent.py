"""Models-from-code script (placeholder: validate never imports it)."""
