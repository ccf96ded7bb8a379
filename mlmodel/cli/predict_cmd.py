"""``mlmodel predict``: batch scoring of a file, the same input and output as the server and
as ``mlflow models predict``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from mlmodel.runtime.load.safety import TrustOptions


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
) -> None:
    """Score INPUT with MODEL and write {"predictions": ...} as JSON.

    JSON input is one /invocations payload (dataframe_split, dataframe_records, instances,
    inputs, params); CSV and parquet files are scored in chunks, in bounded memory. A
    progress bar is shown when standard error is a terminal.

    Exit status: 0, 1 when the model does not validate or load or rejects the input, 2 for
    usage errors (no such model or input, an output folder that does not exist, a missing
    extra), checked before the model loads.
    """
    from mlmodel.scoring.content_type import SHORT_NAMES

    if content_type not in SHORT_NAMES:
        raise usage("predict", f"--content-type must be one of {', '.join(SHORT_NAMES)}")
    if chunk_rows < 1:
        raise usage("predict", "--chunk-rows must be positive")
    if engine not in ("local", "spark"):
        raise usage("predict", "--engine must be local or spark")
    trust = trust_options(allow_unsafe, trust_type, trusted_key, require_signature)
    if engine != "spark" and (result_type is not None or overwrite or verbose):
        raise usage("predict", "--result-type, --overwrite and --verbose are for --engine spark")
    if engine == "spark":  # mlmodel.spark scores the dataset; Spark writes OUTPUT (a directory)
        from mlmodel.core.errors import MLModelError, UsageError
        from mlmodel.spark.batch import predict_command

        try:
            predict_command(
                model,
                input_path,
                output_path,
                master=master,
                content_type=content_type,
                trust=trust,
                result_type=result_type,
                overwrite=overwrite,
                verbose=verbose,
            )
        except UsageError as exc:
            raise usage("predict", str(exc)) from None
        except MLModelError as exc:
            typer.echo(f"mlmodel predict: {exc.error_code}: {exc}", err=True)
            raise typer.Exit(EXIT_FINDINGS) from None
        return
    _check_paths(input_path, output_path)  # before the model loads
    from mlmodel.core.errors import needs_extra, require_modules

    needed_by = "mlmodel predict"
    require_modules("serve", needed_by, ("numpy", "pandas", "pyarrow"))
    with needs_extra("serve", needed_by):
        _predict_local(model, input_path, output_path, content_type, chunk_rows, trust)


def _check_paths(input_path: str, output_path: str | None) -> None:
    """Usage errors for the input and output paths, before any expensive work."""
    if input_path != "-" and not Path(input_path).exists():
        raise usage("predict", f"{input_path}: no such file or directory")
    if output_path is not None and output_path != "-":
        folder = Path(output_path).parent
        if not folder.is_dir():
            raise usage("predict", f"{output_path}: no such directory: {folder}")


def _predict_local(
    model: str,
    input_path: str,
    output_path: str | None,
    content_type: str,
    chunk_rows: int,
    trust: TrustOptions,
) -> None:
    from mlmodel.runtime.gate import load_trusted
    from mlmodel.scoring.batch import predict_stream
    from mlmodel.scoring.content_type import SHORT_NAMES
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
