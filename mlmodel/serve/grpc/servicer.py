"""The ``inference.GRPCInferenceService`` servicer (grpc.aio) over the V2 data plane.

Every RPC answers what the HTTP route of the Open Inference Protocol answers, from the same
:class:`~mlmodel.scoring.dataplane.OpenInference`: liveness and readiness, server and model
metadata, and ``ModelInfer``, whose decoding, prediction and encoding run in a thread pool
within the server's time limit (the event loop keeps answering). A refused request ends the
call with the gRPC status of its HTTP status (:func:`status_code`) and the same message: a
malformed request is INVALID_ARGUMENT, another model's name or version NOT_FOUND, a
message over the size limit RESOURCE_EXHAUSTED (grpc's own check), a prediction past the time
limit DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, NoReturn

import grpc

from mlmodel.scoring.dataplane import TIMEOUT_MESSAGE
from mlmodel.scoring.errors import ScoringError, from_exception
from mlmodel.serve.grpc import codec
from mlmodel.serve.grpc import inference_pb2 as pb
from mlmodel.serve.grpc.inference_pb2_grpc import GRPCInferenceServiceServicer
from mlmodel.serve.pool import PoolExhausted, PredictionPool

if TYPE_CHECKING:
    from mlmodel.scoring.dataplane import OpenInference

#: HTTP status of a refused request -> the gRPC status code that means the same
_STATUS_CODES: Final = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ABORTED,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    415: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    499: grpc.StatusCode.CANCELLED,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


def status_code(http_status: int) -> grpc.StatusCode:
    """The gRPC status code for an HTTP status (another 4xx: INVALID_ARGUMENT; 5xx: INTERNAL)."""
    if http_status in _STATUS_CODES:
        return _STATUS_CODES[http_status]
    return grpc.StatusCode.INVALID_ARGUMENT if http_status < 500 else grpc.StatusCode.INTERNAL


class InferenceServicer(GRPCInferenceServiceServicer):
    """The V2 gRPC service for the model of ``dataplane``; ``ModelInfer`` runs in
    ``pool`` for at most ``timeout`` seconds (or the client's deadline, when sooner).
    The methods bear the service's RPC names."""

    def __init__(self, dataplane: OpenInference, pool: PredictionPool, timeout: float) -> None:
        self.dataplane = dataplane
        self.pool = pool
        self.timeout = timeout

    async def ServerLive(
        self, request: pb.ServerLiveRequest, context: grpc.aio.ServicerContext
    ) -> pb.ServerLiveResponse:
        return pb.ServerLiveResponse(live=True)

    async def ServerReady(
        self, request: pb.ServerReadyRequest, context: grpc.aio.ServicerContext
    ) -> pb.ServerReadyResponse:
        return pb.ServerReadyResponse(ready=True)

    async def ServerMetadata(
        self, request: pb.ServerMetadataRequest, context: grpc.aio.ServicerContext
    ) -> pb.ServerMetadataResponse:
        return codec.server_metadata_response(self.dataplane.server_metadata())

    async def ModelReady(
        self, request: pb.ModelReadyRequest, context: grpc.aio.ServicerContext
    ) -> pb.ModelReadyResponse:
        await self._check_model(request.name, request.version, context)
        return pb.ModelReadyResponse(ready=True)

    async def ModelMetadata(
        self, request: pb.ModelMetadataRequest, context: grpc.aio.ServicerContext
    ) -> pb.ModelMetadataResponse:
        await self._check_model(request.name, request.version, context)
        return codec.model_metadata_response(self.dataplane.model_metadata())

    async def ModelInfer(
        self, request: pb.ModelInferRequest, context: grpc.aio.ServicerContext
    ) -> pb.ModelInferResponse:
        await self._check_model(request.model_name, request.model_version, context)
        timeout = self.timeout
        remaining = context.time_remaining()
        if remaining is not None:
            timeout = min(timeout, max(remaining, 0.0))
        try:
            response: pb.ModelInferResponse = await self.pool.run(self.infer, request, timeout)
        except TimeoutError:  # the prediction is abandoned: the pool replaces its thread
            await _abort(context, grpc.StatusCode.DEADLINE_EXCEEDED, TIMEOUT_MESSAGE)
        except PoolExhausted as exc:
            await _abort(context, grpc.StatusCode.UNAVAILABLE, str(exc))
        except ScoringError as exc:
            await _abort(context, status_code(exc.status), exc.message)
        return response

    def infer(self, request: pb.ModelInferRequest) -> pb.ModelInferResponse:
        """Decode, predict and encode (in a pool thread); ScoringError for a refused request,
        as in HTTP's ``infer``: anything no check foresaw is the client's (400)."""
        dataplane = self.dataplane
        try:
            decoded, request_id, raw = codec.decode_infer_request(
                request, dataplane.scorer.inputs.schema, dataplane.scorer.limits
            )
            return codec.encode_infer_response(dataplane.respond(decoded, request_id), raw=raw)
        except ScoringError:
            raise
        except Exception as exc:
            raise ScoringError(from_exception(exc).message, status=400) from exc

    async def _check_model(
        self, name: str, version: str, context: grpc.aio.ServicerContext
    ) -> None:
        """NOT_FOUND unless ``name`` (and ``version``, when given) are the served model's:
        the HTTP routes' check (:meth:`OpenInference.unknown`) and its message."""
        missing = self.dataplane.unknown(name, version or None)
        if missing is not None:
            await _abort(context, grpc.StatusCode.NOT_FOUND, json.loads(missing.body)["error"])


async def _abort(
    context: grpc.aio.ServicerContext, code: grpc.StatusCode, message: str
) -> NoReturn:
    """End the call with ``code`` and ``message`` (``abort`` raises)."""
    await context.abort(code, message)
    raise AssertionError("unreachable: abort raises")  # pragma: no cover


def add_to_server(servicer: InferenceServicer, server: Any) -> None:
    """Register ``servicer`` on a grpc.aio server."""
    from mlmodel.serve.grpc.inference_pb2_grpc import add_GRPCInferenceServiceServicer_to_server

    add_GRPCInferenceServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
