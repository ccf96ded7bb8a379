"""The one problem type every check reports: :class:`Diagnostic`."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Literal

#: how a finding can be fixed: ``safe`` by ``lint --fix``, ``unsafe`` only with
#: ``--unsafe-fixes`` too (the meaning may change)
FixSafety = Literal["safe", "unsafe"]


class Severity(enum.Enum):
    """How bad a finding is.

    ``ERROR``: MLflow cannot use the model as written. ``WARNING``: MLflow
    tolerates it, but it is wrong or risky.
    """

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, pointing at ``file:line:column`` (1-based) where one exists.

    ``key`` is the dotted key path inside the document (``flavors.sklearn``),
    empty for findings about the file as a whole. ``fix`` says whether ``lint --fix``
    can fix this finding (``safe``), or only with ``--unsafe-fixes`` (``unsafe``).
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    key: str = ""
    fix: FixSafety | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_file(self, file: str) -> Diagnostic:
        return replace(self, file=file)

    def location(self) -> str:
        """``file:line:column`` with whatever parts are known."""
        parts = [self.file or "mlmodel"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        """``file:line:col: severity CODE message (hint)``: the line ``validate`` prints,
        wherever a diagnostic is shown as text (exceptions, start-up errors)."""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.location()}: {self.severity.value} {self.code} {self.message}{hint}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "key": self.key,
            "fix": self.fix,
        }


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file, then position, then code."""
    return (
        diagnostic.file or "",
        diagnostic.line if diagnostic.line is not None else 0,
        diagnostic.column if diagnostic.column is not None else 0,
        diagnostic.code,
    )
