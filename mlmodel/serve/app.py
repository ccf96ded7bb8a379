"""The scoring server's routes: a Starlette application over :mod:`mlmodel.scoring`.

MLflow's protocol: ``/ping`` and ``/health`` (GET, HEAD; ``"\\n"``), ``/version``,
``/invocations``. Open Inference Protocol: ``/v2/health/live``, ``/v2/health/ready``,
``/v2/models/{name}`` (metadata), ``/v2/models/{name}/ready``, ``/v2/models/{name}/infer``.
``/metrics`` for Prometheus; ``/openapi.json``, the OpenAPI 3.1 document of the model
(:mod:`mlmodel.serve.openapi`, built once at start-up); ``/docs``, Swagger UI on
``/openapi.json`` (:mod:`mlmodel.serve.docs_page`; off with ``docs=False``). Bodies over
``max_body_size`` answer 413 before they are read in full; a prediction running longer than
``timeout`` seconds answers 504 and is abandoned (:mod:`mlmodel.serve.pool`: its thread is
replaced, so later requests are not held up; while too many abandoned predictions still run,
predictions answer 503). A client that hangs up before its body is read is counted with status
499 (client closed request), as nginx does. Decoding and prediction run in the pool's threads,
so the event loop keeps answering health checks; with ``max_batch_size`` > 1 concurrent
requests are predicted together (:mod:`mlmodel.serve.batching`).

The routes only move bytes, status and media type: every answer of both protocols, error
bodies included, is made by :mod:`mlmodel.scoring.dataplane`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring.dataplane import (
    Answer,
    OpenInference,
    Scorer,
    error_answer,
    ping_answer,
    timeout_answer,
    version_answer,
)
from mlmodel.scoring.errors import ScoringError
from mlmodel.serve.batching import DEFAULT_MAX_BATCH_TIME, Batcher
from mlmodel.serve.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from mlmodel.serve.metrics import Metrics
from mlmodel.serve.middleware import ObservedApp
from mlmodel.serve.openapi import ModelFacts, document_bytes, openapi_document
from mlmodel.serve.openapi.paths import OPENAPI_PATH
from mlmodel.serve.pool import DEFAULT_MAX_ABANDONED, PoolExhausted, PredictionPool

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

DEFAULT_MAX_BODY_SIZE: Final = 100 * 1024 * 1024
#: prediction threads per server process (``mlmodel serve --threads``)
DEFAULT_THREADS: Final = 1
#: the status counted (metrics, access log) for a client that hung up before its answer
#: (nginx's "client closed request"; MLflow's CANCELLED)
CLIENT_CLOSED_REQUEST: Final = 499


class BodyTooLarge(ScoringError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The request body is larger than the server's limit of {limit} bytes "
            "(mlmodel serve --max-body-size).",
            error_code="REQUEST_LIMIT_EXCEEDED",
            status=413,
        )


class Overloaded(ScoringError):
    """503: the prediction pool takes no work now (too many abandoned predictions still
    run, or the server is shutting down)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The server cannot take predictions now ({reason}); retry later.",
            error_code="TEMPORARILY_UNAVAILABLE",
            status=503,
        )


@dataclass
class ServerConfig:
    """What the routes need: the model, its name, the limits and the metrics registry."""

    scorer: Scorer
    model_name: str = "model"
    model_version: str | None = None
    timeout: float = 60.0
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    #: prediction threads of the process (one: a CPU-bound model's tail latency is lowest
    #: when its process does not split the GIL between predictions; workers use the cores)
    threads: int = DEFAULT_THREADS
    #: timed-out predictions still running past which predictions answer 503
    max_abandoned: int = DEFAULT_MAX_ABANDONED
    metrics: Metrics = field(default_factory=Metrics)
    access_log: bool = True
    #: requests merged into one predict (1: no batching; see :mod:`mlmodel.serve.batching`)
    max_batch_size: int = 1
    max_batch_time: float = DEFAULT_MAX_BATCH_TIME
    #: serve Swagger UI at ``/docs`` (:mod:`mlmodel.serve.docs_page`)
    docs: bool = True


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or BodyTooLarge as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def openapi_bytes(config: ServerConfig) -> bytes:
    """The OpenAPI document of the served model, as ``GET /openapi.json`` sends it: what
    ``mlmodel openapi`` prints for the same model and name."""
    model = config.scorer.model
    facts = ModelFacts.of(model.model_dir, model.document, config.model_name, config.model_version)
    return document_bytes(openapi_document(facts))


def build_app(config: ServerConfig) -> Any:
    """The ASGI application (Starlette routes wrapped in the metrics/access-log middleware).

    The routes only move bytes: every answer, of both protocols, is made by
    :mod:`mlmodel.scoring.dataplane`."""
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response
    from starlette.routing import Route

    scorer = config.scorer
    v2 = OpenInference(scorer, config.model_name, config.model_version)
    batcher = None
    if config.max_batch_size > 1:  # each request of a filling batch holds a pool thread
        batcher = Batcher(scorer, config.max_batch_size, config.max_batch_time, config.metrics)
    pool = PredictionPool(
        config.threads + (config.max_batch_size if batcher else 0),
        max_abandoned=config.max_abandoned,
    )

    def send(result: Answer) -> Response:
        return Response(result.body, status_code=result.status, media_type=result.media_type)

    async def exchange(
        request: Request,
        handle: Callable[[bytes], Answer],
        refused: Callable[[ScoringError], Answer],
        timed_out: Callable[[], Answer],
    ) -> Response:
        """The body read within the size limit, ``handle(body)`` in the pool within the time
        limit; ``refused`` or ``timed_out`` answers when either limit is passed, ``refused``
        a 503 while the pool is exhausted; a client gone mid-body is counted as 499."""
        try:
            body = await read_body(request, config.max_body_size)
        except ScoringError as exc:
            return send(refused(exc))
        except ClientDisconnect:  # nobody to answer: the status is for metrics and the log
            return Response(status_code=CLIENT_CLOSED_REQUEST)
        try:
            result = await pool.run(handle, body, config.timeout)
        except TimeoutError:
            return send(timed_out())
        except PoolExhausted as exc:
            return send(refused(Overloaded(str(exc))))
        return send(result)

    async def ping(request: Request) -> Response:
        return send(ping_answer())

    async def version(request: Request) -> Response:
        return send(version_answer())

    document = openapi_bytes(config)

    async def openapi(request: Request) -> Response:
        return Response(document, media_type="application/json")

    async def metrics(request: Request) -> Response:
        return Response(config.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def invocations(request: Request) -> Response:
        content_type = request.headers.get("content-type")

        def handle(body: bytes) -> Answer:
            if batcher is None:
                return scorer.invocations(body, content_type)
            return batcher.answer(scorer.prepare_invocations(body, content_type))

        return await exchange(request, handle, error_answer, timeout_answer)

    def infer(body: bytes) -> Answer:
        return v2.infer(body) if batcher is None else batcher.answer(v2.prepare(body))

    async def v2_server(request: Request) -> Response:
        return send(v2.server())

    async def v2_live(request: Request) -> Response:
        return send(v2.live())

    async def v2_ready(request: Request) -> Response:
        return send(v2.ready())

    async def v2_model(request: Request) -> Response:
        params = request.path_params
        return send(v2.metadata(params["name"], params.get("version")))

    async def v2_model_ready(request: Request) -> Response:
        params = request.path_params
        return send(v2.model_ready(params["name"], params.get("version")))

    async def v2_infer(request: Request) -> Response:
        missing = v2.unknown(request.path_params["name"], request.path_params.get("version"))
        if missing is not None:
            return send(missing)  # before the body is read
        return await exchange(request, infer, v2.error, v2.timeout)

    routes = [
        Route("/ping", ping, methods=["GET", "HEAD"]),
        Route("/health", ping, methods=["GET", "HEAD"]),
        Route("/version", version, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route(OPENAPI_PATH, openapi, methods=["GET"]),
        Route("/v2", v2_server, methods=["GET"]),
        Route("/v2/health/live", v2_live, methods=["GET", "HEAD"]),
        Route("/v2/health/ready", v2_ready, methods=["GET", "HEAD"]),
        Route("/v2/models/{name}", v2_model, methods=["GET"]),
        Route("/v2/models/{name}/ready", v2_model_ready, methods=["GET", "HEAD"]),
        Route("/v2/models/{name}/infer", v2_infer, methods=["POST"]),
        Route("/v2/models/{name}/versions/{version}", v2_model, methods=["GET"]),
        Route(
            "/v2/models/{name}/versions/{version}/ready", v2_model_ready, methods=["GET", "HEAD"]
        ),
        Route("/v2/models/{name}/versions/{version}/infer", v2_infer, methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        # the server waited for in-flight requests (each bounded by the timeout); abandoned
        # predictions are not waited for
        pool.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        """Paths no route matches: the V2 protocol's JSON error under ``/v2/``, Starlette's
        plain text elsewhere."""
        path = request.url.path
        if path == "/v2" or path.startswith("/v2/"):
            return send(v2.no_route(path))
        return Response("Not Found", status_code=404, media_type="text/plain")

    if config.docs:
        from mlmodel.serve.docs_page import docs_routes

        routes += docs_routes(config.model_name)
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found})
    return ObservedApp(app, config.metrics, access_log=config.access_log)
