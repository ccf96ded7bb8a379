"""Start the scoring server: load (and validate) the model, then serve it with uvicorn.

What costs nothing is checked first: the serve extra is installed and the address can be
listened on (a port in use is a :class:`~mlmodel.core.errors.UsageError`, exit 2, before any
model is read). The model is then loaded before uvicorn binds the socket, so ``/ping``
answers 200 only once the model is ready, and a model that fails validation or loading
stops start-up with its diagnostics (:class:`~mlmodel.core.errors.MLModelError`; the CLI exits
1). With several workers the parent only passes the gate (validation and the trust decision,
every pickle judged, nothing loaded: :func:`mlmodel.runtime.gate.admit`) and each uvicorn
worker process loads the model once, through :func:`app_from_env`; a worker that cannot load
it stops the server, and the parent raises that worker's error. SIGTERM and SIGINT stop
accepting connections, answer every request whose bytes had arrived (connections still in the
listening socket's backlog included) and let in-flight requests finish; the transport's limits
and shutdown are in :mod:`mlmodel.serve.transport`. With a gRPC port
(:attr:`ServeOptions.grpc_port`) each server process also answers the Open Inference Protocol
over gRPC (:mod:`mlmodel.serve.grpc`), started before the HTTP port opens and stopped after
the HTTP requests in flight finished; grpcio missing and a busy gRPC port are found before
the model is read, too.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.names import MLMODEL_NAME
from mlmodel.scoring.limits import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    DEFAULT_MAX_ROWS,
    DecodeLimits,
)
from mlmodel.serve.app import DEFAULT_MAX_BODY_SIZE, DEFAULT_THREADS, ServerConfig, build_app
from mlmodel.serve.batching import DEFAULT_MAX_BATCH_TIME
from mlmodel.serve.metrics import Metrics

if TYPE_CHECKING:
    from mlmodel.runtime.load.safety import TrustOptions

_ENV_OPTIONS: Final = "MLMODEL_SERVE_OPTIONS"
#: what ``mlmodel serve`` imports from the serve extra (orjson and uvloop are picked up when
#: present; httptools is the parser :mod:`mlmodel.serve.transport` guards)
SERVE_MODULES: Final = ("uvicorn", "httptools", "starlette", "numpy", "pandas", "pyarrow")
#: what ``--grpc-port`` imports from the grpc extra
GRPC_MODULES: Final = ("grpc", "google.protobuf")
#: uvicorn's exit status when it cannot start (the address taken meanwhile, ...)
_UVICORN_STARTUP_FAILURE: Final = 3
#: where a worker that cannot load the model writes why (a file the parent reads)
_ENV_FAILURE: Final = "MLMODEL_SERVE_WORKER_FAILURE"
#: the most worker processes started by default (each holds its own copy of the model)
MAX_DEFAULT_WORKERS: Final = 8


def default_workers() -> int:
    """``--workers``' default: one worker process per CPU this process may run on, at most
    :data:`MAX_DEFAULT_WORKERS` (each worker loads its own copy of the model)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


@dataclass(frozen=True)
class ServeOptions:
    """``mlmodel serve``'s options (what a worker process needs to build its app)."""

    model: str
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = field(default_factory=default_workers)
    timeout: float = 60.0
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    #: what a body may decode to (:class:`~mlmodel.scoring.limits.DecodeLimits`)
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_rows: int = DEFAULT_MAX_ROWS
    max_cells: int = DEFAULT_MAX_CELLS
    max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE
    allow_unsafe: bool = False
    trusted_types: tuple[str, ...] = ()
    trusted_keys: tuple[str, ...] = ()
    require_signature: bool = False
    #: who started the server: refusals name the CLI's options or the keyword arguments
    caller: str = "python"
    access_log: bool = True
    model_name: str | None = None
    #: the port of the Open Inference Protocol over gRPC (None: no gRPC server)
    grpc_port: int | None = None
    #: seconds a connection may take to send its request headers
    header_timeout: float = 30.0
    #: seconds an idle kept-alive connection stays open
    keep_alive_timeout: int = 5
    #: concurrent requests merged into one predict (1: off; see mlmodel.serve.batching)
    max_batch_size: int = 1
    max_batch_time: float = DEFAULT_MAX_BATCH_TIME
    #: prediction threads per worker process
    threads: int = DEFAULT_THREADS
    #: serve Swagger UI at /docs (``mlmodel serve --no-docs``: off)
    docs: bool = True


def model_name_for(options: ServeOptions) -> str:
    """The name the V2 routes answer to: ``model_name`` when given; a registry URI's
    registered name (``models:/iris@champion`` and ``models:/iris/3`` are ``iris``; a logged
    model's id for ``models:/m-...``); the last segment of another URI's path (``runs:/ID/clf``
    is ``clf``); else the model folder's name."""
    from mlmodel.core.uris import MODELS, is_model_uri, parse_model_uri

    if options.model_name:
        return options.model_name
    if is_model_uri(options.model):
        parsed = parse_model_uri(options.model)
        if parsed.kind == MODELS:
            return parsed.name or parsed.model_id or "model"
        segments = [s for s in (parsed.path or "").split("/") if s and s != MLMODEL_NAME]
        return segments[-1] if segments else "model"
    path = Path(options.model)
    if path.name == MLMODEL_NAME:
        path = path.parent
    return path.resolve().name or "model"


def registry_version(options: ServeOptions) -> str | None:
    """The registry version a ``models:/NAME/VERSION`` URI names (None for any other)."""
    from mlmodel.core.uris import MODELS, is_model_uri, parse_model_uri

    if not is_model_uri(options.model):
        return None
    parsed = parse_model_uri(options.model)
    return parsed.version if parsed.kind == MODELS else None


def trust_for(options: ServeOptions) -> TrustOptions:
    """The loader's trust of a serve run, from its options."""
    from mlmodel.runtime.load.safety import TrustOptions

    return TrustOptions.of(
        allow_unsafe=options.allow_unsafe,
        trusted_types=options.trusted_types,
        trusted_keys=options.trusted_keys,
        require_signature=options.require_signature,
        caller="cli" if options.caller == "cli" else "python",
    )


def limits_for(options: ServeOptions) -> DecodeLimits:
    """What a request body may decode to, from a serve run's options."""
    return DecodeLimits(
        max_columns=options.max_columns,
        max_rows=options.max_rows,
        max_cells=options.max_cells,
        max_decompressed_size=options.max_decompressed_size,
    )


def load_config(options: ServeOptions) -> ServerConfig:
    """Validate and load the model; the server configuration around it."""
    from mlmodel.runtime.gate import load_trusted
    from mlmodel.scoring.dataplane import Scorer

    start = time.perf_counter()
    model = load_trusted(options.model, trust_for(options))
    metrics = Metrics()
    scorer = Scorer(model, limits_for(options))
    metrics.model_load_seconds = time.perf_counter() - start
    version = registry_version(options) or model.model_uuid or model.model_id
    return ServerConfig(
        scorer=scorer,
        model_name=model_name_for(options),
        model_version=version,
        timeout=options.timeout,
        max_body_size=options.max_body_size,
        metrics=metrics,
        access_log=options.access_log,
        max_batch_size=options.max_batch_size,
        max_batch_time=options.max_batch_time,
        threads=options.threads,
        docs=options.docs,
    )


def openapi_for(options: ServeOptions) -> bytes:
    """The document ``GET /openapi.json`` would send for ``options`` (same name and version),
    without loading the model: its MLmodel is validated and read as text, with its
    ``serving_input_example.json``; nothing is unpickled or imported from it."""
    from mlmodel.runtime.validated import validated
    from mlmodel.serve.openapi import ModelFacts, document_bytes, openapi_document

    model = validated(options.model)
    document = model.document
    version = (
        registry_version(options)
        or _text(document.get("model_uuid"))
        or _text(document.get("model_id"))
    )
    facts = ModelFacts.of(model.model_dir, document, model_name_for(options), version)
    return document_bytes(openapi_document(facts))


def _text(value: Any) -> str | None:
    """A header field as PyFuncModel reads it (``model_uuid``, ``model_id``)."""
    return str(value) if value else None


def configure_access_log() -> None:
    logger = logging.getLogger("mlmodel.serve.access")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def app_from_env() -> Any:
    """uvicorn factory for worker processes: the options come from the environment. A
    worker that cannot load the model writes why for the parent and exits with uvicorn's
    start-up failure status (the parent stops instead of restarting it)."""
    import contextlib

    options = ServeOptions(**json.loads(os.environ[_ENV_OPTIONS]))
    configure_access_log()
    try:
        return application(load_config(options), options)
    except Exception as exc:  # noqa: BLE001 - the parent reports it; a restart would fail again
        failure = os.environ.get(_ENV_FAILURE)
        if failure:
            with contextlib.suppress(OSError):
                Path(failure).write_text(json.dumps(_failure_record(exc)), encoding="utf-8")
        sys.exit(_UVICORN_STARTUP_FAILURE)


def application(config: ServerConfig, options: ServeOptions) -> Any:
    """The ASGI application of a server process: the HTTP routes and, with a gRPC port, the
    gRPC server started and stopped with them (bound with ``SO_REUSEPORT`` when several
    worker processes share the port)."""
    app = build_app(config)
    if options.grpc_port is None:
        return app
    from mlmodel.serve.grpc.lifespan import WithGrpc
    from mlmodel.serve.grpc.server import GrpcServer

    server = GrpcServer(config, options.host, options.grpc_port, reuse_port=options.workers > 1)
    return WithGrpc(app, server, grace=options.timeout + 5)


def _failure_record(exc: Exception) -> dict[str, str | None]:
    from mlmodel.core.errors import MissingDependencyError, MLModelError

    message = str(exc) if isinstance(exc, MLModelError) else f"{type(exc).__name__}: {exc}"
    return {
        "message": message,
        "error_code": getattr(exc, "error_code", None),
        "package": exc.package if isinstance(exc, MissingDependencyError) else None,
        "extra": exc.extra if isinstance(exc, MissingDependencyError) else None,
    }


def _worker_failure(path: Path) -> Exception | None:
    """The error a worker recorded at ``path`` (None when every worker loaded the model)."""
    from mlmodel.core.errors import INTERNAL_ERROR, MissingDependencyError, MLModelError

    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    message = f"a worker could not load the model: {record.get('message')}"
    if record.get("package"):
        return MissingDependencyError(
            message, package=str(record["package"]), extra=record.get("extra")
        )
    return MLModelError(message, error_code=str(record.get("error_code") or INTERNAL_ERROR))


def _transport_kwargs(options: ServeOptions) -> dict[str, Any]:
    """:class:`~mlmodel.serve.transport.TransportConfig`'s arguments (uvicorn's, and the
    header timeout) from the options."""
    return {
        "host": options.host,
        "port": options.port,
        "access_log": False,  # mlmodel writes its own structured access log
        "log_level": "info",
        "timeout_graceful_shutdown": int(options.timeout) + 5,
        "timeout_keep_alive": options.keep_alive_timeout,
        "server_header": False,
        "header_timeout": options.header_timeout,
    }


def check_address(options: ServeOptions, *, grpc: bool = False) -> None:
    """Raise :class:`~mlmodel.core.errors.UsageError` unless ``host:port`` (``grpc``: the
    gRPC port) can be listened on now: every address the host resolves to is bound (as
    uvicorn will, with ``SO_REUSEADDR``) and released. A check before the model loads, not a
    reservation."""
    import errno
    import socket

    from mlmodel.core.errors import UsageError

    port = options.grpc_port if grpc and options.grpc_port is not None else options.port
    where = f"{options.host}:{port}"
    name = "grpc-port" if grpc else "port"
    option = f"--{name}" if options.caller == "cli" else f"{name.replace('-', '_')}="
    try:
        addresses = socket.getaddrinfo(
            options.host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as exc:
        host = "--host" if options.caller == "cli" else "host="
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(f"{where}: cannot listen there: {reason} (check {host})") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise UsageError(
                        f"{where}: the port is in use (another server listens there); "
                        f"choose another {option}"
                    ) from None
                raise UsageError(f"{where}: cannot listen there: {exc.strerror or exc}") from None


def serve(options: ServeOptions) -> None:
    """Check the serve extra and the address, load the model, then serve until
    SIGTERM/SIGINT. Raises :class:`~mlmodel.core.errors.MissingDependencyError` without the
    serve extra, :class:`~mlmodel.core.errors.UsageError` when the port is in use (both before
    the model is read), and the model's own error when it does not validate or load."""
    from mlmodel.core.errors import needs_extra, require_modules

    needed_by = "mlmodel serve"
    require_modules("serve", needed_by, SERVE_MODULES)
    if options.docs:  # its files are found (not read) before the model is
        from mlmodel.serve.swagger_assets import find_swagger_assets

        find_swagger_assets()
    if options.grpc_port is not None:
        require_modules("grpc", f"{needed_by} --grpc-port", GRPC_MODULES)
    check_address(options)
    if options.grpc_port is not None:
        _check_grpc_port(options)
    with needs_extra("serve", needed_by):
        _serve(options)


def _check_grpc_port(options: ServeOptions) -> None:
    """UsageError when the gRPC port is the HTTP port or cannot be listened on now."""
    from mlmodel.core.errors import UsageError

    if options.grpc_port == options.port:
        flags = "--grpc-port and --port" if options.caller == "cli" else "grpc_port= and port="
        raise UsageError(f"{flags} are both {options.port}: the two servers need two ports")
    check_address(options, grpc=True)


def _serve(options: ServeOptions) -> None:
    from mlmodel.serve.transport import DrainingServer, TransportConfig, run_workers

    configure_access_log()
    if options.workers <= 1:
        config = load_config(options)
        app = application(config, options)
        server = DrainingServer(TransportConfig(app, **_transport_kwargs(options)))
        # uvicorn re-raises the signal it stopped for once in-flight requests are done; a
        # SIGTERM that ends in a clean shutdown is then a normal exit (status 0)
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
        with _startup_failure(options):
            server.run()
        return
    from mlmodel.runtime.gate import admit

    admit(options.model, trust_for(options), scan=True)  # each worker loads the model once
    with tempfile.TemporaryDirectory(prefix="mlmodel-serve-") as folder:
        failure = Path(folder) / "worker-failure.json"
        os.environ[_ENV_OPTIONS] = json.dumps(asdict(options))
        os.environ[_ENV_FAILURE] = str(failure)
        try:
            with _startup_failure(options):
                run_workers(
                    TransportConfig(
                        "mlmodel.serve.server:app_from_env",
                        factory=True,
                        workers=options.workers,
                        **_transport_kwargs(options),
                    )
                )
        finally:
            error = _worker_failure(failure)
            if error is not None:
                raise error


@contextmanager
def _startup_failure(options: ServeOptions) -> Iterator[None]:
    """uvicorn's exit at start-up (its message already logged: the address was taken after
    :func:`check_address`) as a usage error naming the address."""
    from mlmodel.core.errors import UsageError

    try:
        yield
    except SystemExit as exc:
        if exc.code != _UVICORN_STARTUP_FAILURE:
            raise
        raise UsageError(
            f"{options.host}:{options.port}: the server could not start listening (see the "
            "message above)"
        ) from None
