"""The library behind every command: each function returns a typed result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic, sort_key
from mlmodel.core.errors import ParseError
from mlmodel.core.releases import Release, release
from mlmodel.core.results import FileReport, ValidationResult
from mlmodel.modeldir import (
    MLMODEL_NAME,
    ModelLocation,
    resolve_mlmodel_path,
    resolve_model_location,
)
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
    model by its URI: :class:`~mlmodel.modeldir.ModelLocation`).

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
    try:
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
        if check_files:
            found = sorted(
                [*found, *_signature_findings(mlmodel_path.parent, bool(require_signature))],
                key=sort_key,
            )
    except ParseError as exc:  # too large (V112), not a regular file or unreadable (V115)
        found = list(exc.diagnostics)
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not hide other files' findings
        found = [diagnostic("V199", f"mlmodel failed on this file: {type(exc).__name__}: {exc}")]
    return report_for(location, found)


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


def report_for(location: ModelLocation, found: list[Diagnostic]) -> FileReport:
    """The report of one model's findings, each naming the model as ``location`` does (a
    fetched model by its URI; the cached copy read is ``local_path``)."""
    shown = location.shown
    local = str(location.file) if location.remote else None
    return FileReport(path=shown, diagnostics=[d.with_file(shown) for d in found], local_path=local)


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
    from mlmodel.checking.config import load_configs
    from mlmodel.flavors.registry import default_registry

    target = release(mlflow_version)
    resolved = [resolve_model_location(p) for p in paths]
    configs = load_configs([r.file for r in resolved], isolated=isolated)
    reports = [
        validate_file(
            p,
            check_files=check_files,
            limits=limits,
            declared=config.flavors,
            mlflow_version=target or config.mlflow_version,
            isolated=isolated,
            require_signature=config.require_signature,
        )
        for p, config in zip(resolved, configs, strict=True)
    ]
    return ValidationResult(reports, general=list(default_registry().problems))


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
