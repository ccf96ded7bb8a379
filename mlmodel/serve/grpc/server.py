"""The gRPC server of ``mlmodel serve --grpc-port``: a grpc.aio server on the event loop of
the HTTP server, answering the V2 gRPC service for the served model.

Its limits are the HTTP server's: a message larger than ``max_body_size`` is refused by grpc
(RESOURCE_EXHAUSTED), a prediction longer than ``timeout`` answers DEADLINE_EXCEEDED and is
abandoned, as on HTTP (:mod:`mlmodel.serve.pool`: its own pool of ``threads`` threads, UNAVAILABLE
while ``max_abandoned`` abandoned predictions still run). With several worker processes each binds
the same port with ``SO_REUSEPORT`` and the kernel spreads connections over them; a single
process binds without it, so no other server can share the port unnoticed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mlmodel.scoring.dataplane import OpenInference
from mlmodel.serve.grpc.servicer import InferenceServicer, add_to_server
from mlmodel.serve.pool import PredictionPool

if TYPE_CHECKING:
    from mlmodel.serve.app import ServerConfig

logger = logging.getLogger("uvicorn.error")


def address(host: str, port: int) -> str:
    """``host:port`` as grpc binds it (an IPv6 literal in brackets)."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class GrpcServer:
    """The V2 gRPC service for the model of ``config``, on ``host:port``, started and
    stopped on the running event loop."""

    def __init__(self, config: ServerConfig, host: str, port: int, *, reuse_port: bool) -> None:
        self.config = config
        self.address = address(host, port)
        self.reuse_port = reuse_port
        self._server: Any = None
        self._pool: PredictionPool | None = None

    async def start(self) -> None:
        """Bind the port and start answering (RuntimeError when the port cannot be bound)."""
        import grpc

        config = self.config
        self._pool = PredictionPool(
            config.threads, max_abandoned=config.max_abandoned, name="mlmodel-grpc-predict"
        )
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", config.max_body_size),
                ("grpc.max_send_message_length", -1),
                ("grpc.so_reuseport", 1 if self.reuse_port else 0),
            ]
        )
        dataplane = OpenInference(config.scorer, config.model_name, config.model_version)
        add_to_server(InferenceServicer(dataplane, self._pool, config.timeout), server)
        try:
            bound = server.add_insecure_port(self.address)
        except RuntimeError as exc:
            raise RuntimeError(f"gRPC: cannot listen on {self.address}: {exc}") from None
        if not bound:
            raise RuntimeError(f"gRPC: cannot listen on {self.address}")
        await server.start()
        self._server = server
        logger.info("gRPC (Open Inference Protocol) listening on %s", self.address)

    async def stop(self, grace: float) -> None:
        """Refuse new calls, let the calls in flight finish for up to ``grace`` seconds,
        (abandoned predictions are not waited for)."""
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None
