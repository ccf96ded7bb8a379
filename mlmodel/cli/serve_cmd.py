"""``mlmodel serve``: serve a model over MLflow's scoring protocol and the Open Inference
Protocol (V2), with Prometheus metrics, limits and graceful shutdown."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage
from mlmodel.cli.options import (
    AllowUnsafeOption,
    ModelArgument,
    RequireSignatureOption,
    TrustedKeyOption,
    TrustTypeOption,
)


@app.command()
def serve(
    model: ModelArgument,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 5000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", help="Worker processes (each loads the model).")
    ] = 1,
    timeout: Annotated[
        float, typer.Option("--timeout", "-t", help="Seconds a prediction may take (then 504).")
    ] = 60.0,
    max_body_size: Annotated[
        int,
        typer.Option("--max-body-size", metavar="BYTES", help="Larger request bodies get 413."),
    ] = 100 * 1024 * 1024,
    allow_unsafe: AllowUnsafeOption = False,
    trust_type: TrustTypeOption = None,
    trusted_key: TrustedKeyOption = None,
    require_signature: RequireSignatureOption = False,
    header_timeout: Annotated[
        float,
        typer.Option(
            "--header-timeout",
            metavar="SECONDS",
            help="Close a connection that has not sent its request headers in this time.",
        ),
    ] = 30.0,
    keep_alive_timeout: Annotated[
        int,
        typer.Option(
            "--keep-alive-timeout",
            metavar="SECONDS",
            help="Close a kept-alive connection idle for this long.",
        ),
    ] = 5,
    no_access_log: Annotated[
        bool, typer.Option("--no-access-log", help="Do not write the JSON access log.")
    ] = False,
) -> None:
    """Serve MODEL: /ping, /health, /version, /invocations (MLflow's protocol), /v2/...
    (Open Inference Protocol) and /metrics (Prometheus).

    The port is checked first; the model is validated and loaded before the port opens
    (with --workers N the parent validates it and decides trust, and each worker loads it
    once). A prediction over --timeout answers 504 and is abandoned (its thread replaced;
    while 16 abandoned predictions still run, predictions answer 503). SIGTERM answers
    every request already received, finishes those in flight, then exits.

    Exit status: 0 after a clean shutdown, 1 when the model does not validate or load,
    2 for usage errors (no such model, a port in use, the serve extra missing).
    """
    if workers < 1:
        raise usage("serve", "--workers must be at least 1")
    if timeout <= 0:
        raise usage("serve", "--timeout must be positive")
    if header_timeout <= 0:
        raise usage("serve", "--header-timeout must be positive")
    if keep_alive_timeout < 1:
        raise usage("serve", "--keep-alive-timeout must be at least 1")
    if max_body_size < 1:
        raise usage("serve", "--max-body-size must be positive")
    if not 0 <= port <= 65535:
        raise usage("serve", "--port must be between 0 and 65535")
    from mlmodel.serve.server import ServeOptions
    from mlmodel.serve.server import serve as run_server

    run_server(
        ServeOptions(
            model=model,
            host=host,
            port=port,
            workers=workers,
            timeout=timeout,
            max_body_size=max_body_size,
            allow_unsafe=allow_unsafe,
            trusted_types=tuple(trust_type or ()),
            trusted_keys=tuple(trusted_key or ()),
            require_signature=require_signature,
            caller="cli",
            access_log=not no_access_log,
            header_timeout=header_timeout,
            keep_alive_timeout=keep_alive_timeout,
        )
    )
