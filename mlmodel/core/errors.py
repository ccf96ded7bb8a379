"""Every exception mlmodel raises at its users: one root, one class per outcome.

Problems *in* an MLmodel document are not raised by the checking half: they are reported as
:class:`mlmodel.core.diagnostics.Diagnostic` objects. Exceptions are for misuse of the API or of
the command line, for models that cannot be parsed, loaded or trusted, and for inputs a
model refuses. The tree::

    MLModelError (= MlmodelException, MLflow's MlflowException)  message, error_code
    ├── UsageError                 the call cannot be done as asked (CLI exit 2)
    │   ├── ModelNotFoundError     no such path, or a directory without an MLmodel file
    │   └── MissingDependencyError an extra (or a package, or Java) is not installed
    ├── ParseError                 the MLmodel cannot be read; ``diagnostics``
    │   └── InvalidModelError      the model does not validate; ``diagnostics``
    ├── EditError                  an edit of a round-trip document cannot be applied
    ├── UnsafeModelError           loading would run code nobody trusted; ``path``, ``globals``
    ├── ModelLoadError             a valid model that cannot be loaded as asked
    ├── InvalidParameterError      an argument or request parameter the model does not take
    ├── SchemaEnforcementError     input or params do not match the signature
    └── PredictionError            the model failed while predicting (a Spark job)

Elsewhere, still under this root: ``mlmodel.signing.SignatureError`` (an UnsafeModelError),
``SigningUnavailableError`` (a MissingDependencyError), ``MalformedSignatureError``;
``mlmodel.scoring.errors.ScoringError`` (an HTTP answer); ``mlmodel.core.fsio``'s refused writes
and reads (UsageErrors that are also ``OSError``); ``mlmodel.modeldir.sidefiles.SideFileError``;
``mlmodel.pickle_scan.ScanError``; ``mlmodel.models.SignatureInferenceError``.

Every error carries MLflow's ``error_code`` (the ``databricks.ErrorCode`` name MLflow puts in
its ``MlflowException``), so a scoring server maps each to the HTTP status MLflow's server
uses; ``error_class`` mirrors MLflow's finer class (``SCHEMA_ENFORCEMENT_FAILED``) where
MLflow sets one. ``MlmodelException`` is the root under the name ``mlmodel.pyfunc`` has
always exported: ``except MlmodelException`` catches everything mlmodel raises.

``UnsafeModelError`` has one spelling of the refused imports, ``globals``; the keyword
``globals_`` of the former runtime class is gone (no caller outside mlmodel used it).

:data:`EXTRAS` and :func:`needs_extra` turn a missing optional module into a
:class:`MissingDependencyError` that names the extra to install.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from mlmodel.core.diagnostics import Diagnostic

# -- MLflow's error codes (databricks.ErrorCode names) ---------------------------------------

INVALID_PARAMETER_VALUE: Final = "INVALID_PARAMETER_VALUE"
RESOURCE_DOES_NOT_EXIST: Final = "RESOURCE_DOES_NOT_EXIST"
PERMISSION_DENIED: Final = "PERMISSION_DENIED"
INVALID_STATE: Final = "INVALID_STATE"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
SCHEMA_ENFORCEMENT_FAILED: Final = "SCHEMA_ENFORCEMENT_FAILED"

#: at most this many diagnostics are listed in an exception's text
SHOWN_DIAGNOSTICS: Final = 20


def _rebuilt(cls: type[MLModelError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    exc = cls.__new__(cls, *args)
    exc.args = args
    for name, value in state.items():
        setattr(exc, name, value)  # setattr: OSError's errno, strerror, filename are slots
    return exc


class MLModelError(Exception):
    """Base class of every exception mlmodel raises (``MlmodelException`` is this class).

    ``message`` is the text; ``error_code`` MLflow's code for it (``INTERNAL_ERROR`` unless
    a subclass or the raiser says otherwise), ``error_class`` MLflow's finer class or None.
    """

    error_code: str = INTERNAL_ERROR
    error_class: str | None = None

    def __init__(
        self, message: str = "", *, error_code: str | None = None, error_class: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        if error_class is not None:
            self.error_class = error_class

    @classmethod
    def invalid_parameter_value(
        cls, message: str, *, error_class: str | None = None
    ) -> MLModelError:
        """MLflow's ``MlflowException.invalid_parameter_value``."""
        return InvalidParameterError(message, error_class=error_class)

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only constructor arguments (path=, package=...) survive pickling
        state = dict(self.__dict__)
        if isinstance(self, OSError):
            state.update(errno=self.errno, strerror=self.strerror, filename=self.filename)
        return (_rebuilt, (type(self), self.args, state))


#: MLflow's name for the root: ``mlmodel.pyfunc.MlmodelException`` is ``MLModelError``
MlmodelException = MLModelError


class UsageError(MLModelError):
    """The caller asked for something that cannot be done (exit code 2 in the CLI)."""

    error_code = INVALID_PARAMETER_VALUE


class ModelNotFoundError(UsageError):
    """The model named does not exist: no such path, or a directory with no MLmodel file."""

    error_code = RESOURCE_DOES_NOT_EXIST


class MissingDependencyError(UsageError):
    """Something to install: ``package`` is what is missing (a pip requirement, or
    ``Java 17``), ``extra`` the mlmodel extra that installs it (None when no extra does)."""

    error_code = INVALID_STATE

    def __init__(self, message: str, *, package: str, extra: str | None = None) -> None:
        super().__init__(message)
        self.package = package
        self.extra = extra

    @classmethod
    def for_extra(
        cls, extra: str, needed_by: str, module: str | None = None
    ) -> MissingDependencyError:
        """``NEEDED_BY needs the EXTRA extra: pip install "mlmodel[EXTRA]"``."""
        missing = f" (no module named {module!r})" if module else ""
        return cls(
            f'{needed_by} needs the {extra} extra: pip install "mlmodel[{extra}]"{missing}',
            package=f"mlmodel[{extra}]",
            extra=extra,
        )


def with_diagnostics(message: str, diagnostics: Sequence[Diagnostic]) -> str:
    """``message`` and, one per indented line, each diagnostic it does not show yet, as
    ``validate`` prints it (``file:line:col: severity CODE message (hint)``)."""
    lines = [message]
    for diagnostic in diagnostics[:SHOWN_DIAGNOSTICS]:
        text = str(diagnostic)
        if text not in message:
            lines.append(f"  {text}")
    if len(diagnostics) > SHOWN_DIAGNOSTICS and "more" not in message:
        lines.append(f"  ... and {len(diagnostics) - SHOWN_DIAGNOSTICS} more")
    return "\n".join(lines)


class ParseError(MLModelError):
    """A document could not be parsed; ``diagnostics`` says where and why (``str()`` shows
    each as ``file:line:col: severity CODE message (hint)``)."""

    error_code = INVALID_PARAMETER_VALUE

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)

    def __str__(self) -> str:
        return with_diagnostics(self.message, self.diagnostics)


class InvalidModelError(ParseError):
    """The model does not validate; ``diagnostics`` lists its errors."""


class EditError(MLModelError):
    """A requested edit of a round-trip document cannot be applied."""


class UnsafeModelError(MLModelError):
    """A model file was refused: loading it could run code (a pickle the scanner flags or
    cannot read, Python from the model directory, a signature that does not verify).
    ``path`` is the file (or model directory), ``globals`` what it would import that is
    not trusted (empty when that is not the reason)."""

    error_code = PERMISSION_DENIED

    def __init__(self, message: str, *, path: str, globals: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.globals = list(globals)


class ModelLoadError(MLModelError):
    """A model that validates but cannot be loaded as asked (no flavor mlmodel can load,
    external artifacts, an unknown serialization format, no predict method)."""

    error_code = INVALID_PARAMETER_VALUE


class InvalidParameterError(MLModelError):
    """An argument or a request parameter the model does not take (``params``, a result
    type, a data format)."""

    error_code = INVALID_PARAMETER_VALUE


class SchemaEnforcementError(MLModelError):
    """Input or params do not match the model signature (HTTP 400 in a scoring server)."""

    error_code = INVALID_PARAMETER_VALUE
    error_class = SCHEMA_ENFORCEMENT_FAILED


class PredictionError(MLModelError):
    """The model failed while predicting (a Spark job that failed, with its cause)."""

    error_code = INVALID_STATE


# -- the extras of pyproject.toml, for "pip install mlmodel[EXTRA]" -------------------------

#: each extra of pyproject.toml's ``[project.optional-dependencies]`` -> the top-level
#: modules its requirements install (``tests/core/test_error_language.py`` checks the two agree)
_SERVE_MODULES: Final = (
    "uvicorn",
    "starlette",
    "orjson",
    "pyarrow",
    "httptools",
    "uvloop",
    "numpy",
    "pandas",
    "swagger_ui_bundle",
)
EXTRAS: Final[dict[str, tuple[str, ...]]] = {
    "sklearn": ("sklearn", "skops", "cloudpickle", "numpy", "pandas"),
    "xgboost": ("xgboost", "numpy", "pandas"),
    "lightgbm": ("lightgbm", "sklearn", "skops", "cloudpickle", "numpy", "pandas"),
    "tracking": ("mlflow",),
    "serve": _SERVE_MODULES,
    "spark": ("pyspark", "pyarrow", "numpy", "pandas"),
    "sign": ("model_signing", "OpenSSL"),
    "grpc": ("grpc", "google", *_SERVE_MODULES),  # the grpc extra includes the serve extra
    "uv": ("uv",),  # --env-manager uv: the uv binary
}
#: a requirement whose top-level module is not its distribution's name
MODULE_OF_DISTRIBUTION: Final[dict[str, str]] = {
    "scikit-learn": "sklearn",
    "mlflow-skinny": "mlflow",
    "model-signing": "model_signing",
    "pyopenssl": "OpenSSL",
    "grpcio": "grpc",
    "protobuf": "google",
    "swagger-ui-bundle-v2": "swagger_ui_bundle",
}


def extra_for(module: str | None, preferred: Sequence[str] = ()) -> str | None:
    """The extra that installs ``module`` (a dotted name: its top-level package counts):
    the first of ``preferred`` that does, else the first in :data:`EXTRAS`; None if none."""
    top = (module or "").partition(".")[0]
    if not top:
        return None
    for extra in (*preferred, *EXTRAS):
        if top in EXTRAS.get(extra, ()):
            return extra
    return None


def missing_extra(
    exc: ImportError, needed_by: str, preferred: Sequence[str] = ()
) -> MissingDependencyError | None:
    """The :class:`MissingDependencyError` for ``exc`` when the module it could not import
    is one an extra installs; None otherwise (a bug, or a module no extra provides)."""
    if not isinstance(exc, ModuleNotFoundError):
        return None
    extra = extra_for(exc.name, preferred)
    if extra is None:
        return None
    return MissingDependencyError.for_extra(extra, needed_by, (exc.name or "").partition(".")[0])


@contextlib.contextmanager
def needs_extra(extra: str, needed_by: str) -> Iterator[None]:
    """Inside the block, a module an extra installs that cannot be imported raises
    :class:`MissingDependencyError` naming the extra (``extra`` when it provides the
    module): ``with needs_extra("serve", "mlmodel serve"): import uvicorn``."""
    try:
        yield
    except ModuleNotFoundError as exc:
        found = missing_extra(exc, needed_by, (extra,))
        if found is None:
            raise
        raise found from exc


def require_modules(extra: str, needed_by: str, modules: Sequence[str]) -> None:
    """Raise :class:`MissingDependencyError` for ``extra`` unless every one of ``modules``
    can be imported (found, not imported: a check before any expensive work)."""
    import importlib.util

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise MissingDependencyError.for_extra(extra, needed_by, module)
