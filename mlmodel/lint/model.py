"""The types of the lint engine: rules, findings, the context a rule sees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from mlmodel.diagnostics import Severity
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.releases import Release
    from mlmodel.yamlio.document import MLmodelDocument

FixSafety = Literal["safe", "unsafe"]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found; ``fix`` (when the rule can fix it) edits the document in place."""

    path: KeyPath
    message: str
    hint: str | None = None
    at_key: bool = False
    fix: Callable[[MLmodelDocument], None] | None = None


@dataclass(slots=True)
class LintContext:
    document: MLmodelDocument
    model_dir: Path | None
    check_files: bool = True
    cache: dict[str, Any] = field(default_factory=dict)
    #: the MLflow release judged against (``--mlflow-version``); None: the newest
    mlflow_version: Release | None = None

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


@dataclass(frozen=True, slots=True)
class Rule:
    """One lint rule, read from its module's CODE, NAME, SEVERITY, FIX and ``check``."""

    code: str
    name: str
    severity: Severity
    fix_safety: FixSafety | None
    summary: str
    doc: str
    check: Callable[[LintContext], Iterator[Finding]]

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        doc = (module.__doc__ or "").strip()
        return cls(
            code=module.CODE,
            name=module.NAME,
            severity=module.SEVERITY,
            fix_safety=getattr(module, "FIX", None),
            summary=doc.splitlines()[0] if doc else module.NAME,
            doc=doc,
            check=module.check,
        )
