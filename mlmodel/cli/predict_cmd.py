"""``mlmodel predict``: batch scoring of a file, the same input and output as the server and
as ``mlflow models predict``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from mlmodel.cli.app import app
from mlmodel.cli.env_forward import check_env_manager, run_in_environment
from mlmodel.cli.errors import EXIT_FINDINGS, usage
from mlmodel.cli.options import (
    AllowUnsafeOption,
    EnvManagerOption,
    ModelArgument,
    RequireSignatureOption,
    TrustedKeyOption,
    TrustTypeOption,
    trust_options,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mlmodel.runtime.load.safety import TrustOptions
    from mlmodel.scoring.batch import BatchProgress, Progress


@app.command()
def predict(
    ctx: typer.Context,
    model: ModelArgument,
    input_path: Annotated[
        str, typer.Option("--input-path", "-i", help="Input file; '-' for standard input.")
    ] = "-",
    output_path: Annotated[
        str | None,
        typer.Option("--output-path", "-o", help="Output file (standard output if omitted)."),
    ] = None,
    content_type: Annotated[
        str | None,
        typer.Option(
            "--content-type",
            "-t",
            help="json, csv or parquet (any case); default: from INPUT's extension (.json, "
            ".csv, .parquet, .pq), else json.",
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--output-format",
            help='json ({"predictions": [...]}), jsonl (a prediction per line), csv or '
            "parquet (a column per output); default: from OUTPUT's extension (.json, .jsonl, "
            ".csv, .parquet), else json.",
        ),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", help="Rows per chunk for CSV and parquet input.")
    ] = 100_000,
    allow_unsafe: AllowUnsafeOption = False,
    trust_type: TrustTypeOption = None,
    trusted_key: TrustedKeyOption = None,
    require_signature: RequireSignatureOption = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (this process) or spark (Spark reads and writes the Parquet or CSV "
            "dataset; needs mlmodel\\[spark]).",
        ),
    ] = "local",
    master: Annotated[
        str, typer.Option("--master", help="Spark master URL for --engine spark.")
    ] = "local[*]",
    result_type: Annotated[
        str | None,
        typer.Option(
            "--result-type",
            help="--engine spark: the Spark type of the predictions (double, bigint, string, "
            "array<double>, struct<a:double,b:string>, ...); inferred from the model's "
            "signature when omitted.",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="--engine spark: replace an existing OUTPUT (a file, or a folder Spark wrote).",
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="--engine spark: show Spark's own log and progress."),
    ] = False,
    env_manager: EnvManagerOption = "local",
) -> None:
    """Score INPUT with MODEL and write its predictions (MLflow's {"predictions": ...} JSON
    by default).

    JSON input is one /invocations payload (dataframe_split, dataframe_records, instances,
    inputs, params); CSV and parquet files are scored in chunks, and every output format is
    written as each chunk is scored, so memory stays bounded whatever the file's size. An
    output file appears whole or not at all. A progress bar (bytes read, rows scored) is
    shown when standard error is a terminal. With --env-manager uv or virtualenv, the
    model's environment is created (or reused from the cache) and the scoring runs inside it
    (with --engine spark: on the driver first, then each executor's Python worker scores
    through one process inside it).

    Exit status: 0, 1 when the model does not validate or load or rejects the input, 2 for
    usage errors (no such model or input, an output folder that does not exist, a missing
    extra), checked before the model loads.
    """
    from mlmodel.core.errors import UsageError
    from mlmodel.scoring import file_formats

    try:
        in_format = file_formats.input_format(content_type, input_path)
        out_format = file_formats.output_format(output_format, output_path)
    except UsageError as exc:
        raise usage("predict", str(exc)) from None
    if chunk_rows < 1:
        raise usage("predict", "--chunk-rows must be positive")
    if engine not in ("local", "spark"):
        raise usage("predict", "--engine must be local or spark")
    trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
    if engine != "spark" and (result_type is not None or overwrite or verbose):
        raise usage("predict", "--result-type, --overwrite and --verbose are for --engine spark")
    check_env_manager("predict", env_manager)
    if env_manager != "local" and engine != "spark":
        _check_paths(input_path, output_path, out_format)
        run_in_environment(ctx, "predict", model, env_manager, ("serve",), trust)
    if engine == "spark":  # mlmodel.spark scores the dataset; Spark writes OUTPUT (a directory)
        from mlmodel.core.errors import MLModelError, UsageError
        from mlmodel.spark.batch import predict_command

        try:
            predict_command(
                model,
                input_path,
                output_path,
                master=master,
                content_type=in_format,
                trust=trust,
                result_type=result_type,
                overwrite=overwrite,
                verbose=verbose,
                env_manager=env_manager,
            )
        except UsageError as exc:
            raise usage("predict", str(exc)) from None
        except MLModelError as exc:
            typer.echo(f"mlmodel predict: {exc.error_code}: {exc}", err=True)
            raise typer.Exit(EXIT_FINDINGS) from None
        return
    _check_paths(input_path, output_path, out_format)  # before the model loads
    from mlmodel.core.errors import needs_extra, require_modules

    needed_by = "mlmodel predict"
    require_modules("serve", needed_by, ("numpy", "pandas", "pyarrow"))
    if input_path == "-" and sys.stdin.isatty():
        typer.echo(STDIN_NOTE, err=True)
    with needs_extra("serve", needed_by):
        _predict_local(model, input_path, output_path, in_format, out_format, chunk_rows, trust)


#: said on stderr before waiting on a terminal's standard input
STDIN_NOTE = "mlmodel predict: reading the input from standard input (Ctrl-D to end); pass -i FILE"


def _check_paths(input_path: str, output_path: str | None, out_format: str) -> None:
    """Usage errors for the input and output paths, before any expensive work."""
    if input_path != "-" and not Path(input_path).exists():
        raise usage("predict", f"{input_path}: no such file or directory")
    if output_path is not None and output_path != "-":
        folder = Path(output_path).parent
        if not folder.is_dir():
            raise usage("predict", f"{output_path}: no such directory: {folder}")
        if Path(output_path).is_dir():
            raise usage("predict", f"{output_path}: is a directory")
    elif out_format == "parquet" and sys.stdout.isatty():
        raise usage("predict", "parquet output is binary: give -o FILE or redirect the output")


def _predict_local(
    model: str,
    input_path: str,
    output_path: str | None,
    in_format: str,
    out_format: str,
    chunk_rows: int,
    trust: TrustOptions,
) -> None:
    from mlmodel.runtime.gate import load_trusted
    from mlmodel.scoring.batch import predict_stream
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.errors import ScoringError
    from mlmodel.scoring.file_formats import INPUT_MIME_TYPES
    from mlmodel.scoring.prediction_writers import open_writer

    scorer = Scorer(load_trusted(model, trust))
    source: Any = sys.stdin.buffer if input_path == "-" else Path(input_path).open("rb")  # noqa: SIM115
    try:
        with source, _output(output_path) as out, _progress() as progress:
            predict_stream(
                scorer,
                source,
                open_writer(out_format, out),
                content_type=INPUT_MIME_TYPES[in_format],
                chunk_rows=chunk_rows,
                progress=progress,
            )
    except ScoringError as exc:
        typer.echo(f"mlmodel predict: {exc.error_code}: {exc.message}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None


@contextlib.contextmanager
def _output(output_path: str | None) -> Iterator[BinaryIO]:
    """Standard output, or OUTPUT through an atomic writer: a temporary file renamed into
    place at the end, removed on an error or Ctrl-C."""
    if output_path is None or output_path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    from mlmodel.core.fsio import atomic_writer

    with atomic_writer(output_path) as out:
        yield out


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """A rich progress bar (bytes read, rows scored) when stderr is a terminal, else None.

    The bar measures rows scored against the total when it is known (a parquet footer's row
    count), else bytes read against the input's size."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("scoring", total=None, status="")

        def update(state: BatchProgress) -> None:
            by_rows = bool(state.rows_total)
            bar.update(
                task,
                total=state.rows_total if by_rows else state.bytes_total,
                completed=state.rows_scored if by_rows else state.bytes_read,
                status=_status(state),
            )

        yield update


def _status(state: BatchProgress) -> str:
    """``1,200 of 5,000 rows scored, 12.0 of 40.0 MB read``."""
    rows = f"{state.rows_scored:,}"
    if state.rows_total is not None:
        rows += f" of {state.rows_total:,}"
    read = f"{state.bytes_read / 1e6:,.1f}"
    if state.bytes_total is not None:
        read += f" of {state.bytes_total / 1e6:,.1f}"
    return f"{rows} rows scored, {read} MB read"
