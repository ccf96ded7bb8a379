"""The contract of the lint engine: rules, fixes, findings, the context a rule sees.

A rule module (:class:`RuleModule`) declares its ``CODE`` (name, severity and fix
safety come from the catalogue, :mod:`mlmodel.core.codes`) and a ``check`` yielding
:class:`Finding` objects. A fixer module (:class:`FixerModule`) offers fixes for
the findings of a validation code (``V402``): the validator reports the problem,
the fixer only knows how to mend it. A :class:`Fix` that finds the document no
longer fits raises :class:`FixNotApplicable`; any other exception from a fix is a
bug and is reported as an internal error naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from mlmodel.core.codes import CODES
from mlmodel.core.diagnostics import Diagnostic, FixSafety, Severity
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.yamlio.document import MLmodelDocument

FixAction = Literal["set", "add", "rename", "delete"]


class FixNotApplicable(Exception):
    """A fix cannot apply to the document as it is now (not a bug: the fix is skipped)."""


@dataclass(frozen=True, slots=True)
class Fix:
    """One edit that resolves one finding, described for reports (``convert --upgrade``).

    ``key`` is the dotted key the edit changes, ``old``/``new`` the text before and after,
    ``reason`` why (the finding's message when empty). ``apply`` edits the document in
    place through its round-trip editing API.
    """

    key: str
    action: FixAction
    old: str | None
    new: str
    apply: Callable[[MLmodelDocument], None]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class NoFix:
    """A finding that a fix would normally mend, and why it cannot here (never invents)."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found; ``fix`` (when the rule can fix it) edits the document in place,
    ``no_fix`` says why a fix this rule normally offers is not offered here."""

    path: KeyPath
    message: str
    hint: str | None = None
    at_key: bool = False
    fix: Fix | None = None
    no_fix: NoFix | None = None


@dataclass(slots=True)
class LintContext:
    document: MLmodelDocument
    model_dir: Path | None
    check_files: bool = True
    cache: dict[str, Any] = field(default_factory=dict)
    #: the configuration's ``trust.require-signature`` (MLM505)
    require_signature: bool = False
    #: the project configuration's ``trust.trusted-types`` (never one inside the model):
    #: globals MLM503 does not report
    trusted_types: frozenset[str] = frozenset()
    #: the codes this run reports (None: every code), so that one rule can leave to another
    #: what that one reports (MLM503 leaves denylisted globals to MLM501)
    selected: frozenset[str] | None = None

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.document.parsed.data
        return data

    def source_of(self, path: KeyPath) -> str | None:
        span = self.document.parsed.spans.get(path)
        if span is None or span.kind != "scalar":
            return None
        return self.document.text[span.start : span.end]

    def flavors(self) -> dict[str, Any]:
        flavors = self.data.get("flavors")
        return flavors if isinstance(flavors, dict) else {}

    def file(self, relative: str) -> Path | None:
        """A file inside the model directory, when file checks are on and it exists."""
        if not self.check_files or self.model_dir is None:
            return None
        from mlmodel.modeldir import inside

        candidate = inside(self.model_dir, relative)
        return candidate if candidate is not None and candidate.is_file() else None


class RuleModule(Protocol):
    """What a module under :mod:`mlmodel.checking.lint.rules` provides (its docstring documents it,
    with ``Fails::`` and ``Passes::`` examples that run as tests)."""

    CODE: str

    def check(self, ctx: LintContext) -> Iterator[Finding]: ...


class FixerModule(Protocol):
    """What a module under :mod:`mlmodel.checking.lint.fixers` provides: fixes for the findings of
    one validation code; ``None`` for a finding it does not handle."""

    CODE: str

    def fix(self, ctx: LintContext, diagnostic: Diagnostic) -> Fix | NoFix | None: ...


@dataclass(frozen=True, slots=True)
class Rule:
    """One lint rule: its module's ``check`` with its catalogue entry."""

    code: str
    name: str
    severity: Severity
    fix_safety: FixSafety | None
    summary: str
    doc: str
    check: Callable[[LintContext], Iterator[Finding]]

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        rule = cast(RuleModule, module)
        entry = CODES[rule.CODE]
        return cls(
            code=entry.code,
            name=entry.name,
            severity=entry.severity,
            fix_safety=entry.fix,
            summary=entry.summary,
            doc=(module.__doc__ or "").strip(),
            check=rule.check,
        )


@dataclass(frozen=True, slots=True)
class Fixer:
    """Fixes for one validation code, from a fixer module and the catalogue."""

    code: str
    fix_safety: FixSafety
    doc: str
    fix: Callable[[LintContext, Diagnostic], Fix | NoFix | None]

    @classmethod
    def from_module(cls, module: ModuleType) -> Fixer:
        fixer = cast(FixerModule, module)
        entry = CODES[fixer.CODE]
        if entry.fix is None:
            raise RuntimeError(f"{module.__name__}: the catalogue says {entry.code} has no fix")
        return cls(entry.code, entry.fix, (module.__doc__ or "").strip(), fixer.fix)
