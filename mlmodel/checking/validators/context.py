"""What every check gets: the parsed document and where it lives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic, Severity
from mlmodel.yamlio.tree import KeyPath, ParsedYaml, dotted

if TYPE_CHECKING:
    from mlmodel.checking.config import DeclaredFlavor
    from mlmodel.core.releases import Release


@dataclass
class CheckContext:
    parsed: ParsedYaml
    text: str
    model_dir: Path | None = None
    check_files: bool = True
    declared: Mapping[str, DeclaredFlavor] = field(default_factory=dict)
    #: the MLflow release judged against (``--mlflow-version``); None: the newest
    mlflow_version: Release | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.parsed.data

    def source_of(self, path: KeyPath) -> str | None:
        """The scalar's text exactly as written in the file."""
        span = self.parsed.spans.get(path)
        if span is None or span.kind != "scalar":
            return None
        return self.text[span.start : span.end]

    def report(
        self,
        code: str,
        message: str,
        path: KeyPath,
        *,
        at_key: bool = False,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        line, column = self.parsed.locate(path, at_key=at_key)
        self.diagnostics.append(
            diagnostic(
                code,
                message,
                line=line,
                column=column,
                hint=hint,
                key=dotted(path),
                severity=severity,
            )
        )


def get_path(data: Any, path: KeyPath) -> Any:
    """The value at ``path`` in plain data, or None when any step is missing."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
