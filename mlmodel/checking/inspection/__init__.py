"""What is in a model directory: header, flavors, signature, example, files, environment.

Named ``inspection`` rather than ``inspect`` so it never shadows the standard
library's ``inspect`` module.

Nothing from the model directory is unpickled, imported or executed: the MLmodel
file and the environment files are parsed with safe YAML loaders,
``input_example.json`` is read as JSON text, the directory walk never follows
symlinks, and pickles are only described by :mod:`mlmodel.pickle_scan` (which
reads their opcodes). Model-directory facts (paths inside it, environment files,
which files are pickles) come from :mod:`mlmodel.modeldir`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mlmodel.checking.inspection.environment import describe_environment
from mlmodel.checking.inspection.example import describe_input_example
from mlmodel.checking.inspection.files import list_files
from mlmodel.checking.inspection.pickles import describe_pickles
from mlmodel.checking.inspection.signature import describe_signature
from mlmodel.checking.inspection.types import (
    Environment,
    FileEntry,
    Flavor,
    InputExampleInfo,
    Inspection,
    PickleInfo,
    PickleReport,
    SignatureField,
    SignatureInfo,
)
from mlmodel.checking.reading import json_ready, read_mlmodel
from mlmodel.modeldir.location import ModelLocation, resolve_model_location
from mlmodel.yamlio.document import MLmodelDocument

__all__ = [
    "HEADER_FIELDS",
    "SECTION_KEYS",
    "Environment",
    "FileEntry",
    "Flavor",
    "InputExampleInfo",
    "Inspection",
    "PickleInfo",
    "PickleReport",
    "SignatureField",
    "SignatureInfo",
    "inspect_document",
    "inspect_model",
]

#: the header fields every inspection names (null when the document lacks one), in this
#: order; every other top-level key the document holds follows them in the header, in the
#: document's order (``prompts``, ``resources``, ``env_vars``, unknown keys ...), except
#: those described in a section of their own (:data:`SECTION_KEYS`)
HEADER_FIELDS = (
    "mlflow_version",
    "mlmodel_version",  # written by mlmodel's own save (mlmodel.models.Model)
    "utc_time_created",
    "run_id",
    "model_uuid",
    "model_id",
    "artifact_path",
    "databricks_runtime",
    "model_size_bytes",
    "time_created",  # legacy (2018 documentation sample); null when absent
    "metadata",
)
#: top-level keys shown in sections of their own: flavors, signature, input example
SECTION_KEYS = frozenset({"flavors", "signature", "saved_input_example_info"})


def inspect_model(path: str | Path | ModelLocation) -> Inspection:
    """Describe one model directory, MLmodel file (a file of any name: its folder is the
    model directory, as for validate and lint) or model URI (``path`` and ``model_dir``
    name a fetched model by its URI, as :class:`~mlmodel.modeldir.location.ModelLocation` does).

    Raises :class:`~mlmodel.core.errors.UsageError` for a path that is not a model and
    :class:`~mlmodel.core.errors.ParseError` for an MLmodel file that cannot be read.
    """
    location = resolve_model_location(path)
    document = read_mlmodel(location)
    assert document.path is not None
    described = inspect_document(document, model_dir=location.model_dir)
    return dataclasses.replace(described, model_dir=location.shown_dir)


def inspect_document(document: MLmodelDocument, *, model_dir: Path | None = None) -> Inspection:
    """Describe a document already read. Without ``model_dir`` (an MLmodel read from
    stdin) only the document is described: no files are listed, and no environment file,
    input example or pickle is read, as validate and lint check no files then."""
    data: dict[str, Any] = json_ready(document)
    header = {name: data.get(name) for name in HEADER_FIELDS}
    for key, value in data.items():
        if key not in SECTION_KEYS and key not in header:
            header[str(key)] = value
    flavors_data = data.get("flavors")
    flavors = (
        [Flavor(str(name), settings) for name, settings in flavors_data.items()]
        if isinstance(flavors_data, dict)
        else []
    )
    files: list[FileEntry] | None = None
    truncated = False
    if model_dir is not None:
        files, truncated = list_files(model_dir)
    return Inspection(
        path=document.name,
        model_dir=str(model_dir) if model_dir is not None else None,
        header=header,
        flavors=flavors,
        signature=describe_signature(data),
        input_example=describe_input_example(data, model_dir),
        files=files,
        files_truncated=truncated,
        environment=describe_environment(data, model_dir),
        pickles=describe_pickles(data, model_dir),
    )
