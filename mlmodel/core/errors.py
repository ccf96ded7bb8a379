"""Exceptions raised by the mlmodel library.

Problems *in* an MLmodel document are never raised: they are reported as
:class:`mlmodel.core.diagnostics.Diagnostic` objects. Exceptions are for misuse of
the API or of the command line (a path that does not exist, a directory with
no MLmodel file) and for documents that cannot be edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlmodel.core.diagnostics import Diagnostic


class MLModelError(Exception):
    """Base class of every exception mlmodel raises."""


class UsageError(MLModelError):
    """The caller asked for something that cannot be done (exit code 2 in the CLI)."""


class ParseError(MLModelError):
    """A document could not be parsed; ``diagnostics`` says where and why."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)


class EditError(MLModelError):
    """A requested edit of a round-trip document cannot be applied."""


class UnsafeModelError(MLModelError):
    """A model file was refused: loading it could run code (a pickle the scanner flags or
    cannot read). ``path`` is the file, ``globals`` what it would import that is dangerous."""

    def __init__(self, message: str, *, path: str, globals: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.globals = list(globals)
