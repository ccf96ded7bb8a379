"""Arguments and options several commands share."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


ModelPath = Annotated[
    Path,
    typer.Argument(
        metavar="PATH", help="A model directory or an MLmodel file (any name).", show_default=False
    ),
]
ModelPaths = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATH...",
        help="Model directories or MLmodel files (any name).",
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
StrictOption = Annotated[bool, typer.Option(help="Exit 1 on warnings too.")]
IsolatedOption = Annotated[
    bool,
    typer.Option(
        "--isolated",
        help="Read no configuration file and honour no suppression inside the model "
        "(for checking models you do not own).",
    ),
]
MLflowVersionOption = Annotated[
    str | None,
    typer.Option(
        "--mlflow-version",
        metavar="X.Y",
        help="Judge the model against this MLflow release (default: [tool.mlmodel] "
        "mlflow-version, else the newest).",
        show_default=False,
    ),
]
