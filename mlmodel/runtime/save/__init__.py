"""Saving models: the steps every flavor shares, scikit-learn's save and file formats."""
