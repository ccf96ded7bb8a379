"""Run the lint rules over MLmodel files, apply fixes, honour suppressions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from mlmodel.api import FileReport, ValidationResult, resolve_mlmodel_path
from mlmodel.diagnostics import Diagnostic, Severity, sort_key
from mlmodel.errors import EditError, ParseError, UsageError
from mlmodel.lint.model import Finding, LintContext, Rule
from mlmodel.lint.rules import UNUSED_SUPPRESSION, select_rules
from mlmodel.lint.suppressions import Suppression, find_suppressions
from mlmodel.reading import read_mlmodel
from mlmodel.releases import Release
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import dotted

MAX_FIX_PASSES = 4
#: stands for a rule that raised; reported with the validator's internal-error code
_BROKEN = Rule("V199", "internal-error", Severity.ERROR, None, "", "", lambda ctx: iter(()))


@dataclass(frozen=True, slots=True)
class LintOptions:
    """``select``/``ignore``: rule codes or prefixes; None takes them from the project
    configuration (``[tool.mlmodel]``), an empty ``select`` means every rule.
    ``isolated``: no configuration file is read and no suppression comment is honoured."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    check_files: bool = True
    isolated: bool = False
    #: the MLflow release rules judge against (None: the configuration's, else the newest)
    mlflow_version: Release | None = None


@dataclass(slots=True)
class LintResult:
    """Findings (as a ValidationResult, so every output format works) and what was fixed."""

    result: ValidationResult
    fixed: dict[str, list[str]] = field(default_factory=dict)
    diffs: dict[str, str] = field(default_factory=dict)

    def exit_code(self, *, strict: bool = False) -> int:
        return self.result.exit_code(strict=strict)


def _findings(rules: list[Rule], ctx: LintContext) -> list[tuple[Rule, Finding]]:
    found: list[tuple[Rule, Finding]] = []
    for rule in rules:
        try:
            found.extend((rule, finding) for finding in rule.check(ctx))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others
            failure = Finding((), f"rule {rule.code} failed: {type(exc).__name__}: {exc}")
            found.append((_BROKEN, failure))
    return found


def _to_diagnostic(
    rule_code: str, severity: Severity, finding: Finding, document: MLmodelDocument
) -> Diagnostic:
    line, column = document.parsed.locate(finding.path, at_key=finding.at_key)
    return Diagnostic(
        code=rule_code,
        severity=severity,
        message=finding.message,
        line=line,
        column=column,
        hint=finding.hint,
        key=dotted(finding.path),
    )


def _fixable(rule: Rule, finding: Finding, options: LintOptions) -> bool:
    if finding.fix is None or rule.fix_safety is None:
        return False
    return rule.fix_safety == "safe" or options.unsafe_fixes


def _apply_fixes(
    document: MLmodelDocument, rules: list[Rule], options: LintOptions, model_dir: Path
) -> list[str]:
    fixed: list[str] = []
    for _ in range(MAX_FIX_PASSES):
        ctx = LintContext(
            document, model_dir, options.check_files, mlflow_version=options.mlflow_version
        )
        suppressions = [] if options.isolated else find_suppressions(document)
        applied = False
        for rule, finding in _findings(rules, ctx):
            line, _ = document.parsed.locate(finding.path, at_key=finding.at_key)
            if any(s.covers(rule.code, line) for s in suppressions):
                continue
            if not _fixable(rule, finding, options):
                continue
            assert finding.fix is not None
            try:
                finding.fix(document)
            except (EditError, KeyError, IndexError, TypeError):
                continue
            fixed.append(rule.code)
            applied = True
            break  # positions moved: look again from a fresh parse
        if not applied:
            break
    return fixed


def lint_document(
    document: MLmodelDocument, model_dir: Path, options: LintOptions
) -> list[Diagnostic]:
    rules = select_rules(options.select or (), options.ignore or ())
    ctx = LintContext(
        document, model_dir, options.check_files, mlflow_version=options.mlflow_version
    )
    suppressions = [] if options.isolated else find_suppressions(document)
    found: list[Diagnostic] = []
    for rule, finding in _findings(rules, ctx):
        line, _ = document.parsed.locate(finding.path, at_key=finding.at_key)
        silenced = False
        for suppression in suppressions:
            entry = suppression.covers(rule.code, line)
            if entry is not None:
                suppression.used.add(entry)
                silenced = True
        if not silenced:
            found.append(_to_diagnostic(rule.code, rule.severity, finding, document))
    found.extend(_unused(suppressions, options))
    return sorted(found, key=sort_key)


def _unused(suppressions: list[Suppression], options: LintOptions) -> list[Diagnostic]:
    if options.select and not UNUSED_SUPPRESSION.startswith(tuple(options.select)):
        return []
    if options.ignore and UNUSED_SUPPRESSION.startswith(tuple(options.ignore)):
        return []
    unused = []
    for suppression in suppressions:
        idle = [code for code in suppression.codes if code not in suppression.used]
        if idle:
            unused.append(
                Diagnostic(
                    code=UNUSED_SUPPRESSION,
                    severity=Severity.WARNING,
                    message=f"unused suppression: {', '.join(idle)} found nothing to silence here",
                    line=suppression.line,
                    column=suppression.column,
                    hint="remove it, or fix the code list",
                )
            )
    return unused


def lint_file(path: str | Path, options: LintOptions) -> tuple[FileReport, list[str], str | None]:
    """Lint one model; with ``fix``, write the fixed file atomically (or only diff it)."""
    from mlmodel.api import validate_file

    mlmodel_path = resolve_mlmodel_path(path)
    shown = str(mlmodel_path)
    try:
        document = read_mlmodel(mlmodel_path)
    except (ParseError, UsageError):
        # not readable as YAML: the validator says exactly why
        report = validate_file(mlmodel_path, check_files=False, isolated=options.isolated)
        return report, [], None
    model_dir = mlmodel_path.parent
    fixed: list[str] = []
    diff = None
    if options.fix or options.diff:
        before = document.text
        rules = select_rules(options.select or (), options.ignore or ())
        fixed = _apply_fixes(document, rules, options, model_dir)
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
                document = read_mlmodel(mlmodel_path)  # report on the file as it is
            else:
                document.write()
    found = [d.with_file(shown) for d in lint_document(document, model_dir, options)]
    return FileReport(path=shown, diagnostics=found), fixed, diff


def lint_paths(paths: list[str] | list[Path], options: LintOptions) -> LintResult:
    """Lint several paths, each with its project configuration's select/ignore unless the
    options give their own."""
    from dataclasses import replace

    from mlmodel.config import load_configs

    resolved = [resolve_mlmodel_path(p) for p in paths]
    configs = load_configs(resolved, isolated=options.isolated)
    result = LintResult(ValidationResult())
    for target, config in zip(resolved, configs, strict=True):
        local = replace(
            options,
            select=config.select if options.select is None else options.select,
            ignore=config.ignore if options.ignore is None else options.ignore,
            mlflow_version=options.mlflow_version or config.mlflow_version,
        )
        report, fixed, diff = lint_file(target, local)
        result.result.reports.append(report)
        if fixed:
            result.fixed[report.path] = fixed
        if diff:
            result.diffs[report.path] = diff
    return result
