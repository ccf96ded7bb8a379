"""The model document of the runtime: ``Model``, signatures, input examples, environment files."""
