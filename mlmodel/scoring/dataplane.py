"""The one predict path: a decoded request -> ``PyFuncModel.predict`` -> an answer.

Every endpoint (MLflow's ``/invocations``, V2 ``infer``) and ``mlmodel predict`` call
:class:`Scorer`; transports only move bytes. Errors are :class:`ScoringError` with the status
MLflow would answer, except that a client's mistake is always a 4xx.

Every answer of both protocols is made here, as an :class:`Answer` (status, body, media
type): MLflow's (``/ping``, ``/version``, ``/invocations``, its error object and its timeout
text) and the Open Inference Protocol's (:class:`OpenInference`: server and model metadata,
liveness and readiness, ``infer``, and its ``{"error": ...}`` bodies). A transport reads the
request body within its size limit, runs :meth:`Scorer.invocations` or
:meth:`OpenInference.infer` within its time limit, and sends the answer back; when it refuses
the body or runs out of time it sends the protocol's ``error`` or ``timeout`` answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring import content_type as ct
from mlmodel.scoring import jsonio, v2
from mlmodel.scoring.errors import ScoringError, from_exception
from mlmodel.scoring.payload import Decoded, ModelInputs, decode_json
from mlmodel.scoring.predictions import to_json
from mlmodel.scoring.tabular import read_csv, read_parquet

if TYPE_CHECKING:
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel
    from mlmodel.runtime.predict.signature_spec import InputSchema
    from mlmodel.scoring.limits import DecodeLimits

#: the body of a prediction that ran past the server's time limit (MLflow's words)
TIMEOUT_MESSAGE: Final = "Request processing time exceeded limit"


@dataclass(frozen=True)
class Answer:
    """An HTTP-free response: status, body bytes and media type."""

    status: int
    body: bytes
    media_type: str = "application/json"

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Answer:
        return cls(status, jsonio.dumps(value))


@dataclass(frozen=True)
class Prepared:
    """A decoded request waiting for its predictions: ``finish`` makes its answer from them,
    ``fail`` the protocol's error answer for an exception raised on its way (a refusal of
    the model, predictions that do not serialise). A batching transport predicts several
    at once and hands each its own share; :meth:`run` predicts it alone."""

    decoded: Decoded
    finish: Callable[[Any], Answer]
    fail: Callable[[Exception], Answer]

    def run(self, scorer: Scorer) -> Answer:
        """The answer with this request's input predicted alone."""
        try:
            return self.finish(scorer.predict(self.decoded))
        except Exception as exc:  # noqa: BLE001 - every failure is the protocol's error answer
            return self.fail(exc)


def _model_inputs(model: PyFuncModel) -> ModelInputs:
    names = frozenset(p.name for p in model.params_schema or ())
    return ModelInputs.of(model.input_schema, names, model.is_signature_from_type_hint)


class Scorer:
    """A loaded model and what decoding needs to know about it (computed once); ``limits``
    bound what a request body may decode to (a server's; None: no limit)."""

    def __init__(self, model: PyFuncModel, limits: DecodeLimits | None = None) -> None:
        self.model = model
        self.inputs = _model_inputs(model)
        self.limits = limits

    def decode(self, body: bytes, content_type: str | None) -> Decoded:
        """An ``/invocations`` body as pyfunc input (ScoringError: 400 or 415)."""
        mime = ct.mime_type(content_type)
        try:
            if mime == ct.JSON:
                return decode_json(body, self.inputs, self.limits)
            if mime == ct.CSV:
                return Decoded(read_csv(body, self.inputs.schema, self.limits))
            return Decoded(read_parquet(body, self.limits))
        except ScoringError:
            raise
        except Exception as exc:  # anything a malformed body trips over is the client's
            raise from_exception(exc) from exc

    def predict(self, decoded: Decoded) -> Any:
        """``model.predict`` on decoded input; every failure becomes a ScoringError."""
        try:
            return self.model.predict(decoded.data, params=decoded.params)
        except ScoringError:
            raise
        except Exception as exc:
            raise from_exception(exc) from exc

    def invocations(self, body: bytes, content_type: str | None) -> Answer:
        """MLflow's ``/invocations``: the answer for a request body."""
        prepared = self.prepare_invocations(body, content_type)
        return prepared if isinstance(prepared, Answer) else prepared.run(self)

    def prepare_invocations(self, body: bytes, content_type: str | None) -> Answer | Prepared:
        """An ``/invocations`` body decoded, waiting for its predictions (or its error
        answer when it does not decode)."""
        try:
            decoded = self.decode(body, content_type)
        except Exception as exc:  # noqa: BLE001 - decode raises ScoringError, anything else too
            return _invocations_failure(exc)

        def finish(predictions: Any) -> Answer:
            return Answer(200, to_json(predictions, wrap=decoded.wrap))

        return Prepared(decoded, finish, _invocations_failure)

    @property
    def output_schema(self) -> InputSchema | None:
        """The signature's outputs, or None when there are none or they do not parse."""
        try:
            return self.model.output_schema
        except Exception:  # noqa: BLE001 - metadata only; the validator has checked the document
            return None


# -- MLflow's scoring protocol ---------------------------------------------------------------


def _invocations_failure(exc: Exception) -> Answer:
    """MLflow's error answer for any exception (e.g. output that does not serialise)."""
    return error_answer(exc if isinstance(exc, ScoringError) else from_exception(exc))


def ping_answer() -> Answer:
    """``/ping`` and ``/health``: MLflow's newline."""
    return Answer(200, b"\n")


def version_answer() -> Answer:
    """``/version``: the server's version as bare text (MLflow answers its own)."""
    from mlmodel import __version__

    return Answer(200, __version__.encode())


def error_answer(exc: ScoringError) -> Answer:
    """MLflow's error object (or bare text for a 415) with its status."""
    return Answer(exc.status, exc.body(), exc.media_type)


def timeout_answer() -> Answer:
    """A prediction past the time limit: 504 with MLflow's bare text."""
    return Answer(504, TIMEOUT_MESSAGE.encode())


# -- the Open Inference Protocol (V2) ----------------------------------------------------------


class OpenInference:
    """The V2 answers for one served model, named ``name`` (and ``version``, when known).

    Paths name the model; a name that is not this model's is 404 ``{"error": "Model NAME
    not found"}``. Errors are ``{"error": message}`` with the status of the
    :class:`ScoringError` (400 for a malformed request or input the model refuses)."""

    def __init__(self, scorer: Scorer, name: str, version: str | None = None) -> None:
        self.scorer = scorer
        self.name = name
        self.version = version
        self._output_names = v2.output_names(scorer.output_schema)

    @staticmethod
    def server_metadata() -> dict[str, Any]:
        """The server's name, version and extensions."""
        from mlmodel import __version__

        return {"name": "mlmodel", "version": __version__, "extensions": ["metrics"]}

    @staticmethod
    def server() -> Answer:
        """``GET /v2``: the server's name, version and extensions."""
        return Answer.json(OpenInference.server_metadata())

    @staticmethod
    def live() -> Answer:
        return Answer.json({"live": True})

    @staticmethod
    def ready() -> Answer:
        return Answer.json({"ready": True})

    def unknown(self, name: str, version: str | None = None) -> Answer | None:
        """404 when the path names another model than this one, or a version it does not
        have (a model with no known version has none), else None."""
        if name != self.name:
            return Answer.json({"error": f"Model {name} not found"}, 404)
        if version is not None and version != self.version:
            return Answer.json({"error": f"Model {name} with version {version} not found"}, 404)
        return None

    def model_metadata(self) -> dict[str, Any]:
        """The model's name, versions, platform, inputs and outputs (from its signature)."""
        return v2.model_metadata(
            self.name,
            self.scorer.model.input_schema,
            self.scorer.output_schema,
            version=self.version,
        )

    def metadata(self, name: str, version: str | None = None) -> Answer:
        """``GET /v2/models/{name}[/versions/{version}]``: the model's inputs and outputs
        from its signature."""
        return self.unknown(name, version) or Answer.json(self.model_metadata())

    def model_ready(self, name: str, version: str | None = None) -> Answer:
        """``GET /v2/models/{name}[/versions/{version}]/ready``."""
        return self.unknown(name, version) or Answer.json({"name": name, "ready": True})

    def infer(self, body: bytes) -> Answer:
        """``POST /v2/models/{name}/infer`` (the name checked with :meth:`unknown` first)."""
        prepared = self.prepare(body)
        return prepared if isinstance(prepared, Answer) else prepared.run(self.scorer)

    def prepare(self, body: bytes) -> Answer | Prepared:
        """An ``infer`` body decoded (within the scorer's limits), waiting for its predictions
        (or its error answer)."""
        try:
            decoded, request_id = v2.decode_request(
                body, self.scorer.inputs.schema, self.scorer.limits
            )
        except Exception as exc:  # noqa: BLE001 - a body no check foresaw is the client's
            return self.failure(exc)

        def finish(predictions: Any) -> Answer:
            return Answer.json(self.encode(predictions, request_id))

        return Prepared(decoded, finish, self.failure)

    def failure(self, exc: Exception) -> Answer:
        """The ``{"error": ...}`` answer for an exception raised while answering ``infer``."""
        if isinstance(exc, ScoringError):
            return self.error(exc)
        return Answer.json({"error": from_exception(exc).message}, 400)

    def respond(self, decoded: Decoded, request_id: str | None) -> dict[str, Any]:
        """The inference response (V2 outputs, before any transport's encoding) for a decoded
        request: what gRPC's ``ModelInfer`` sends (ScoringError when the model refuses the
        input)."""
        return self.encode(self.scorer.predict(decoded), request_id)

    def encode(self, predictions: Any, request_id: str | None) -> dict[str, Any]:
        """The V2 response for the model's ``predictions``."""
        response = v2.encode_response(
            predictions,
            model_name=self.name,
            request_id=request_id,
            output_names=self._output_names,
        )
        if self.version:
            response["model_version"] = self.version
        return response

    @staticmethod
    def error(exc: ScoringError) -> Answer:
        """A refused request (a body over the limit, a malformed request): ``{"error": ...}``."""
        return Answer.json({"error": exc.message}, exc.status)

    @staticmethod
    def timeout() -> Answer:
        return Answer.json({"error": TIMEOUT_MESSAGE}, 504)

    @staticmethod
    def no_route(path: str) -> Answer:
        """404 for a ``/v2/...`` path no route matches (a model name holding an encoded
        ``/``, a misspelt route), in the protocol's ``{"error": ...}`` body."""
        return Answer.json({"error": f"No route for {path}"}, 404)
