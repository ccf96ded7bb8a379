"""Batch inference on Spark."""
