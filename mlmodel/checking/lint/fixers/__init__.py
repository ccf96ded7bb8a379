"""Fixes for validation findings, one module per code (the table: ``FIXER_MODULES`` in
:mod:`mlmodel.checking.lint.rules`). The validator reports the problem; a fixer only mends it."""
