"""ASGI middleware of the scoring server: metrics and a structured access log per request.

Pure ASGI (no per-request task or body copy): the status is taken from the response start
message, the latency from a monotonic clock. The access log is one JSON object per line on
the ``mlmodel.serve.access`` logger.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from mlmodel.serve.metrics import Metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_logger = logging.getLogger("mlmodel.serve.access")

_STATIC_ROUTES: Final = frozenset(
    [
        "/ping",
        "/health",
        "/version",
        "/invocations",
        "/metrics",
        "/v2",
        "/v2/health/live",
        "/v2/health/ready",
        "/openapi.json",
        "/docs",
        "/docs/",
    ]
)
#: the label of every ``/docs/static/...`` file (a bounded label whatever is asked for)
_DOCS_STATIC: Final = "/docs/static/"


def route_label(path: str) -> str:
    """The route template of ``path`` (bounded label values for metrics)."""
    if path in _STATIC_ROUTES:
        return path
    if path.startswith(_DOCS_STATIC):
        return _DOCS_STATIC + "{name}"
    if path.startswith("/v2/models/"):
        rest = path[len("/v2/models/") :].split("/")
        suffix = "/".join(rest[1:])
        if suffix in ("", "ready", "infer"):
            return "/v2/models/{name}" + (f"/{suffix}" if suffix else "")
        if len(rest) >= 3 and rest[1] == "versions":
            return "/v2/models/{name}/versions/{version}" + (
                f"/{rest[3]}" if len(rest) > 3 and rest[3] in ("ready", "infer") else ""
            )
    return "other"


class ObservedApp:
    """Wraps an ASGI app: counts, times and logs every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        sent = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        metrics = self.metrics
        metrics.in_flight += 1
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            metrics.in_flight -= 1
            elapsed = time.perf_counter() - start
            path = scope.get("path", "")
            method = scope.get("method", "")
            metrics.observe(route_label(path), method, status, elapsed)
            if self.access_log and access_logger.isEnabledFor(logging.INFO):
                client = scope.get("client")
                access_logger.info(
                    json.dumps(
                        {
                            "ts": round(time.time(), 6),
                            "client": f"{client[0]}:{client[1]}" if client else None,
                            "method": method,
                            "path": path,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 3),
                            "bytes_out": sent,
                        }
                    )
                )
