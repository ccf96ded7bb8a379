"""``mlmodel predict``: batch scoring of a file, the same input and output as the server and
as ``mlflow models predict``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import EXIT_FINDINGS, usage
from mlmodel.cli.options import (
    AllowUnsafeOption,
    ModelArgument,
    RequireSignatureOption,
    TrustedKeyOption,
    TrustTypeOption,
    trust_options,
)


@app.command()
def predict(
    model: ModelArgument,
    input_path: Annotated[
        str, typer.Option("--input-path", "-i", help="Input file; '-' for standard input.")
    ] = "-",
    output_path: Annotated[
        str | None,
        typer.Option("--output-path", "-o", help="Output file (standard output if omitted)."),
    ] = None,
    content_type: Annotated[
        str, typer.Option("--content-type", "-t", help="json, csv or parquet.")
    ] = "json",
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
) -> None:
    """Score INPUT with MODEL and write {"predictions": ...} as JSON.

    JSON input is one /invocations payload (dataframe_split, dataframe_records, instances,
    inputs, params); CSV and parquet files are scored in chunks, in bounded memory. A
    progress bar is shown when standard error is a terminal.

    Exit status: 0, 1 when the model does not load or rejects the input, 2 for usage errors.
    """
    from mlmodel.scoring.content_type import SHORT_NAMES

    if content_type not in SHORT_NAMES:
        raise usage("predict", f"--content-type must be one of {', '.join(SHORT_NAMES)}")
    if chunk_rows < 1:
        raise usage("predict", "--chunk-rows must be positive")
    if engine not in ("local", "spark"):
        raise usage("predict", "--engine must be local or spark")
    trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
    if engine == "spark":  # mlmodel.spark scores the dataset; Spark writes OUTPUT (a directory)
        from mlmodel.core.errors import UsageError
        from mlmodel.runtime.errors import MlmodelException
        from mlmodel.spark.batch import predict_command

        try:
            predict_command(
                model,
                input_path,
                output_path,
                master=master,
                content_type=content_type,
                trust=trust,
            )
        except UsageError as exc:
            raise usage("predict", str(exc)) from None
        except MlmodelException as exc:
            typer.echo(f"mlmodel predict: {exc.error_code}: {exc}", err=True)
            raise typer.Exit(EXIT_FINDINGS) from None
        return
    from mlmodel.runtime.gate import load_trusted
    from mlmodel.scoring.batch import predict_stream
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.errors import ScoringError

    scorer = Scorer(load_trusted(model, trust))
    chunks: list[bytes] = []
    to_stdout = output_path is None or output_path == "-"
    write: Any = sys.stdout.buffer.write if to_stdout else chunks.append
    source: Any = sys.stdin.buffer if input_path == "-" else Path(input_path).open("rb")  # noqa: SIM115
    try:
        with source, _progress(source) as progress:
            predict_stream(
                scorer,
                source,
                write,
                content_type=SHORT_NAMES[content_type],
                chunk_rows=chunk_rows,
                progress=progress,
            )
    except ScoringError as exc:
        typer.echo(f"mlmodel predict: {exc.error_code}: {exc.message}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    if to_stdout:
        sys.stdout.buffer.flush()
    else:
        from mlmodel.core.fsio import write_file

        write_file(str(output_path), b"".join(chunks))


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(source: Any) -> Any:
    """A rich progress bar over the input bytes when stderr is a terminal, else nothing."""
    import contextlib
    import os

    if not sys.stderr.isatty():
        return _NoProgress()
    try:
        total = os.fstat(source.fileno()).st_size or None
    except (OSError, ValueError, AttributeError):
        total = None

    @contextlib.contextmanager
    def bar() -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task("scoring", total=total)
            yield lambda done: progress.update(task, completed=done)

    return bar()
