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
from mlmodel.serve.batching import DEFAULT_MAX_BATCH_TIME


@app.command()
def serve(
    model: ModelArgument,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 5000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            help="Worker processes, each loading the model once (default: one per CPU, at most 8).",
            show_default=False,
        ),
    ] = None,
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
    max_batch_size: Annotated[
        int,
        typer.Option(
            "--max-batch-size",
            metavar="N",
            help="Merge up to N concurrent requests of the same columns into one predict (1: off).",
        ),
    ] = 1,
    max_batch_time: Annotated[
        float,
        typer.Option(
            "--max-batch-time",
            metavar="SECONDS",
            help="How long the first request of a batch waits for others.",
        ),
    ] = DEFAULT_MAX_BATCH_TIME,
    no_access_log: Annotated[
        bool, typer.Option("--no-access-log", help="Do not write the JSON access log.")
    ] = False,
) -> None:
    """Serve MODEL: /ping, /health, /version, /invocations (MLflow's protocol), /v2/...
    (Open Inference Protocol) and /metrics (Prometheus).

    The port is checked first; the model is validated and loaded before the port opens
    (with --workers N the parent validates it and decides trust, and each worker loads it
    once; by default one worker per CPU). With --max-batch-size N > 1, concurrent requests
    with the same columns are scored with one predict and split back (a request that fails
    to decode, or has params, is answered alone). SIGTERM finishes the requests in flight,
    then exits.

    Exit status: 0 after a clean shutdown, 1 when the model does not validate or load,
    2 for usage errors (no such model, a port in use, the serve extra missing).
    """
    if workers is not None and workers < 1:
        raise usage("serve", "--workers must be at least 1")
    if max_batch_size < 1:
        raise usage("serve", "--max-batch-size must be at least 1")
    if not 0 <= max_batch_time <= 10:
        raise usage("serve", "--max-batch-time must be between 0 and 10 seconds")
    if timeout <= 0:
        raise usage("serve", "--timeout must be positive")
    if max_body_size < 1:
        raise usage("serve", "--max-body-size must be positive")
    if not 0 <= port <= 65535:
        raise usage("serve", "--port must be between 0 and 65535")
    from mlmodel.serve.server import ServeOptions, default_workers
    from mlmodel.serve.server import serve as run_server

    run_server(
        ServeOptions(
            model=model,
            host=host,
            port=port,
            workers=default_workers() if workers is None else workers,
            timeout=timeout,
            max_body_size=max_body_size,
            allow_unsafe=allow_unsafe,
            trusted_types=tuple(trust_type or ()),
            trusted_keys=tuple(trusted_key or ()),
            require_signature=require_signature,
            caller="cli",
            access_log=not no_access_log,
            max_batch_size=max_batch_size,
            max_batch_time=max_batch_time,
        )
    )
