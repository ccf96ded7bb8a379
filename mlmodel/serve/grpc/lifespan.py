"""An ASGI wrapper that runs a :class:`~mlmodel.serve.grpc.server.GrpcServer` for the life of
the application: started at the ASGI lifespan's start-up (before uvicorn binds its own port),
stopped at its shutdown (after uvicorn finished the HTTP requests in flight).

A gRPC server that cannot start fails the start-up (``lifespan.startup.failed`` with the
reason), so uvicorn stops instead of serving HTTP alone. Every other scope passes through
untouched. Being a lifespan, it works the same in each uvicorn worker process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlmodel.serve.grpc.server import GrpcServer
    from mlmodel.serve.middleware import ASGIApp, Message, Receive, Scope, Send


class WithGrpc:
    """``app`` with ``server`` started and stopped by its lifespan; ``grace`` is how long
    calls in flight may take to finish at shutdown."""

    def __init__(self, app: ASGIApp, server: GrpcServer, *, grace: float) -> None:
        self.app = app
        self.server = server
        self.grace = grace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        failure: str | None = None

        async def receive_wrapper() -> Message:
            nonlocal failure
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.server.start()
                except Exception as exc:  # noqa: BLE001 - reported to uvicorn, which stops
                    failure = str(exc) or type(exc).__name__
            elif message["type"] == "lifespan.shutdown":
                await self.server.stop(self.grace)
            return message

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete" and failure is not None:
                message = {"type": "lifespan.startup.failed", "message": failure}
            await send(message)

        await self.app(scope, receive_wrapper, send_wrapper)
