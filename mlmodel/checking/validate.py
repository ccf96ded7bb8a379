"""The library behind every command: each function returns a typed result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.checking.paths import Target, check_targets, report_for, report_of, resolve_targets
from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic, sort_key
from mlmodel.core.names import MLMODEL_NAME
from mlmodel.core.releases import Release, release
from mlmodel.core.results import FileReport, ValidationResult
from mlmodel.modeldir.location import ModelLocation, resolve_mlmodel_path, resolve_model_location
from mlmodel.yamlio.source import read_mlmodel_data
from mlmodel.yamlio.tree import Limits

if TYPE_CHECKING:
    from mlmodel.checking.config import DeclaredFlavor
    from mlmodel.yamlio.document import MLmodelDocument

__all__ = [
    "MLMODEL_NAME",
    "FileReport",
    "ModelLocation",
    "ValidationResult",
    "report_for",
    "resolve_mlmodel_path",
    "resolve_model_location",
    "validate_bytes",
    "validate_document",
    "validate_file",
    "validate_paths",
]


def validate_bytes(
    data: bytes,
    *,
    model_dir: Path | None = None,
    check_files: bool = True,
    limits: Limits | None = None,
    roundtrip: bool = False,
    declared: Mapping[str, DeclaredFlavor] | None = None,
    isolated: bool = False,
    mlflow_version: str | Release | None = None,
) -> list[Diagnostic]:
    """Validate the bytes of an MLmodel file.

    ``roundtrip=False`` parses with libyaml (fast); ``True`` with ruamel.yaml,
    as round-trip documents do. Both give the same findings. Inline suppressions
    (``# mlmodel: disable=CODE``) are honoured unless ``isolated``. ``mlflow_version``
    (``"2.9"``) judges the model against that MLflow release instead of the newest.
    """
    from mlmodel.checking.validators import parse_and_check

    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        return [_too_large(len(data), limits)]
    _, found = parse_and_check(
        data,
        limits=limits,
        roundtrip=roundtrip,
        model_dir=model_dir,
        check_files=check_files,
        declared=declared,
        mlflow_version=release(mlflow_version),
        suppressions=not isolated,
    )
    return found


def _too_large(size: int, limits: Limits) -> Diagnostic:
    return diagnostic(
        "V112",
        f"the file is {size} bytes, above the {limits.max_bytes}-byte limit",
        hint="MLmodel files are small; is this the right file? (--max-bytes raises the limit)",
    )


def validate_file(
    path: str | Path | ModelLocation,
    *,
    check_files: bool = True,
    limits: Limits | None = None,
    declared: Mapping[str, DeclaredFlavor] | None = None,
    isolated: bool = False,
    mlflow_version: str | Release | None = None,
    require_signature: bool | None = None,
) -> FileReport:
    """Validate one model directory, MLmodel file or model URI (findings name a fetched
    model by its URI: :class:`~mlmodel.modeldir.location.ModelLocation`).

    ``declared`` flavor schemas (and, unless given, ``mlflow_version`` and
    ``require_signature``) default to those of the project configuration found by walking
    up from the file (:mod:`mlmodel.checking.config`); ``isolated`` reads no configuration file.
    With ``check_files``, a ``model.sig`` is checked against the files (MLM504, MLM506)
    and an unsigned model reported where signatures are required (MLM505), as ``lint``
    does; the loaders' own validation leaves that to the signature verification.
    """
    location = resolve_model_location(path)
    mlmodel_path = location.file
    target = release(mlflow_version)
    if declared is None:
        from mlmodel.checking.config import load_config

        config = load_config(mlmodel_path, isolated=isolated)
        declared = config.flavors
        target = target or config.mlflow_version
        if require_signature is None:
            require_signature = config.require_signature
    limits = limits or Limits()

    def run() -> list[Diagnostic]:
        data = read_mlmodel_data(mlmodel_path, limits.max_bytes)
        found = validate_bytes(
            data,
            model_dir=mlmodel_path.parent,
            check_files=check_files,
            limits=limits,
            declared=declared,
            mlflow_version=target,
            isolated=isolated,
        )
        if not check_files:
            return found
        signatures = _signature_findings(mlmodel_path.parent, bool(require_signature))
        return sorted([*found, *signatures], key=sort_key)

    return report_of(location, run)


def _signature_findings(model_dir: Path, require_signature: bool) -> list[Diagnostic]:
    from mlmodel.signing.names import DEFAULT_SIGNATURE

    signature = model_dir / DEFAULT_SIGNATURE
    if not require_signature and not signature.exists() and not signature.is_symlink():
        return []  # the common case: nothing to check, nothing imported
    from mlmodel.pickle_scan import ScanBudget
    from mlmodel.signing.check import signature_findings

    budget = ScanBudget()
    found = signature_findings(
        model_dir,
        require_signature=require_signature,
        max_bytes=budget.max_bytes,
        max_seconds=budget.max_seconds,
    )
    return [diagnostic(f.code, f.message, line=1, column=1, hint=f.hint) for f in found]


def validate_paths(
    paths: Sequence[str | Path | ModelLocation],
    *,
    check_files: bool = True,
    limits: Limits | None = None,
    isolated: bool = False,
    mlflow_version: str | Release | None = None,
) -> ValidationResult:
    """Validate several paths; raises :class:`UsageError` before any work for a bad path
    or a bad project configuration. ``isolated`` reads no configuration file (for
    gatekeeping models you do not own). ``mlflow_version`` judges the models against
    that MLflow release (default: each project's ``mlflow-version``, else the newest)."""

    target = release(mlflow_version)

    def check(model: Target) -> FileReport:
        return validate_file(
            model.location,
            check_files=check_files,
            limits=limits,
            declared=model.config.flavors,
            mlflow_version=target or model.config.mlflow_version,
            isolated=isolated,
            require_signature=model.config.require_signature,
        )

    return check_targets(resolve_targets(paths, isolated=isolated), check)


def validate_document(
    document: MLmodelDocument, *, model_dir: Path | None = None, check_files: bool = True
) -> list[Diagnostic]:
    """Validate a round-trip document's current content, positions from its own parse.

    ``model_dir`` defaults to the folder of the document's file; without one, files are
    not checked.
    """
    from mlmodel.checking.validators import run_checks

    if model_dir is None and document.path is not None:
        model_dir = document.path.parent
    return run_checks(
        document.parsed,
        document.text,
        model_dir=model_dir,
        check_files=check_files and model_dir is not None,
    )
