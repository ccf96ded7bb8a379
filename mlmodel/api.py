"""The library behind every command: each function returns a typed result."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.codes import diagnostic
from mlmodel.diagnostics import Diagnostic, Severity
from mlmodel.errors import ParseError, UsageError
from mlmodel.yamlio.tree import Limits

if TYPE_CHECKING:
    from mlmodel.config import DeclaredFlavor

MLMODEL_NAME = "MLmodel"


@dataclass
class FileReport:
    """The findings for one MLmodel file."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


@dataclass
class ValidationResult:
    """The findings for every file validated in one run.

    ``general`` holds findings about the run rather than one file (a flavor plugin
    that failed to load, say).
    """

    reports: list[FileReport] = field(default_factory=list)
    general: list[Diagnostic] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [*self.general, *(d for report in self.reports for d in report.diagnostics)]

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.reports) + sum(d.is_error for d in self.general)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.reports) + sum(
            d.severity is Severity.WARNING for d in self.general
        )

    def exit_code(self, *, strict: bool = False) -> int:
        """0 clean (warnings allowed), 1 errors, or warnings under ``strict``."""
        if self.errors or (strict and self.warnings):
            return 1
        return 0


def resolve_mlmodel_path(path: str | Path) -> Path:
    """A model directory or an MLmodel file (any name) -> the MLmodel file."""
    candidate = Path(path)
    if candidate.is_dir():
        inner = candidate / MLMODEL_NAME
        if inner.is_dir() or not os.path.lexists(inner):
            raise UsageError(f"{candidate}: directory has no {MLMODEL_NAME} file")
        return inner  # a FIFO or device named MLmodel is reported (V115), never opened
    if candidate.exists():
        return candidate  # a FIFO or device is reported (V115) when read, never opened
    raise UsageError(f"{candidate}: no such file or directory")


def validate_bytes(
    data: bytes,
    *,
    model_dir: Path | None = None,
    check_files: bool = True,
    limits: Limits | None = None,
    roundtrip: bool = False,
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> list[Diagnostic]:
    """Validate the bytes of an MLmodel file.

    ``roundtrip=False`` parses with libyaml (fast); ``True`` with ruamel.yaml,
    as round-trip documents do. Both give the same findings.
    """
    from mlmodel.validators import run_checks
    from mlmodel.yamlio.parse import parse_fast, parse_roundtrip
    from mlmodel.yamlio.source import decode

    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        return [_too_large(len(data), limits)]
    source, problems = decode(data)
    if source is None:
        return problems
    parsed = (parse_roundtrip if roundtrip else parse_fast)(source.text, limits)
    return run_checks(
        parsed, source.text, model_dir=model_dir, check_files=check_files, declared=declared
    )


def read_mlmodel_bytes(path: Path, limits: Limits) -> bytes:
    """The bytes of an MLmodel file: a regular file within the size limit, checked before
    reading. Raises :class:`ParseError` carrying the V112/V115 diagnostic otherwise."""
    from mlmodel.readio import FileTooLargeError, read_regular

    try:
        return read_regular(path, limits.max_bytes)
    except FileTooLargeError as exc:
        found = _too_large(exc.size, limits)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        found = diagnostic("V115", f"cannot read the file: {reason}")
    raise ParseError(f"{path}: {found.code} {found.message}", [found])


def _too_large(size: int, limits: Limits) -> Diagnostic:
    return diagnostic(
        "V112",
        f"the file is {size} bytes, above the {limits.max_bytes}-byte limit",
        hint="MLmodel files are small; is this the right file? (--max-bytes raises the limit)",
    )


def validate_file(
    path: str | Path,
    *,
    check_files: bool = True,
    limits: Limits | None = None,
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> FileReport:
    """Validate one model directory or MLmodel file.

    ``declared`` flavor schemas default to those of the project configuration
    found by walking up from the file (:mod:`mlmodel.config`).
    """
    mlmodel_path = resolve_mlmodel_path(path)
    if declared is None:
        from mlmodel.config import load_config

        declared = load_config(mlmodel_path).flavors
    shown = str(mlmodel_path)
    limits = limits or Limits()
    try:
        found = validate_bytes(
            read_mlmodel_bytes(mlmodel_path, limits),
            model_dir=mlmodel_path.parent,
            check_files=check_files,
            limits=limits,
            declared=declared,
        )
    except ParseError as exc:
        found = list(exc.diagnostics)
    except Exception as exc:  # noqa: BLE001 - a bug in one check must not hide other files' findings
        found = [diagnostic("V199", f"mlmodel failed on this file: {type(exc).__name__}: {exc}")]
    return FileReport(path=shown, diagnostics=[d.with_file(shown) for d in found])


def validate_paths(
    paths: list[str] | list[Path],
    *,
    check_files: bool = True,
    limits: Limits | None = None,
) -> ValidationResult:
    """Validate several paths; raises :class:`UsageError` before any work for a bad path
    or a bad project configuration."""
    from mlmodel.config import load_configs
    from mlmodel.registry import default_registry

    resolved = [resolve_mlmodel_path(p) for p in paths]
    configs = load_configs(resolved)
    reports = [
        validate_file(p, check_files=check_files, limits=limits, declared=config.flavors)
        for p, config in zip(resolved, configs, strict=True)
    ]
    return ValidationResult(reports, general=list(default_registry().problems))
