"""Checks that turn a parsed MLmodel document into diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic, sort_key
from mlmodel.yamlio.tree import Limits, ParsedYaml

if TYPE_CHECKING:
    from mlmodel.checking.config import DeclaredFlavor
    from mlmodel.core.releases import Release

__all__ = ["parse_and_check", "run_checks"]


def parse_and_check(
    data: bytes,
    *,
    limits: Limits | None = None,
    roundtrip: bool = False,
    model_dir: Path | None = None,
    check_files: bool = True,
    declared: Mapping[str, DeclaredFlavor] | None = None,
    suppressions: bool = True,
    mlflow_version: Release | None = None,
) -> tuple[ParsedYaml | None, list[Diagnostic]]:
    """The bytes of an MLmodel file decoded, parsed once and checked: the parse (None when
    the bytes are not UTF-8 text) and every finding. ``validate`` keeps the findings; the
    loaders' gate keeps the parse too, so the document checked is the document loaded."""
    from mlmodel.yamlio.parse import parse_fast, parse_roundtrip
    from mlmodel.yamlio.source import decode

    source, problems = decode(data)
    if source is None:
        return None, problems
    parsed = (parse_roundtrip if roundtrip else parse_fast)(source.text, limits)
    found = run_checks(
        parsed,
        source.text,
        model_dir=model_dir,
        check_files=check_files,
        declared=declared,
        mlflow_version=mlflow_version,
        suppressions=suppressions,
    )
    return parsed, found


def run_checks(
    parsed: ParsedYaml,
    text: str,
    *,
    model_dir: Path | None = None,
    check_files: bool = True,
    declared: Mapping[str, DeclaredFlavor] | None = None,
    suppressions: bool = True,
    mlflow_version: Release | None = None,
) -> list[Diagnostic]:
    """Every check, in order: YAML, structure, declared flavors, signature, loader, formats,
    release (judged against ``mlflow_version``, None: the newest), files; then the inline
    suppressions of the text (``# mlmodel: disable=V402``) unless ``suppressions`` is False
    (``isolated``, or a caller that applies them itself)."""
    found = _checks(parsed, text, model_dir, check_files, declared, mlflow_version)
    if suppressions:
        from mlmodel.checking.suppressions import MARKER, find_suppressions, silence

        if MARKER in text:
            found = silence(found, find_suppressions(text, parsed))
    return found


def _checks(
    parsed: ParsedYaml,
    text: str,
    model_dir: Path | None,
    check_files: bool,
    declared: Mapping[str, DeclaredFlavor] | None,
    mlflow_version: Release | None,
) -> list[Diagnostic]:
    from mlmodel.checking.validators.context import CheckContext

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
    from mlmodel.checking.validators.declared import check_declared
    from mlmodel.checking.validators.files import check_files as files_check
    from mlmodel.checking.validators.formats import check_formats
    from mlmodel.checking.validators.loaders import check_loader
    from mlmodel.checking.validators.model_files import check_model_files
    from mlmodel.checking.validators.release import check_release
    from mlmodel.checking.validators.signature import check_signature
    from mlmodel.checking.validators.structure import check_structure

    ctx = CheckContext(
        parsed=parsed,
        text=text,
        model_dir=model_dir,
        check_files=check_files,
        declared=declared or {},
        mlflow_version=mlflow_version,
    )
    checks = (check_structure, check_declared, check_signature, check_loader, check_formats)
    for check in (*checks, check_release, files_check, check_model_files):
        check(ctx)
    checked = _beside_tags(ctx.diagnostics, parsed.diagnostics)
    found.extend(_judged_against(checked, mlflow_version))
    return sorted(found, key=sort_key)


#: tags YAML safe loading refuses: the value is never constructed, so its type says nothing
_TAG_CODES = ("V108", "V109")


def _beside_tags(checked: list[Diagnostic], yaml: list[Diagnostic]) -> list[Diagnostic]:
    """The checks' findings, without those about a value a refused tag stands for: the tag's
    own finding (V108 for ``!!python/...``) says what is wrong there."""
    tagged = [d.key for d in yaml if d.code in _TAG_CODES]
    if not tagged:
        return checked
    return [
        d
        for d in checked
        if not any(d.key == key or d.key.startswith(key + ".") or not key for key in tagged)
    ]


def _judged_against(found: list[Diagnostic], target: Release | None) -> list[Diagnostic]:
    """Drop V308 (the legacy ColSpec ``optional``) for a release that still reads it."""
    from mlmodel.core.releases import COLSPEC_OPTIONAL_UNTIL

    if target is None or target >= COLSPEC_OPTIONAL_UNTIL:
        return found
    return [d for d in found if d.code != "V308"]
