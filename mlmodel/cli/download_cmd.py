"""``mlmodel download``: fetch a model from a URI as a plain directory, whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.app import app

if TYPE_CHECKING:
    from mlmodel.core.uris import ModelUri


def validate_arrived(model_dir: Path, uri: str) -> None:
    """The loader's own pre-load check: an invalid model raises InvalidModelError (exit 1)
    with its diagnostics, naming the model by ``uri`` (not the staging folder)."""
    from mlmodel.core.errors import ModelNotFoundError
    from mlmodel.core.names import MLMODEL_NAME
    from mlmodel.modeldir.location import ModelLocation
    from mlmodel.runtime.gate import validate_location  # the one pre-load check

    file = model_dir / MLMODEL_NAME
    if not file.is_file():  # named by the URI, not by the staging folder
        raise ModelNotFoundError(f"{uri}: not a model (no {MLMODEL_NAME} file at its root)")
    location = ModelLocation.fetched(file, uri)
    validate_location(location, location.file.read_bytes())


def _default_dir(parsed: ModelUri) -> Path:
    tail = parsed.uri.rstrip("/").rsplit("/", 1)[-1].replace("@", "-")
    return Path(tail.rsplit(":", 1)[-1] or "model")


@app.command()
def download(
    uri: Annotated[
        str,
        typer.Argument(
            metavar="URI",
            help="runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, "
            "models:/<name>/latest, models:/<model_id>, or an artifact-store URI.",
        ),
    ],
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]",
            help="The model directory to create (must not exist, or be empty); default: "
            "the URI's last segment, in the current folder.",
            show_default=False,
        ),
    ] = None,
    progress: Annotated[
        bool,
        typer.Option("--progress/--no-progress", help="Progress bar (only on a terminal)."),
    ] = True,
) -> None:
    """Download the model URI names into DIR, through MLflow's client
    (MLFLOW_TRACKING_URI), and validate it before it takes its name.

    A half-downloaded or invalid model never appears as DIR. Exit status: 0 downloaded
    and valid, 1 the model does not validate (nothing written), 2 usage errors (a malformed
    URI, an unknown run, model or version, DIR exists).
    """
    import sys

    from mlmodel.core.uris import is_model_uri, parse_model_uri
    from mlmodel.tracking.resolve import fetch

    if not is_model_uri(uri) and not Path(uri).exists():
        from mlmodel.core.errors import ModelNotFoundError

        raise ModelNotFoundError(f"{uri}: no such file or directory")
    source = uri if is_model_uri(uri) else Path(uri).absolute().as_uri()
    parsed = parse_model_uri(source)
    target = directory if directory is not None else _default_dir(parsed)

    def check(staging: Path) -> None:
        validate_arrived(staging, uri.strip())  # findings name the model as it was given

    if progress and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import DownloadColumn, Progress, SpinnerColumn, TextColumn

        bar = Progress(
            SpinnerColumn(),
            TextColumn(f"downloading {parsed.uri}"),
            DownloadColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = bar.add_task("download", total=None)
        with bar:
            fetch(
                source,
                lambda _: target,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                check=check,
            )
    else:
        fetch(source, lambda _: target, check=check)
    typer.echo(str(target))
