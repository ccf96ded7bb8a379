"""``mlmodel env``: the cached model environments that ``--env-manager uv|virtualenv``
creates (``list``, ``prune``)."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from mlmodel.cli.app import app
from mlmodel.cli.errors import usage

env_app = typer.Typer(
    name="env",
    help="The model environments --env-manager uv|virtualenv creates: list and prune them.",
    no_args_is_help=True,
)
app.add_typer(env_app, name="env")


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


@env_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the environments of the cache (MLMODEL_ENV_ROOT, default ~/.cache/mlmodel/envs):
    key, manager, Python, requirements, last use, and whether it is ready, unfinished (a
    creation that was stopped) or in use."""
    from mlmodel.environments.cache import env_root, list_environments

    root = env_root()
    found = list_environments(root)
    now = time.time()
    if as_json:
        for env in found:
            record = {
                "key": env.key,
                "path": str(env.path),
                "state": "ready" if env.ready else "unfinished",
                "in_use": env.in_use,
                "last_used": env.last_used,
                **(env.metadata or {}),
            }
            typer.echo(json.dumps(record, sort_keys=True))
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
