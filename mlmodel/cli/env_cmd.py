"""``mlmodel env``: the model's own environment. ``env check MODEL``: the model's requirements
against the packages installed here (:mod:`mlmodel.environments.drift`), for a CI gate;
``env list`` / ``env prune``: the cached environments that ``--env-manager uv|virtualenv``
creates (:mod:`mlmodel.environments.cache`)."""

from __future__ import annotations

import enum
import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import EXIT_CLEAN, EXIT_FINDINGS, usage
from mlmodel.cli.options import ColorOption, ModelArgument
from mlmodel.cli.output import ColorChoice

if TYPE_CHECKING:
    from mlmodel.environments.drift import DriftReport

env_app = typer.Typer(
    name="env",
    help="The model's own environment: check the installed packages against its requirements; "
    "list and prune the environments --env-manager uv|virtualenv creates.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(env_app, name="env")


class EnvFormat(enum.StrEnum):
    """The values of ``mlmodel env check --format`` and ``mlmodel env list --format``."""

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
        EnvFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a table for a terminal; json: model, source, packages (name, "
            "required, installed, verdict, matters, framework), mismatches, matters.",
        ),
    ] = EnvFormat.text,
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
    if output_format is EnvFormat.json:
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


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


@env_app.command("list")
def list_command(
    output_format: Annotated[
        EnvFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: one line per environment; json: a list of objects (key, path, state, "
            "in_use, last_used and the ready marker's fields).",
        ),
    ] = EnvFormat.text,
) -> None:
    """List the environments of the cache (MLMODEL_ENV_ROOT, default ~/.cache/mlmodel/envs):
    key, manager, Python, requirements, last use, and whether it is ready, unfinished (a
    creation that was stopped) or in use."""
    from mlmodel.environments.cache import env_root, list_environments

    root = env_root()
    found = list_environments(root)
    now = time.time()
    if output_format is EnvFormat.json:
        records = []
        for env in found:
            record = {
                "key": env.key,
                "path": str(env.path),
                "state": "ready" if env.ready else "unfinished",
                "in_use": env.in_use,
                "last_used": env.last_used,
                **(env.metadata or {}),
            }
            records.append(record)
        typer.echo(json.dumps(records, indent=2, sort_keys=True))
        return
    if not found:
        typer.echo(f"no environments in {root}")
        return
    typer.echo(f"{len(found)} environment{'s' * (len(found) != 1)} in {root}")
    for env in found:
        meta = env.metadata or {}
        state = ("ready" if env.ready else "unfinished") + (", in use" if env.in_use else "")
        requirements = ", ".join(meta.get("requirements", [])) or "-"
        typer.echo(
            f"{env.key[:12]}  {meta.get('manager', '?'):<10}  python {meta.get('python', '?'):<8}"
            f"  used {_age(now - env.last_used)} ago  {state}  {requirements}"
        )


@env_app.command("prune")
def prune_command(
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            help="Also remove ready environments not used for DAYS days.",
            show_default=False,
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Remove every environment not in use.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove unfinished environments (creations that were stopped), and with --older-than
    or --all ready ones; never an environment in use (its lock held by a server, a predict
    or a creation)."""
    from mlmodel.environments.cache import env_root, prune

    if older_than is not None and older_than < 0:
        raise usage("env prune", "--older-than must not be negative")
    removed, busy = prune(older_than_days=older_than, everything=everything, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for env in removed:
        state = "ready" if env.ready else "unfinished"
        typer.echo(f"{verb} {env.key[:12]} ({state})")
    for env in busy:
        typer.echo(f"kept {env.key[:12]} (in use)")
    typer.echo(
        f"{verb} {len(removed)} environment{'s' * (len(removed) != 1)} from {env_root()}"
        + (f"; {len(busy)} in use kept" if busy else "")
    )
