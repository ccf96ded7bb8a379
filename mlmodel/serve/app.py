"""The scoring server's routes: a Starlette application over :mod:`mlmodel.scoring`.

MLflow's protocol: ``/ping`` and ``/health`` (GET, HEAD; ``"\\n"``), ``/version``,
``/invocations``. Open Inference Protocol: ``/v2/health/live``, ``/v2/health/ready``,
``/v2/models/{name}`` (metadata), ``/v2/models/{name}/ready``, ``/v2/models/{name}/infer``.
``/metrics`` for Prometheus. Bodies over ``max_body_size`` answer 413 before they are read
in full; a prediction running longer than ``timeout`` seconds answers 504. Decoding and
prediction run in a thread pool, so the event loop keeps answering health checks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring.dataplane import Answer, Scorer, error_answer
from mlmodel.scoring.errors import ScoringError
from mlmodel.serve.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from mlmodel.serve.metrics import Metrics
from mlmodel.serve.middleware import ObservedApp

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

DEFAULT_MAX_BODY_SIZE: Final = 100 * 1024 * 1024
TIMEOUT_BODY: Final = b"Request processing time exceeded limit"


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
    """The ASGI application (Starlette routes wrapped in the metrics/access-log middleware)."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from mlmodel import __version__
    from mlmodel.scoring import jsonio, v2

    scorer = config.scorer
    executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=config.threads, thread_name_prefix="mlmodel-predict"
    )
    output_names = v2.output_names(_output_schema(scorer))

    def answer(result: Answer) -> Response:
        return Response(result.body, status_code=result.status, media_type=result.media_type)

    def json_response(value: Any, status: int = 200) -> Response:
        return Response(jsonio.dumps(value), status_code=status, media_type="application/json")

    async def in_pool(fn: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(executor, fn, *args), timeout=config.timeout
        )

    async def ping(request: Request) -> Response:
        return Response("\n", media_type="application/json")

    async def version(request: Request) -> Response:
        return Response(__version__, media_type="application/json")

    async def metrics(request: Request) -> Response:
        return Response(config.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def invocations(request: Request) -> Response:
        try:
            body = await read_body(request, config.max_body_size)
        except ScoringError as exc:
            return answer(error_answer(exc))
        try:
            result = await in_pool(scorer.invocations, body, request.headers.get("content-type"))
        except TimeoutError:
            return Response(TIMEOUT_BODY, status_code=504, media_type="application/json")
        return answer(result)

    # ------------------------------------------------------------------ V2

    def unknown_model(name: str) -> Response | None:
        if name != config.model_name:
            return json_response({"error": f"Model {name} not found"}, 404)
        return None

    async def v2_server(request: Request) -> Response:
        return json_response({"name": "mlmodel", "version": __version__, "extensions": ["metrics"]})

    async def v2_live(request: Request) -> Response:
        return json_response({"live": True})

    async def v2_ready(request: Request) -> Response:
        return json_response({"ready": True})

    async def v2_model(request: Request) -> Response:
        name = request.path_params["name"]
        return unknown_model(name) or json_response(
            v2.model_metadata(
                name,
                scorer.model.input_schema,
                _output_schema(scorer),
                version=config.model_version,
            )
        )

    async def v2_model_ready(request: Request) -> Response:
        name = request.path_params["name"]
        return unknown_model(name) or json_response({"name": name, "ready": True})

    def v2_predict(body: bytes) -> tuple[int, bytes]:
        try:
            decoded, request_id = v2.decode_request(body, scorer.inputs.schema)
            predictions = scorer.predict(decoded)
            response = v2.encode_response(
                predictions,
                model_name=config.model_name,
                request_id=request_id,
                output_names=output_names,
            )
            if config.model_version:
                response["model_version"] = config.model_version
            return 200, jsonio.dumps(response)
        except ScoringError as exc:
            return exc.status, jsonio.dumps({"error": exc.message})
        except Exception as exc:  # noqa: BLE001 - a body no check foresaw is the client's
            from mlmodel.scoring.errors import from_exception

            return 400, jsonio.dumps({"error": from_exception(exc).message})

    async def v2_infer(request: Request) -> Response:
        name = request.path_params["name"]
        missing = unknown_model(name)
        if missing is not None:
            return missing
        try:
            body = await read_body(request, config.max_body_size)
        except ScoringError as exc:
            return json_response({"error": exc.message}, exc.status)
        try:
            status, content = await in_pool(v2_predict, body)
        except TimeoutError:
            return json_response({"error": TIMEOUT_BODY.decode()}, 504)
        return Response(content, status_code=status, media_type="application/json")

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


def _output_schema(scorer: Scorer) -> Any:
    try:
        return scorer.model.output_schema
    except Exception:  # noqa: BLE001 - metadata only; the validator has checked the document
        return None
