"""Scoring errors as MLflow's scoring server reports them: JSON ``error_code``, ``message``,
``sqlstate``, ``error_class``, and the HTTP status MLflow derives from the error code.

Where MLflow answers 500 for a client's mistake (a missing ``Content-Type``, an exception
from the model on malformed input), mlmodel answers a 4xx whose message names the problem.
"""

from __future__ import annotations

from typing import Any, Final

from mlmodel.core.errors import MLModelError

#: MLflow's ``ERROR_CODE_TO_HTTP_STATUS`` (mlflow/exceptions.py); anything else is 500
ERROR_CODE_TO_HTTP_STATUS: Final[dict[str, int]] = {
    "INTERNAL_ERROR": 500,
    "INVALID_STATE": 500,
    "DATA_LOSS": 500,
    "NOT_IMPLEMENTED": 501,
    "TEMPORARILY_UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "CANCELLED": 499,
    "RESOURCE_EXHAUSTED": 429,
    "ABORTED": 409,
    "RESOURCE_CONFLICT": 409,
    "ALREADY_EXISTS": 409,
    "NOT_FOUND": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "PERMISSION_DENIED": 403,
    "CUSTOMER_UNAUTHORIZED": 401,
    "UNAUTHENTICATED": 401,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "INVALID_PARAMETER_VALUE": 400,
}

#: MLflow 3.12+ ``ErrorClass.from_client_error_code``
_ERROR_CLASS: Final[dict[str, str]] = {
    "BAD_REQUEST": "INVALID_PARAMETER_VALUE",
    "CUSTOMER_UNAUTHORIZED": "PERMISSION_DENIED",
    "ENDPOINT_NOT_FOUND": "RESOURCE_NOT_FOUND",
    "FEATURE_DISABLED": "FEATURE_DISABLED",
    "INTERNAL_ERROR": "CLIENT_INTERNAL_ERROR",
    "INVALID_PARAMETER_VALUE": "INVALID_PARAMETER_VALUE",
    "INVALID_STATE": "CLIENT_INTERNAL_ERROR",
    "NOT_FOUND": "RESOURCE_NOT_FOUND",
    "PERMISSION_DENIED": "PERMISSION_DENIED",
    "RESOURCE_ALREADY_EXISTS": "RESOURCE_ALREADY_EXISTS",
    "RESOURCE_DOES_NOT_EXIST": "RESOURCE_NOT_FOUND",
    "TEMPORARILY_UNAVAILABLE": "CLIENT_INTERNAL_ERROR",
}
#: ``SqlState.from_error_class`` (specific) then ``from_client_error_code`` (generic)
_CLASS_SQLSTATE: Final[dict[str, str]] = {
    "ATTRIBUTE_NOT_FOUND": "KAM04",
    "MODEL_SERIALIZATION_FAILED": "KAM03",
    "PREDICTION_FUNCTION_FAILED": "KAM02",
    "SCHEMA_ENFORCEMENT_FAILED": "KAM01",
}
_CODE_SQLSTATE: Final[dict[str, str]] = {
    code: (
        "XXM00"
        if code in ("INTERNAL_ERROR", "INVALID_STATE", "TEMPORARILY_UNAVAILABLE")
        else "KAM00"
    )
    for code in _ERROR_CLASS
}


def http_status(error_code: str) -> int:
    """The HTTP status MLflow's scoring server answers for ``error_code``."""
    return ERROR_CODE_TO_HTTP_STATUS.get(error_code, 500)


class ScoringError(MLModelError):
    """A request the scoring path refuses; ``status`` and ``body()`` are the HTTP answer.

    ``status`` defaults to MLflow's mapping of ``error_code``; ``media_type`` is
    ``application/json`` for MLflow's error object, ``text/plain`` for the 415 answers MLflow
    gives as bare text."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str = "BAD_REQUEST",
        error_class: str | None = None,
        status: int | None = None,
        media_type: str = "application/json",
    ) -> None:
        super().__init__(
            message, error_code=error_code, error_class=error_class or _ERROR_CLASS.get(error_code)
        )
        self.status = status if status is not None else http_status(error_code)
        self.media_type = media_type

    @property
    def sqlstate(self) -> str | None:
        if self.error_class in _CLASS_SQLSTATE:
            return _CLASS_SQLSTATE[self.error_class]
        return _CODE_SQLSTATE.get(self.error_code)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error_code": self.error_code, "message": self.message}
        if self.sqlstate is not None:
            out["sqlstate"] = self.sqlstate
        if self.error_class is not None:
            out["error_class"] = self.error_class
        return out

    def body(self) -> bytes:
        if self.media_type != "application/json":
            return self.message.encode("utf-8")
        from mlmodel.scoring.jsonio import dumps

        return dumps(self.as_dict())


def invalid_input(message: str) -> ScoringError:
    """MLflow's ``MlflowInvalidInputException``: 400 ``BAD_REQUEST``, ``Invalid input. ...``."""
    return ScoringError(f"Invalid input. {message}", error_code="BAD_REQUEST")


def unsupported_media_type(message: str) -> ScoringError:
    return ScoringError(message, error_code="BAD_REQUEST", status=415, media_type="text/plain")


def from_exception(exc: BaseException) -> ScoringError:
    """A ScoringError for any exception raised while decoding or predicting.

    Any other mlmodel error keeps its code and class (schema enforcement is 400
    ``INVALID_PARAMETER_VALUE``); a failure inside the model on the client's data is 400
    ``BAD_REQUEST`` as in MLflow, with the exception named (no stack trace is sent)."""
    if isinstance(exc, ScoringError):
        return exc
    if isinstance(exc, MLModelError):
        code = exc.error_code
        status = http_status(code)
        if status >= 500:
            # mlmodel's loaders raise INTERNAL_ERROR/INVALID_STATE for model problems found
            # while predicting; the request itself is what the model could not handle
            code, status = "BAD_REQUEST", 400
        return ScoringError(
            exc.message, error_code=code, error_class=exc.error_class, status=status
        )
    if isinstance(exc, RecursionError):
        return invalid_input("The input is nested too deeply.")
    if isinstance(exc, MemoryError):
        return ScoringError(
            "The input is too large to process.", error_code="RESOURCE_EXHAUSTED", status=413
        )
    detail = str(exc).strip()
    name = type(exc).__name__
    return ScoringError(
        "Encountered an unexpected error while evaluating the model. Verify that the "
        "serialized input Dataframe is compatible with the model for inference. "
        f"Error: {name}: {detail}"
        if detail
        else "Encountered an unexpected error while evaluating the model. Verify that the "
        f"serialized input Dataframe is compatible with the model for inference. Error: {name}",
        error_code="BAD_REQUEST",
    )
