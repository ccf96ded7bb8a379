"""Calling a loaded model: ``PyFuncModel``, input and params enforcement against the signature."""
