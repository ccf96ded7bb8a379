"""The scoring server's routes: a Starlette application over :mod:`mlmodel.scoring`.

MLflow's protocol: ``/ping`` and ``/health`` (GET, HEAD; ``"\\n"``), ``/version``,
``/invocations``. Open Inference Protocol: ``/v2/health/live``, ``/v2/health/ready``,
``/v2/models/{name}`` (metadata), ``/v2/models/{name}/ready``, ``/v2/models/{name}/infer``.
``/metrics`` for Prometheus. Bodies over ``max_body_size`` answer 413 before they are read
in full; a prediction running longer than ``timeout`` seconds answers 504. Decoding and
prediction run in a thread pool, so the event loop keeps answering health checks; with
``max_batch_size`` > 1 concurrent requests are predicted together
(:mod:`mlmodel.serve.batching`).

The routes only move bytes, status and media type: every answer of both protocols, error
bodies included, is made by :mod:`mlmodel.scoring.dataplane`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
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

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

DEFAULT_MAX_BODY_SIZE: Final = 100 * 1024 * 1024


class BodyTooLarge(ScoringError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The request body is larger than the server's limit of {limit} bytes "
            "(mlmodel serve --max-body-size).",
            error_code="REQUEST_LIMIT_EXCEEDED",
            status=413,
        )


@dataclass
class ServerConfig:
    """What the routes need: the model, its name, the limits and the metrics registry."""

    scorer: Scorer
    model_name: str = "model"
    model_version: str | None = None
    timeout: float = 60.0
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    threads: int = 4
    metrics: Metrics = field(default_factory=Metrics)
    access_log: bool = True
    #: requests merged into one predict (1: no batching; see :mod:`mlmodel.serve.batching`)
    max_batch_size: int = 1
    max_batch_time: float = DEFAULT_MAX_BATCH_TIME


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


def build_app(config: ServerConfig) -> Any:
    """The ASGI application (Starlette routes wrapped in the metrics/access-log middleware).

    The routes only move bytes: every answer, of both protocols, is made by
    :mod:`mlmodel.scoring.dataplane`."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    scorer = config.scorer
    v2 = OpenInference(scorer, config.model_name, config.model_version)
    batcher = None
    if config.max_batch_size > 1:  # each request of a filling batch holds a pool thread
        batcher = Batcher(scorer, config.max_batch_size, config.max_batch_time, config.metrics)
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=config.threads + (config.max_batch_size if batcher else 0),
        thread_name_prefix="mlmodel-predict",
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
        limit; ``refused`` or ``timed_out`` answers when either limit is passed."""
        try:
            body = await read_body(request, config.max_body_size)
        except ScoringError as exc:
            return send(refused(exc))
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(
                loop.run_in_executor(executor, handle, body), timeout=config.timeout
            )
        except TimeoutError:
            return send(timed_out())
        return send(result)

    async def ping(request: Request) -> Response:
        return send(ping_answer())

    async def version(request: Request) -> Response:
        return send(version_answer())

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
        return send(v2.metadata(request.path_params["name"]))

    async def v2_model_ready(request: Request) -> Response:
        return send(v2.model_ready(request.path_params["name"]))

    async def v2_infer(request: Request) -> Response:
        missing = v2.unknown(request.path_params["name"])
        if missing is not None:
            return send(missing)  # before the body is read
        return await exchange(request, infer, v2.error, v2.timeout)

    routes = [
        Route("/ping", ping, methods=["GET", "HEAD"]),
        Route("/health", ping, methods=["GET", "HEAD"]),
        Route("/version", version, methods=["GET"]),
        Route("/invocations", invocations, methods=["POST"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/v2", v2_server, methods=["GET"]),
        Route("/v2/health/live", v2_live, methods=["GET", "HEAD"]),
        Route("/v2/health/ready", v2_ready, methods=["GET", "HEAD"]),
        Route("/v2/models/{name}", v2_model, methods=["GET"]),
        Route("/v2/models/{name}/ready", v2_model_ready, methods=["GET", "HEAD"]),
        Route("/v2/models/{name}/infer", v2_infer, methods=["POST"]),
        Route("/v2/models/{name}/versions/{version}", v2_model, methods=["GET"]),
        Route("/v2/models/{name}/versions/{version}/ready", v2_model_ready, methods=["GET"]),
        Route("/v2/models/{name}/versions/{version}/infer", v2_infer, methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        executor.shutdown(wait=True, cancel_futures=False)  # in-flight predictions finish

    app = Starlette(routes=routes, lifespan=lifespan)
    return ObservedApp(app, config.metrics, access_log=config.access_log)
