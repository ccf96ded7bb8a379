"""JSON Schema (draft 2020-12) of the MLmodel document, built from the pydantic models.

The schema is for editors and generic validators (``check-jsonschema``): it carries
what JSON Schema can express of mlmodel's checks. The flavors come from the flavor
registry, never from a list kept here. ``mlmodel schema`` prints it; the published
files in the repository's ``schema/`` folder are written by
:mod:`mlmodel.generators.json_schema` (a test fails when they drift).

Nothing here runs on the validation path: pydantic is imported by these functions only.
"""

from __future__ import annotations

from mlmodel.checking.json_schema.documents import (
    DIALECT,
    DOCUMENT_ID,
    ID_PREFIX,
    FlavorInfo,
    builtin_flavors,
    document_schema,
    dumps,
    flavor_document,
    flavor_schema,
    list_flavors,
)

__all__ = [
    "DIALECT",
    "DOCUMENT_ID",
    "ID_PREFIX",
    "FlavorInfo",
    "builtin_flavors",
    "document_schema",
    "dumps",
    "flavor_document",
    "flavor_schema",
    "list_flavors",
]
