"""The one predict path: a decoded request -> ``PyFuncModel.predict`` -> an answer.

Every endpoint (MLflow's ``/invocations``, V2 ``infer``) and ``mlmodel predict`` call
:class:`Scorer`; transports only move bytes. Errors are :class:`ScoringError` with the status
MLflow would answer, except that a client's mistake is always a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlmodel.scoring import content_type as ct
from mlmodel.scoring.errors import ScoringError, from_exception
from mlmodel.scoring.payload import Decoded, ModelInputs, decode_json
from mlmodel.scoring.predictions import to_json
from mlmodel.scoring.tabular import read_csv, read_parquet

if TYPE_CHECKING:
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel


@dataclass(frozen=True)
class Answer:
    """An HTTP-free response: status, body bytes and media type."""

    status: int
    body: bytes
    media_type: str = "application/json"


def _model_inputs(model: PyFuncModel) -> ModelInputs:
    names = frozenset(p.name for p in model.params_schema or ())
    return ModelInputs.of(model.input_schema, names, model.is_signature_from_type_hint)


class Scorer:
    """A loaded model and what decoding needs to know about it (computed once)."""

    def __init__(self, model: PyFuncModel) -> None:
        self.model = model
        self.inputs = _model_inputs(model)

    def decode(self, body: bytes, content_type: str | None) -> Decoded:
        """An ``/invocations`` body as pyfunc input (ScoringError: 400 or 415)."""
        mime = ct.mime_type(content_type)
        try:
            if mime == ct.JSON:
                return decode_json(body, self.inputs)
            if mime == ct.CSV:
                return Decoded(read_csv(body, self.inputs.schema))
            return Decoded(read_parquet(body))
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
        try:
            decoded = self.decode(body, content_type)
            predictions = self.predict(decoded)
            return Answer(200, to_json(predictions, wrap=decoded.wrap))
        except ScoringError as exc:
            return error_answer(exc)
        except Exception as exc:  # noqa: BLE001 - e.g. output that does not serialise
            return error_answer(from_exception(exc))


def error_answer(exc: ScoringError) -> Answer:
    return Answer(exc.status, exc.body(), exc.media_type)
