"""``mlmodel openapi``: print the OpenAPI document ``mlmodel serve`` would serve for a model."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.options import ModelArgument


@app.command()
def openapi(
    model: ModelArgument,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the document to FILE (default: stdout)."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="NAME",
            help="The model's name in the V2 routes (as mlmodel serve names it by default: "
            "the registered name, or the folder's name).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the OpenAPI 3.1 document that `mlmodel serve MODEL` answers at /openapi.json,
    without starting a server: for API gateways and client generators.

    The model is validated and its MLmodel and serving_input_example.json read; nothing is
    loaded, unpickled or imported from it.

    Exit status: 0, 1 when the model does not validate, 2 for usage errors.
    """
    from mlmodel.core.fsio import write_file
    from mlmodel.serve.server import ServeOptions, openapi_for

    document = openapi_for(ServeOptions(model=model, model_name=name, caller="cli"))
    if output is None or output == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
        return
    write_file(output, document)
