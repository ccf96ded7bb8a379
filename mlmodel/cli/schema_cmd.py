"""``mlmodel schema``: print the JSON Schema of MLmodel files, or list the flavors."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage


@app.command()
def schema(
    flavor: Annotated[
        str | None,
        typer.Option(
            "--flavor",
            metavar="NAME",
            help="Print the schema of one flavor's settings (the mapping under flavors.NAME).",
            show_default=False,
        ),
    ] = None,
    list_flavors: Annotated[
        bool, typer.Option("--list-flavors", help="List the flavors mlmodel knows instead.")
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of MLmodel files, for editors and check-jsonschema.

    The same schema is published as schema/mlmodel.schema.json.

    Exit status: 0, or 2 for usage errors (an unknown flavor).
    """
    from mlmodel.checking import json_schema as jsonschema_export
    from mlmodel.core.errors import UsageError

    if list_flavors:
        if flavor is not None:
            raise usage("schema", "--flavor and --list-flavors exclude each other")
        flavors = jsonschema_export.list_flavors()
        width = max((len(f.name) for f in flavors), default=0)
        origin_width = max((len(f.origin) for f in flavors), default=0)
        for info in flavors:
            removed = f" (removed in MLflow {info.removed_in})" if info.removed_in else ""
            line = f"{info.name:<{width}}  {info.origin:<{origin_width}}  {info.summary}{removed}"
            typer.echo(line.rstrip())
        raise typer.Exit(0)
    if flavor is None:
        found = jsonschema_export.document_schema()
    else:
        try:
            found = jsonschema_export.flavor_schema(flavor)
        except UsageError as exc:
            raise UsageError(f"{exc}; see mlmodel schema --list-flavors") from None
    sys.stdout.write(jsonschema_export.dumps(found))
