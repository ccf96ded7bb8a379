"""``mlmodel download``: fetch a model from a URI as a plain directory, whole or not at all."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from mlmodel.cli.app import app
from mlmodel.core.errors import UsageError

if TYPE_CHECKING:
    from mlmodel.core.diagnostics import Diagnostic
    from mlmodel.core.uris import ModelUri


#: what ``--allow-invalid`` still refuses: a model whose paths lead out of its directory
#: (absolute, ``..``, a symlink out, a path no file system holds) is no model to work on
PATH_ESCAPES: Final = frozenset({"V501", "V502", "V503", "V509"})


def check_arrived(
    model_dir: Path, uri: str, *, allow_invalid: bool = False, target: Path | None = None
) -> list[Diagnostic]:
    """The gate's validated read of a downloaded model (the MLmodel read within bounds,
    parsed once, its paths checked), before it takes its name. An invalid model raises
    InvalidModelError (exit 1) with its diagnostics, naming the model by ``uri`` (not the
    staging folder). With ``allow_invalid`` only path escapes are refused; the errors are
    returned, named after ``target``'s MLmodel (where they are to be fixed)."""
    from mlmodel.core.errors import InvalidModelError, ModelNotFoundError
    from mlmodel.core.names import MLMODEL_NAME
    from mlmodel.modeldir.location import ModelLocation, resolve_mlmodel_path
    from mlmodel.runtime.gate import examine, invalid_model_error

    if not os.path.lexists(model_dir / MLMODEL_NAME):  # named by the URI, not the staging one
        raise ModelNotFoundError(f"{uri}: not a model (no {MLMODEL_NAME} file at its root)")
    location = ModelLocation.fetched(resolve_mlmodel_path(model_dir), uri)
    examined = examine(location)
    errors = examined.errors
    refused = [d for d in errors if not allow_invalid or d.code in PATH_ESCAPES]
    if refused:
        error = invalid_model_error(location.shown, refused)
        if not allow_invalid:
            raise error
        raise InvalidModelError(
            f"{error.message}\n(--allow-invalid keeps a model with errors, never one whose "
            "paths lead out of its directory)",
            refused,
        )
    if not errors or target is None:
        return errors
    shown = str(target / location.file.name)
    return [d.with_file(shown) for d in errors]


def default_dir(parsed: ModelUri) -> Path:
    """Where ``mlmodel download URI`` puts the model without a DIR, in the current folder:
    the registered model's name for every ``models:/NAME...`` form (``/1``, ``/latest``,
    ``/Production``, ``@champion``: all ``NAME``), the model id for ``models:/<model_id>``,
    else the URI's last path segment (``runs:/<id>/model``: ``model``)."""
    from mlmodel.core.uris import MODELS

    if parsed.kind == MODELS:
        name = parsed.name if parsed.name is not None else parsed.model_id
        if name:
            return Path(name)
    tail = parsed.uri.rstrip("/").rsplit("/", 1)[-1]
    return Path(tail.rsplit(":", 1)[-1] or "model")


#: ``scheme:`` at the start of a text: two letters at least, so ``C:\model`` is a path
_LOOKS_LIKE_URI: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def unknown_scheme(text: str) -> UsageError | None:
    """The usage error for ``bogus:/x``: a URI whose scheme MLflow's client does not
    resolve, naming the schemes it does; None for anything else."""
    from mlmodel.core.uris import SCHEMES, scheme_of

    match = _LOOKS_LIKE_URI.match(text)
    if match is None or scheme_of(text) is not None:
        return None
    known = ", ".join(f"{scheme}:" for scheme in sorted(SCHEMES))
    return UsageError(f"{text}: unknown URI scheme {match.group(1)!r}; known: {known}")


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
            help="The model directory to create (must not exist, or be empty); default, in "
            "the current folder: the registered name for models:/NAME/VERSION, /latest, "
            "/STAGE and @ALIAS, the id for models:/<model_id>, else the URI's last segment "
            "(runs:/<run_id>/model: model).",
            show_default=False,
        ),
    ] = None,
    progress: Annotated[
        bool,
        typer.Option("--progress/--no-progress", help="Progress bar (only on a terminal)."),
    ] = True,
    allow_invalid: Annotated[
        bool,
        typer.Option(
            "--allow-invalid",
            help="Download a model with errors too (to fix it: mlmodel lint --fix DIR); its "
            "errors are printed. Paths leading out of the model directory are still refused.",
        ),
    ] = False,
) -> None:
    """Download the model URI names into DIR, through MLflow's client
    (MLFLOW_TRACKING_URI), and validate it before it takes its name.

    A half-downloaded or invalid model never appears as DIR. With --allow-invalid a model
    with errors is downloaded, its errors printed to standard error as validate prints them
    (naming DIR's MLmodel), to be fixed there; one whose paths lead out of its directory
    (V501, V502, V503, V509) is still refused. Exit status: 0 downloaded (and valid, unless
    --allow-invalid), 1 the model does not validate (nothing written), 2 usage errors (a
    malformed URI, an unknown run, model or version, DIR exists).
    """
    import sys

    from mlmodel.core.uris import FILE, is_model_uri, parse_model_uri
    from mlmodel.tracking.resolve import fetch

    if not is_model_uri(uri) and not Path(uri).exists():
        from mlmodel.core.errors import ModelNotFoundError

        refused = unknown_scheme(uri.strip())
        if refused is not None:
            raise refused
        raise ModelNotFoundError(f"{uri}: no such file or directory")
    source = uri if is_model_uri(uri) else Path(uri).absolute().as_uri()
    parsed = parse_model_uri(source)
    target = directory if directory is not None else default_dir(parsed)
    if parsed.kind == FILE:  # a local model is checked before it is copied: a missing path
        # is a usage error, an MLmodel that is a FIFO is V115 (never handed to the copy)
        local = Path(uri) if not is_model_uri(uri) else Path(str(parsed.path))
        check_arrived(local, uri.strip(), allow_invalid=allow_invalid)

    kept: list[Diagnostic] = []

    def check(staging: Path) -> None:  # refusals name the model as it was given
        kept[:] = check_arrived(staging, uri.strip(), allow_invalid=allow_invalid, target=target)

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
    for found in kept:
        typer.echo(str(found), err=True)
    if kept:
        typer.echo(
            f"mlmodel download: {target}: downloaded with {len(kept)} error(s) "
            f"(--allow-invalid); fix them there, e.g. mlmodel lint --fix {target}",
            err=True,
        )
    typer.echo(str(target))
