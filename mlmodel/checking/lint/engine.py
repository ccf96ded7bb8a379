"""Run the lint rules over MLmodel files, apply fixes, honour suppressions.

``mlmodel lint`` is one stream: the validator's findings (V codes) and the lint
rules' (MLM codes), selected by code or prefix, silenced by the same inline
suppressions as ``validate``, fixed by the same engine that ``convert --upgrade``
uses. A rule or fix that raises anything but :class:`FixNotApplicable` (or an
edit the document refuses) is a bug: it is reported as an internal error (V199)
naming the rule, never skipped silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.checking.lint.model import Finding, Fix, FixNotApplicable, LintContext, NoFix
from mlmodel.checking.lint.rules import all_fixers, all_rules
from mlmodel.checking.paths import Target, check_targets, report_for, resolve_targets
from mlmodel.checking.reading import read_mlmodel
from mlmodel.checking.suppressions import Suppression, find_suppressions, silence
from mlmodel.core.codes import (
    ALL,
    INTERNAL_ERROR,
    SECURITY_PREFIX,
    UNUSED_SUPPRESSION,
    diagnostic,
    resolve_selectors,
)
from mlmodel.core.diagnostics import Diagnostic, FixSafety, sort_key
from mlmodel.core.errors import EditError, ParseError, UsageError
from mlmodel.core.releases import Release
from mlmodel.core.results import FileReport, ValidationResult
from mlmodel.modeldir.location import ModelLocation, refuse_remote_write, resolve_model_location
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import dotted

if TYPE_CHECKING:
    from mlmodel.checking.config import DeclaredFlavor

#: rounds of fixing (each re-checks the document); a fix never needs more than a few
MAX_FIX_PASSES = 16


@dataclass(frozen=True, slots=True)
class LintOptions:
    """``select``/``ignore``: codes (V or MLM), prefixes or ``ALL``; None takes them from the
    project configuration (``[tool.mlmodel]``), an empty ``select`` means every code.
    ``isolated``: no configuration file is read and no suppression comment is honoured."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    check_files: bool = True
    isolated: bool = False
    #: the MLflow release judged against (``--mlflow-version``); None: the configuration's
    #: ``mlflow-version``, else the newest
    mlflow_version: Release | None = None
    #: every model must carry a signature (MLM505): the configuration's
    #: ``trust.require-signature``, or set here
    require_signature: bool = False
    #: globals the project trusts (MLM503 does not report them): the configuration's
    #: ``trust.trusted-types`` (a configuration inside the model directory grants none)
    trusted_types: tuple[str, ...] = ()

    def selected(self, *, where: str = "") -> frozenset[str]:
        """The codes this run reports; UsageError for a selector that names no code."""
        chosen = resolve_selectors(self.select or (ALL,), where=where)
        return chosen - resolve_selectors(self.ignore or (), where=where)


@dataclass(slots=True)
class LintResult:
    """Findings (as a ValidationResult, so every output format works) and what was fixed."""

    result: ValidationResult
    fixed: dict[str, list[str]] = field(default_factory=dict)
    diffs: dict[str, str] = field(default_factory=dict)

    def exit_code(self, *, strict: bool = False) -> int:
        return self.result.exit_code(strict=strict)


@dataclass(frozen=True, slots=True)
class Item:
    """One finding of this run, whatever reported it, with the fix offered for it."""

    diagnostic: Diagnostic
    fix: Fix | None = None
    no_fix: NoFix | None = None
    safety: FixSafety | None = None


@dataclass(frozen=True)
class AppliedFix:
    """One fix the engine applied, with the code of the finding it fixed."""

    code: str
    fix: Fix


@dataclass(slots=True)
class Applied:
    """What the fixing rounds did: fixes applied and bugs met."""

    fixes: list[AppliedFix] = field(default_factory=list)
    failures: list[Diagnostic] = field(default_factory=list)


def _internal(what: str, exc: BaseException) -> Diagnostic:
    return diagnostic(
        INTERNAL_ERROR,
        f"{what} failed: {type(exc).__name__}: {exc}",
        hint="a bug in mlmodel, not in the model: please report it",
    )


def _from_finding(code: str, finding: Finding, document: MLmodelDocument) -> Diagnostic:
    line, column = document.parsed.locate(finding.path, at_key=finding.at_key)
    return diagnostic(
        code, finding.message, line=line, column=column, hint=finding.hint, key=dotted(finding.path)
    )


def collect(
    document: MLmodelDocument,
    model_dir: Path | None,
    options: LintOptions,
    selected: frozenset[str],
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> list[Item]:
    """Every selected finding, validator's and rules', with its fix; no suppression applied."""
    from mlmodel.checking.validators import run_checks

    ctx = LintContext(
        document,
        model_dir,
        options.check_files,
        require_signature=options.require_signature,
        trusted_types=frozenset(options.trusted_types),
        selected=selected,
    )
    items: list[Item] = []
    fixers = all_fixers()
    checked = run_checks(
        document.parsed,
        document.text,
        model_dir=model_dir,
        check_files=options.check_files and model_dir is not None,
        declared=declared,
        suppressions=False,
        mlflow_version=options.mlflow_version,
    )
    for found in checked:
        if found.code not in selected and found.code != INTERNAL_ERROR:
            continue
        fixer = fixers.get(found.code)
        offer: Fix | NoFix | None = None
        if fixer is not None:
            try:
                offer = fixer.fix(ctx, found)
            except Exception as exc:  # noqa: BLE001 - a bug is reported, not hidden
                items.append(Item(_internal(f"the fix for {found.code}", exc)))
        if isinstance(offer, Fix):
            assert fixer is not None
            items.append(Item(found, fix=offer, safety=fixer.fix_safety))
        else:
            items.append(Item(found, no_fix=offer))
    for rule in all_rules():
        if rule.code not in selected:
            continue
        try:
            findings = list(rule.check(ctx))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others
            items.append(Item(_internal(f"lint rule {rule.code} ({rule.name})", exc)))
            continue
        for finding in findings:
            items.append(
                Item(
                    _from_finding(rule.code, finding, document),
                    fix=finding.fix,
                    no_fix=finding.no_fix,
                    safety=rule.fix_safety if finding.fix is not None else None,
                )
            )
    return items


def _allowed(item: Item, options: LintOptions) -> bool:
    if item.fix is None or item.safety is None:
        return False
    return item.safety == "safe" or options.unsafe_fixes


def _overlaps(key: str, keys: set[str]) -> bool:
    return any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in keys)


def apply_fixes(
    document: MLmodelDocument,
    model_dir: Path | None,
    options: LintOptions,
    selected: frozenset[str],
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> Applied:
    """Apply the allowed fixes in rounds until none is left; the document is edited in place.

    A fix that no longer fits (:class:`FixNotApplicable`, or an edit the document refuses)
    is skipped; any other exception is a bug, reported as an internal error naming the code.
    """
    applied = Applied()
    refused: set[tuple[str, str]] = set()
    for _ in range(MAX_FIX_PASSES):
        items = collect(document, model_dir, options, selected, declared)
        suppressions = [] if options.isolated else find_suppressions(document.text, document.parsed)
        kept = set(map(id, silence([i.diagnostic for i in items], suppressions)))
        touched: set[str] = set()
        progress = False
        for item in items:
            if id(item.diagnostic) not in kept or not _allowed(item, options):
                continue
            assert item.fix is not None
            code, fix = item.diagnostic.code, item.fix
            if (code, fix.key) in refused or _overlaps(fix.key, touched):
                continue
            if _overlaps(item.diagnostic.key, touched):
                continue
            state = document.snapshot()
            try:
                fix.apply(document)
            except (FixNotApplicable, EditError):
                document.restore(state)
                refused.add((code, fix.key))
                continue
            except Exception as exc:  # noqa: BLE001 - a broken fix must surface
                document.restore(state)
                refused.add((code, fix.key))
                applied.failures.append(_internal(f"the fix of {code} at {fix.key}", exc))
                continue
            applied.fixes.append(AppliedFix(code, fix))
            touched.update({fix.key, item.diagnostic.key})
            progress = True
        if not progress:
            break
    return applied


def report(
    items: list[Item],
    document: MLmodelDocument,
    options: LintOptions,
    selected: frozenset[str],
) -> list[Diagnostic]:
    """The diagnostics to show: suppressions applied, fixability marked, unused suppressions."""
    suppressions = [] if options.isolated else find_suppressions(document.text, document.parsed)
    fix_of = {id(i.diagnostic): i.safety for i in items if i.fix is not None}
    kept = silence([i.diagnostic for i in items], suppressions)
    found = [replace(d, fix=fix_of.get(id(d))) for d in kept]
    if UNUSED_SUPPRESSION in selected:
        found.extend(_unused(suppressions, selected))
    return sorted(found, key=sort_key)


def lint_document(
    document: MLmodelDocument,
    model_dir: Path | None,
    options: LintOptions,
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> list[Diagnostic]:
    selected = options.selected()
    items = collect(document, model_dir, options, selected, declared)
    return report(items, document, options, selected)


def _unused(suppressions: list[Suppression], selected: frozenset[str]) -> list[Diagnostic]:
    unused = []
    for suppression in suppressions:
        idle = []
        for entry in suppression.codes:
            if entry in suppression.used:
                continue
            named = _named(entry)
            if named is None:
                idle.append(f"{entry} (no such code)")
            elif named and all(c.startswith(SECURITY_PREFIX) for c in named):
                idle.append(f"{entry} (security findings cannot be silenced inside the model)")
            elif named & selected:
                idle.append(entry)
            # codes not selected in this run: no verdict
        if idle:
            unused.append(
                diagnostic(
                    UNUSED_SUPPRESSION,
                    f"unused suppression: {', '.join(idle)} found nothing to silence here",
                    line=suppression.line,
                    column=suppression.column,
                    hint="remove it, or fix the code list",
                )
            )
    return unused


def _named(entry: str) -> frozenset[str] | None:
    from mlmodel.core.errors import UsageError

    try:
        return resolve_selectors((entry,))
    except UsageError:
        return None


@dataclass(frozen=True)
class FileLint:
    """What linting one model gave: its findings, the codes fixed, the diff asked for."""

    report: FileReport
    fixed: list[str] = field(default_factory=list)
    diff: str | None = None


def _refuse_remote_fix(given: str | Path | ModelLocation, options: LintOptions) -> None:
    if options.fix and not options.diff:
        refuse_remote_write(given, "lint --fix")


def lint_file(
    path: str | Path | ModelLocation,
    options: LintOptions,
    *,
    declared: Mapping[str, DeclaredFlavor] | None = None,
) -> FileLint:
    """Lint one model; with ``fix``, write the fixed file atomically (or only diff it).

    Findings name a fetched model by its URI; ``fix`` on one raises
    :class:`~mlmodel.core.errors.UsageError` (it would change only the cached copy)."""
    from mlmodel.checking.validate import validate_file

    selected = options.selected()
    _refuse_remote_fix(path, options)  # before anything is fetched
    location = resolve_model_location(path)
    mlmodel_path = location.file
    shown = location.shown
    try:
        document = read_mlmodel(location)
    except (ParseError, UsageError):
        # not readable as YAML: the validator says exactly why
        report_ = validate_file(
            location, check_files=False, declared=declared or {}, isolated=options.isolated
        )
        return FileLint(report_)
    model_dir = mlmodel_path.parent
    fixed: list[str] = []
    failures: list[Diagnostic] = []
    diff = None
    if options.fix or options.diff:
        before = document.text
        applied = apply_fixes(document, model_dir, options, selected, declared)
        fixed = [done.code for done in applied.fixes]
        failures = applied.failures
        if document.text != before:
            if options.diff:
                diff = "".join(
                    difflib.unified_diff(
                        before.splitlines(keepends=True),
                        document.text.splitlines(keepends=True),
                        fromfile=shown,
                        tofile=shown,
                    )
                )
                document = read_mlmodel(location)  # report on the file as it is
            else:
                document.write()
    items = collect(document, model_dir, options, selected, declared)
    found = [*failures, *report(items, document, options, selected)]
    return FileLint(report_for(location, found), fixed, diff)


def lint_paths(paths: Sequence[str | Path | ModelLocation], options: LintOptions) -> LintResult:
    """Lint several paths, each with its project configuration's select/ignore unless the
    options give their own. Raises UsageError for an unknown selector, or ``fix`` on a
    remote model, before any work."""

    options.selected(where="the options")
    targets = resolve_targets(
        paths,
        isolated=options.isolated,
        refuse=lambda location: _refuse_remote_fix(location, options),
    )
    for target in targets:
        if target.config.path is not None:
            replace(options, select=target.config.select, ignore=target.config.ignore).selected(
                where=str(target.config.path)
            )
    result = LintResult(ValidationResult())

    def check(target: Target) -> FileReport:
        config = target.config
        local = replace(
            options,
            select=config.select if options.select is None else options.select,
            ignore=config.ignore if options.ignore is None else options.ignore,
            mlflow_version=options.mlflow_version or config.mlflow_version,
            require_signature=options.require_signature or config.require_signature,
            trusted_types=options.trusted_types + config.trust.trusted_types,
        )
        linted = lint_file(target.location, local, declared=config.flavors)
        if linted.fixed:
            result.fixed[linted.report.path] = linted.fixed
        if linted.diff:
            result.diffs[linted.report.path] = linted.diff
        return linted.report

    result.result = check_targets(targets, check)
    return result


__all__ = [
    "Applied",
    "AppliedFix",
    "FileLint",
    "Item",
    "LintOptions",
    "LintResult",
    "apply_fixes",
    "collect",
    "lint_document",
    "lint_file",
    "lint_paths",
]
