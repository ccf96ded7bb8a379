"""``mlmodel serve``: serve a model over MLflow's scoring protocol and the Open Inference
Protocol (V2), with Prometheus metrics, limits and graceful shutdown."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.env_forward import check_env_manager, run_in_environment
from mlmodel.cli.errors import usage
from mlmodel.cli.options import (
    AllowUnsafeOption,
    EnvManagerOption,
    ModelArgument,
    RequireSignatureOption,
    TrustedKeyOption,
    TrustTypeOption,
    trust_options,
)
from mlmodel.scoring.limits import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    DEFAULT_MAX_ROWS,
)
from mlmodel.serve.batching import DEFAULT_MAX_BATCH_TIME


@app.command()
def serve(
    ctx: typer.Context,
    model: ModelArgument,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 5000,
    grpc_port: Annotated[
        int | None,
        typer.Option(
            "--grpc-port",
            metavar="PORT",
            help="Also answer the Open Inference Protocol over gRPC on this port "
            "(KServe's and MLServer's is 8081; off by default; needs the grpc extra).",
        ),
    ] = None,
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
    max_columns: Annotated[
        int,
        typer.Option(
            "--max-columns",
            metavar="N",
            help="Bodies decoding to more columns (CSV fields, record keys, V2 inputs) get 413.",
        ),
    ] = DEFAULT_MAX_COLUMNS,
    max_rows: Annotated[
        int, typer.Option("--max-rows", metavar="N", help="Bodies with more rows get 413.")
    ] = DEFAULT_MAX_ROWS,
    max_cells: Annotated[
        int,
        typer.Option(
            "--max-cells", metavar="N", help="Bodies decoding to more rows x columns get 413."
        ),
    ] = DEFAULT_MAX_CELLS,
    max_decompressed_size: Annotated[
        int,
        typer.Option(
            "--max-decompressed-size",
            metavar="BYTES",
            help="Parquet bodies whose footer declares more uncompressed bytes get 413.",
        ),
    ] = DEFAULT_MAX_DECOMPRESSED_SIZE,
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
    threads: Annotated[
        int,
        typer.Option(
            "--threads",
            metavar="N",
            help="Prediction threads per worker process (more only helps a model that releases "
            "the GIL; the workers use the cores).",
        ),
    ] = 1,
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
    env_manager: EnvManagerOption = "local",
    no_docs: Annotated[
        bool,
        typer.Option("--no-docs", help="Do not serve the Swagger UI page at /docs."),
    ] = False,
) -> None:
    """Serve MODEL: /ping, /health, /version, /invocations (MLflow's protocol), /v2/...
    (Open Inference Protocol), /metrics (Prometheus) and /docs (Swagger UI, from packaged
    files; --no-docs turns it off); with --grpc-port, the Open Inference Protocol's
    inference.GRPCInferenceService over gRPC too.

    The port is checked first; the model is validated and loaded before the port opens
    (with --workers N the parent validates it and decides trust, and each worker loads it
    once; by default one worker per CPU). With --max-batch-size N > 1, concurrent requests
    with the same columns are scored with one predict and split back (a request that fails
    to decode, or has params, is answered alone). A prediction over --timeout answers 504
    and is abandoned (its thread replaced; while 16 abandoned predictions still run,
    predictions answer 503). SIGTERM answers every request already received, finishes those
    in flight, then exits. With --env-manager uv or virtualenv, the model's environment is
    created (or reused from the cache) and the server runs inside it.

    Exit status: 0 after a clean shutdown, 1 when the model does not validate or load,
    2 for usage errors (no such model, a port in use, the serve or grpc extra missing).
    """
    if workers is not None and workers < 1:
        raise usage("serve", "--workers must be at least 1")
    if threads < 1:
        raise usage("serve", "--threads must be at least 1")
    if max_batch_size < 1:
        raise usage("serve", "--max-batch-size must be at least 1")
    if not 0 <= max_batch_time <= 10:
        raise usage("serve", "--max-batch-time must be between 0 and 10 seconds")
    if timeout <= 0:
        raise usage("serve", "--timeout must be positive")
    if header_timeout <= 0:
        raise usage("serve", "--header-timeout must be positive")
    if keep_alive_timeout < 1:
        raise usage("serve", "--keep-alive-timeout must be at least 1")
    for name, value in (
        ("--max-body-size", max_body_size),
        ("--max-columns", max_columns),
        ("--max-rows", max_rows),
        ("--max-cells", max_cells),
        ("--max-decompressed-size", max_decompressed_size),
    ):
        if value < 1:
            raise usage("serve", f"{name} must be positive")
    if not 0 <= port <= 65535:
        raise usage("serve", "--port must be between 0 and 65535")
    if grpc_port is not None and not 1 <= grpc_port <= 65535:
        raise usage("serve", "--grpc-port must be between 1 and 65535")
    check_env_manager("serve", env_manager)
    if env_manager != "local":
        extras = ("serve",) if grpc_port is None else ("serve", "grpc")
        trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
        run_in_environment(ctx, "serve", model, env_manager, extras, trust)
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
            max_columns=max_columns,
            max_rows=max_rows,
            max_cells=max_cells,
            max_decompressed_size=max_decompressed_size,
            allow_unsafe=allow_unsafe,
            trusted_types=tuple(trust_type or ()),
            trusted_keys=tuple(trusted_key or ()),
            require_signature=require_signature,
            caller="cli",
            access_log=not no_access_log,
            grpc_port=grpc_port,
            header_timeout=header_timeout,
            keep_alive_timeout=keep_alive_timeout,
            threads=threads,
            max_batch_size=max_batch_size,
            max_batch_time=max_batch_time,
            docs=not no_docs,
        )
    )
