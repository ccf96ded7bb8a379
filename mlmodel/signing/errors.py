""":class:`SignatureError`: a model refused because its signature does not vouch for its files.

A :class:`mlmodel.core.errors.UnsafeModelError` (``error_code`` ``PERMISSION_DENIED``), so
``except UnsafeModelError`` catches a refused signature as it catches a refused pickle.
:class:`SigningUnavailableError` is the :class:`~mlmodel.core.errors.MissingDependencyError` for
the ``sign`` extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal, get_args

from mlmodel.core.errors import MissingDependencyError, UnsafeModelError

Reason = Literal[
    "missing-signature",
    "malformed-signature",
    "wrong-key",
    "changed",
    "added",
    "removed",
    "renamed",
]
REASONS: Final[tuple[Reason, ...]] = get_args(Reason)

#: the install line named when model-signing is missing
EXTRA_HINT: Final = 'pip install "mlmodel[sign]"'


class SignatureError(UnsafeModelError):
    """The model's signature is missing, unreadable, made with another key, or does not match
    the files. ``reason`` is one of :data:`REASONS`; ``files`` the model files concerned
    (POSIX paths relative to the model directory; for a rename both names);
    ``differences`` maps each of "changed", "added", "removed", "renamed" to its files
    (renames as ``"old -> new"``), empty for the other reasons. ``error_code`` is MLflow's
    ``PERMISSION_DENIED``, as for every ``UnsafeModelError``."""

    def __init__(
        self,
        message: str,
        *,
        reason: Reason,
        signature: str,
        files: Sequence[str] = (),
        differences: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message, path=signature)
        self.reason: Reason = reason
        self.files = tuple(files)
        self.differences = {k: tuple(v) for k, v in (differences or {}).items()}


class SigningUnavailableError(MissingDependencyError):
    """model-signing is not installed (the ``sign`` extra)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} needs the sign extra (model-signing): {EXTRA_HINT}",
            package="mlmodel[sign]",
            extra="sign",
        )


__all__ = ["EXTRA_HINT", "REASONS", "Reason", "SignatureError", "SigningUnavailableError"]
