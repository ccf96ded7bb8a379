"""What the checking commands return: findings per file and per run.

Plain dataclasses over :class:`~mlmodel.core.diagnostics.Diagnostic`; no I/O, no checks. ``validate``
and ``lint`` both return a :class:`ValidationResult`, which ``report/`` renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlmodel.core.diagnostics import Diagnostic, Severity

__all__ = ["FileReport", "ValidationResult"]


@dataclass
class FileReport:
    """The findings for one MLmodel file.

    ``path`` names the file as every message does; for a model fetched from a URI that is
    the URI (``runs:/<id>/model/MLmodel``) and ``local_path`` is where the fetched copy was
    read (the cache), for excerpts. None: ``path`` is the local file.
    """

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    local_path: str | None = None

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
