"""``mlmodel env``: the model's own environment. ``env check MODEL``: the model's requirements
against the packages installed here (:mod:`mlmodel.environments.drift`), for a CI gate."""

from __future__ import annotations

import enum
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import EXIT_CLEAN, EXIT_FINDINGS
from mlmodel.cli.options import ColorOption, ModelArgument
from mlmodel.cli.output import ColorChoice

if TYPE_CHECKING:
    from mlmodel.environments.drift import DriftReport

env_app = typer.Typer(
    name="env",
    help="The model's own environment: check the installed packages against its requirements.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(env_app, name="env")


class CheckFormat(enum.StrEnum):
    """The values of ``mlmodel env check --format``."""

    text = "text"
    json = "json"


_STYLES = {
    "ok": "green",
    "mismatch-patch": "yellow",
    "mismatch-minor": "yellow",
    "mismatch-major": "red",
    "missing": "red",
}


@env_app.command("check")
def check(
    model: ModelArgument,
    output_format: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a table for a terminal; json: model, source, packages (name, "
            "required, installed, verdict, matters, framework), mismatches, matters.",
        ),
    ] = CheckFormat.text,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 1 on any mismatch or missing package (MLflow's own excepted), not only "
            "on those that matter.",
        ),
    ] = False,
    color: ColorOption = ColorChoice.auto,
) -> None:
    """Compare the model's requirements (requirements.txt, else its conda file's pip
    section) with the packages installed in this Python, one row per requirement: package,
    required, installed, verdict (ok, mismatch-patch, mismatch-minor, mismatch-major,
    missing, unpinned, skipped-marker, unjudged).

    A mismatch matters when it is a major or minor version of the model's framework (the
    library of its flavor: scikit-learn, xgboost, lightgbm...) or a missing package;
    MLflow's own packages never matter (mlmodel replaces them). A model without
    requirements is said to have none (exit 0: there is nothing to drift from; `mlmodel
    lint` reports it as MLM401).

    Exit status: 0, 1 when a mismatch matters (with --strict: any mismatch), 2 when there
    is no model there.
    """
    from mlmodel.environments.drift import check_model

    report = check_model(model)
    if output_format is CheckFormat.json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        from mlmodel.cli.output import use_color

        _write_table(report, color=use_color(color, sys.stdout))
    raise typer.Exit(EXIT_FINDINGS if report.failed(strict=strict) else EXIT_CLEAN)


def _write_table(report: DriftReport, *, color: bool) -> None:
    from rich.table import Table

    from mlmodel.report.console import make_console

    console = make_console(sys.stdout, color=color)
    if not report.has_requirements:
        console.print(
            f"{report.model}: the model lists no requirements (no requirements.txt, no pip "
            "section in its conda file): nothing to compare"
        )
        return
    table = Table(title=f"{report.model} ({report.source})", title_justify="left")
    for column in ("package", "required", "installed", "verdict"):
        table.add_column(column)
    for package in report.packages:
        verdict = package.verdict.value + (" (matters)" if package.matters else "")
        style = _STYLES.get(package.verdict.value, "dim")
        table.add_row(
            package.name,
            package.required or "(any)",
            package.installed or "-",
            f"[{style}]{verdict}[/]",
        )
    console.print(table)
    mismatches = len(report.mismatches)
    mattering = sum(p.matters for p in report.packages)
    if not report.packages:
        console.print("the requirements file lists no package")
    elif mismatches:
        noun = "mismatch" if mismatches == 1 else "mismatches"
        verb = "matters" if mattering == 1 else "matter"
        console.print(f"{mismatches} {noun}, {mattering} that {verb}")
    else:
        console.print("no mismatch")
