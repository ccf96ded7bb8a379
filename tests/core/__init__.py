"""What both halves share: atomic writes, the error language."""
