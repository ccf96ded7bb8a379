"""Code and file generators, run at development time, never on a command's path.

* :mod:`mlmodel.generators.core_schemas`: the pydantic models -> ``schema/core_schemas.json``
  (the precompiled validators ``validate`` runs on);
* :mod:`mlmodel.generators.json_schema`: the published JSON Schema files under ``schema/``;
* :mod:`mlmodel.generators.rules_doc`: the catalogue of codes -> ``docs/rules.md``.

Each has a ``main`` (``python -m mlmodel.generators.<name>``) and a test that fails when
the checked-in output drifts from what it generates.
"""
