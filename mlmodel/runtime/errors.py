"""The typed errors the runtime raises, with MLflow's error codes.

``error_code`` is the ``databricks.ErrorCode`` name MLflow puts in its ``MlflowException``
(``INVALID_PARAMETER_VALUE``, ``RESOURCE_DOES_NOT_EXIST``, ...), so a scoring server maps
each error to the same HTTP status MLflow's server uses; ``error_class`` mirrors MLflow's
finer class (``SCHEMA_ENFORCEMENT_FAILED``) where MLflow sets one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from mlmodel.core import errors
from mlmodel.core.errors import MLModelError

if TYPE_CHECKING:
    from mlmodel.core.diagnostics import Diagnostic

INVALID_PARAMETER_VALUE: Final = "INVALID_PARAMETER_VALUE"
RESOURCE_DOES_NOT_EXIST: Final = "RESOURCE_DOES_NOT_EXIST"
PERMISSION_DENIED: Final = "PERMISSION_DENIED"
INVALID_STATE: Final = "INVALID_STATE"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
SCHEMA_ENFORCEMENT_FAILED: Final = "SCHEMA_ENFORCEMENT_FAILED"


class MlmodelException(MLModelError):
    """An error loading or calling a model; ``error_code`` as MLflow's ``MlflowException``."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str = INTERNAL_ERROR,
        error_class: str | None = None,
    ) -> None:
        Exception.__init__(self, message)  # not super(): subclasses mix in other error bases
        self.message = message
        self.error_code = error_code
        self.error_class = error_class

    @classmethod
    def invalid_parameter_value(
        cls, message: str, *, error_class: str | None = None
    ) -> MlmodelException:
        return cls(message, error_code=INVALID_PARAMETER_VALUE, error_class=error_class)


class SchemaEnforcementError(MlmodelException):
    """Input or params do not match the model signature (HTTP 400 in a scoring server)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message, error_code=INVALID_PARAMETER_VALUE, error_class=SCHEMA_ENFORCEMENT_FAILED
        )


class InvalidModelError(MlmodelException, errors.ParseError):
    """The model directory does not validate; ``diagnostics`` lists the errors (each shown
    in the message as ``validate`` prints it). The one class every loader and ``Model.load``
    raise for an invalid model; also a :class:`mlmodel.core.errors.ParseError`, which
    ``Model.load`` raised before."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        MlmodelException.__init__(self, message, error_code=INVALID_PARAMETER_VALUE)
        self.diagnostics = list(diagnostics)


class ModelNotFoundError(MlmodelException, errors.UsageError):
    """The path or URI names no model: it does not exist, is a directory without an
    ``MLmodel`` file, or a URI that is malformed or unknown (``error_code``
    ``RESOURCE_DOES_NOT_EXIST``, as MLflow's; a usage error: exit 2 in the CLI)."""

    def __init__(self, message: str) -> None:
        MlmodelException.__init__(self, message, error_code=RESOURCE_DOES_NOT_EXIST)


class UnsafeModelError(MlmodelException, errors.UnsafeModelError):
    """A model file would be deserialised in a way the safety policy refuses.

    Also a :class:`mlmodel.core.errors.UnsafeModelError`: ``path`` is the refused file,
    ``globals`` the offending ``module.name`` imports (empty when pickle loading is switched
    off)."""

    def __init__(self, message: str, *, path: str, globals_: Sequence[str] = ()) -> None:
        MlmodelException.__init__(self, message, error_code=PERMISSION_DENIED)
        self.path = path
        self.globals = list(globals_)


class MissingDependencyError(MlmodelException):
    """The model needs a package that is not installed; the message names it."""

    def __init__(self, message: str, *, package: str) -> None:
        super().__init__(message, error_code=INVALID_STATE)
        self.package = package
