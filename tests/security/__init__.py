"""The malicious model suite: hostile MLflow model directories loaded through every entry point."""
