"""The HTTP transport of ``mlmodel serve``: uvicorn's server and HTTP protocol with the limits
and the shutdown a server facing untrusted clients needs.

- :class:`GuardedHttpProtocol` (uvicorn's httptools protocol) closes a connection that has not
  finished its request headers within ``header_timeout`` seconds of opening, or of the first
  byte of a request on a kept-alive connection (slowloris); idle kept-alive connections are
  closed by uvicorn's own keep-alive timeout.
- :class:`DrainingServer` (``uvicorn.Server``) answers, on SIGTERM/SIGINT, every request whose
  bytes arrived before it stopped listening: connections the kernel completed but the server
  had not yet accepted (the listening socket's backlog) are accepted and served, and data
  already received on open connections is read, before uvicorn's own graceful shutdown
  closes idle connections and waits for the requests in flight.
- :class:`TransportConfig` carries the header timeout and selects that protocol;
  :func:`run_workers` runs several worker processes, each with a :class:`DrainingServer`.

This module imports uvicorn and httptools: import it only when a server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any, Final

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import multiprocess

#: seconds a connection may take to send its request headers (then it is closed)
DEFAULT_HEADER_TIMEOUT: Final = 30.0
#: how long shutdown lets already-received bytes reach the parser before closing idle
#: connections (one pass of the event loop's poll is enough; this bounds it)
DRAIN_SETTLE_SECONDS: Final = 0.05

logger = logging.getLogger("uvicorn.error")


class TransportConfig(uvicorn.Config):
    """``uvicorn.Config`` with :class:`GuardedHttpProtocol` and its ``header_timeout``
    (picklable: worker processes receive it)."""

    def __init__(
        self, app: Any, *, header_timeout: float = DEFAULT_HEADER_TIMEOUT, **kwargs: Any
    ) -> None:
        super().__init__(app, http=GuardedHttpProtocol, **kwargs)
        self.header_timeout = header_timeout


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header timeout (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout: float = getattr(self.config, "header_timeout", DEFAULT_HEADER_TIMEOUT)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        super().on_headers_complete()

    def _start_header_timer(self) -> None:
        """Start the clock unless it already runs (a connection's first request keeps the
        clock started when it opened)."""
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(
                self.header_timeout, self._header_timeout_expired
            )

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout_expired(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            logger.debug(
                "%s: request headers not complete in %ss", self.client, self.header_timeout
            )
            self.transport.close()


class DrainingServer(uvicorn.Server):
    """``uvicorn.Server`` whose shutdown first serves what had arrived (see the module's
    docstring)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with _held(self._listening_sockets()) as backlogs:
            for server in self.servers:  # the event loop stops accepting ...
                server.close()
            for sock in sockets or []:
                sock.close()
            queued = 0
            for backlog in backlogs:  # ... and takes what the kernel already accepted
                queued += await self._accept_all(backlog)
        if queued:
            logger.info("Answering %d connection(s) queued before the shutdown", queued)
        # bytes already received reach the parser: their requests start, and uvicorn's
        # shutdown then lets them finish instead of closing their connections as idle
        await asyncio.sleep(DRAIN_SETTLE_SECONDS)
        await super().shutdown(sockets)

    def _listening_sockets(self) -> list[socket.socket]:
        """A duplicate of each listening socket: the kernel keeps queueing its connections
        while a descriptor is open, after the event loop closed its own."""
        held = []
        for server in self.servers:
            for listener in server.sockets or ():
                held.append(socket.socket(fileno=os.dup(listener.fileno())))
        return held

    async def _accept_all(self, backlog: socket.socket) -> int:
        """Serve every connection queued on ``backlog`` (at most a full backlog); how many."""
        loop = asyncio.get_running_loop()
        backlog.setblocking(False)
        accepted = 0
        for _ in range(self.config.backlog):
            try:
                connection, _ = backlog.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:  # the socket is gone
                logger.debug("accepting queued connections: %s", exc)
                break
            connection.setblocking(False)
            await loop.connect_accepted_socket(self._new_connection, connection)
            accepted += 1
        return accepted

    def _new_connection(self) -> asyncio.Protocol:
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol


@contextlib.contextmanager
def _held(sockets: list[socket.socket]) -> Iterator[list[socket.socket]]:
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


class _DrainingProcess(multiprocess.Process):
    """uvicorn's worker process, running a :class:`DrainingServer`."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = DrainingServer(config=self.config)
        return self._server


def run_workers(config: TransportConfig) -> None:
    """Serve with ``config.workers`` worker processes on one listening socket, as
    ``uvicorn.run`` does, each worker running a :class:`DrainingServer`. uvicorn's supervisor
    names its worker class as a module global: it is swapped for the duration of this call."""
    sock = config.bind_socket()
    original = multiprocess.Process
    multiprocess.Process = _DrainingProcess  # type: ignore[misc]
    try:
        multiprocess.Multiprocess(config, sockets=[sock]).run()
    finally:
        multiprocess.Process = original  # type: ignore[misc]
        sock.close()
