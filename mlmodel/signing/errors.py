""":class:`SignatureError`: a model refused because its signature does not vouch for its files.

It lives here, not in :mod:`mlmodel.runtime.errors`: the import layers put
:mod:`mlmodel.signing` below the runtime, so it cannot import runtime's
``UnsafeModelError``. It subclasses :class:`mlmodel.core.errors.UnsafeModelError` (which the
runtime's ``UnsafeModelError`` also subclasses): ``except mlmodel.core.errors.UnsafeModelError``
catches both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal, get_args

from mlmodel.core.errors import UnsafeModelError, UsageError

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
    ``PERMISSION_DENIED``, as the runtime's ``UnsafeModelError``."""

    error_code: Final = "PERMISSION_DENIED"
    error_class: Final = None

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
        self.message = message
        self.reason: Reason = reason
        self.files = tuple(files)
        self.differences = {k: tuple(v) for k, v in (differences or {}).items()}


class SigningUnavailableError(UsageError):
    """model-signing is not installed (the ``sign`` extra)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} needs the model-signing package: {EXTRA_HINT}")


__all__ = ["EXTRA_HINT", "REASONS", "Reason", "SignatureError", "SigningUnavailableError"]
