"""``mlmodel generate-dockerfile``: a build context whose container serves the model on 8080."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import ModelArgument


@app.command("generate-dockerfile")
def generate_dockerfile(
    model: ModelArgument,
    output: Annotated[
        str, typer.Option("--output-directory", "-o", help="The build context to create.")
    ] = "mlmodel-dockerfile",
    mlmodel_requirement: Annotated[
        str,
        typer.Option(
            "--mlmodel-requirement",
            help="What the image pip-installs for mlmodel (a name, a version pin or a URL).",
        ),
    ] = "mlmodel[serve,sklearn]",
) -> None:
    """Write a Docker build context (Dockerfile + the model) whose container runs
    `mlmodel serve` on 0.0.0.0:8080 with the model's requirements installed.

    Exit status: 0, 1 when the model does not validate, 2 when the output exists.
    """
    from mlmodel.serve.dockerfile import generate

    path = generate(model, output, mlmodel_requirement=mlmodel_requirement)
    typer.echo(f"wrote {path}/Dockerfile; build with: docker build -t IMAGE {path}")
