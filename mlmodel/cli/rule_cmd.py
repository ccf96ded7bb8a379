"""``mlmodel rule``: explain a code from the catalogue (``mlmodel rule V402``, ``--all``)."""

from __future__ import annotations

from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage


@app.command()
def rule(
    code: Annotated[
        str | None,
        typer.Argument(metavar="CODE", help="A code: V402, MLM104...", show_default=False),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every code.")] = False,
) -> None:
    """Explain a code (name, family, severity, fix, description and examples), or list them.

    Exit status: 0, or 2 for an unknown code.
    """
    from mlmodel.checking.lint.docs import details
    from mlmodel.core.codes import CODES

    if show_all or code is None:
        if code is not None:
            raise usage("rule", "give a CODE or --all, not both")
        width = max(len(entry.name) for entry in CODES.values())
        for listed in CODES.values():
            fix = f" [{listed.fix} fix]" if listed.fix else ""
            summary = (
                f"retired: reported as {listed.replaced_by}" if listed.retired else listed.summary
            )
            typer.echo(
                f"{listed.code:<7} {listed.name:<{width}}  {listed.family:<8} "
                f"{listed.severity.value:<7} {summary}{fix}"
            )
        raise typer.Exit(0)
    found = CODES.get(code.strip().upper())
    if found is None:
        raise usage("rule", f"unknown code {code!r}; see mlmodel rule --all")
    entry = found
    how = {"safe": "safe (lint --fix)", "unsafe": "unsafe (lint --fix --unsafe-fixes)"}
    typer.echo(f"{entry.code} {entry.name}")
    typer.echo(f"family:   {entry.family}: {_family(entry.family)}")
    typer.echo(f"severity: {entry.severity.value}")
    typer.echo(f"fix:      {how[entry.fix] if entry.fix else 'none'}")
    if entry.security:
        typer.echo("security: never silenced by a suppression inside the model")
    typer.echo("")
    typer.echo(details(entry.code).rstrip())
    raise typer.Exit(0)


def _family(family: str) -> str:
    from mlmodel.core.codes import FAMILIES

    return FAMILIES[family]  # type: ignore[index]
