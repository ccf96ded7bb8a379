"""Checks that turn a parsed MLmodel document into diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.codes import diagnostic
from mlmodel.diagnostics import Diagnostic, sort_key
from mlmodel.yamlio.tree import ParsedYaml

if TYPE_CHECKING:
    from mlmodel.config import DeclaredFlavor
    from mlmodel.releases import Release

__all__ = ["run_checks"]


def run_checks(
    parsed: ParsedYaml,
    text: str,
    *,
    model_dir: Path | None = None,
    check_files: bool = True,
    declared: Mapping[str, DeclaredFlavor] | None = None,
    mlflow_version: Release | None = None,
) -> list[Diagnostic]:
    """Every check, in order: YAML, structure, declared flavors, signature, loader, formats,
    release (with ``mlflow_version``), files."""
    from mlmodel.validators.context import CheckContext

    found = list(parsed.diagnostics)
    if (parsed.data is None and found) or not parsed.complete:
        return sorted(found, key=sort_key)
    if not isinstance(parsed.data, dict):
        found.append(
            diagnostic(
                "V114" if parsed.data is not None else "V113",
                "the document is not a mapping of keys to values"
                if parsed.data is not None
                else "the document is empty (null)",
                line=1,
                column=1,
            )
        )
        return sorted(found, key=sort_key)
    from mlmodel.validators.declared import check_declared
    from mlmodel.validators.files import check_files as files_check
    from mlmodel.validators.formats import check_formats
    from mlmodel.validators.loaders import check_loader
    from mlmodel.validators.release import check_release
    from mlmodel.validators.signature import check_signature
    from mlmodel.validators.structure import check_structure

    ctx = CheckContext(
        parsed=parsed,
        text=text,
        model_dir=model_dir,
        check_files=check_files,
        declared=declared or {},
        mlflow_version=mlflow_version,
    )
    checks = (check_structure, check_declared, check_signature, check_loader, check_formats)
    for check in (*checks, check_release, files_check):
        check(ctx)
    found.extend(_judged_against(ctx.diagnostics, mlflow_version))
    return sorted(found, key=sort_key)


def _judged_against(found: list[Diagnostic], target: Release | None) -> list[Diagnostic]:
    """Drop V308 (the legacy ColSpec ``optional``) for a release that still reads it."""
    from mlmodel.releases import COLSPEC_OPTIONAL_UNTIL

    if target is None or target >= COLSPEC_OPTIONAL_UNTIL:
        return found
    return [d for d in found if d.code != "V308"]
