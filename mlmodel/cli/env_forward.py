"""``--env-manager uv|virtualenv``: prepare the model's environment, then run the same
command inside it (``<env>/bin/python -m mlmodel COMMAND MODEL ... --env-manager local``),
the options passed on as given, trust options included (trust never comes from the model).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from mlmodel.cli.errors import usage

if TYPE_CHECKING:
    from mlmodel.runtime.load.safety import TrustOptions

__all__ = ["check_env_manager", "forwarded_arguments", "run_in_environment"]


def check_env_manager(command: str, manager: str) -> None:
    """A usage error (exit 2) for a manager mlmodel does not know."""
    from mlmodel.environments import MANAGERS

    if manager not in MANAGERS:
        raise usage(command, f"--env-manager must be one of {', '.join(MANAGERS)}")


def forwarded_arguments(ctx: Any, command: str, model_dir: Path) -> list[str]:
    """``COMMAND MODEL_DIR`` and every option of ``ctx`` (a click context) whose value is
    not its default, as given, then ``--env-manager local``."""
    arguments = [command, str(model_dir)]
    for param in ctx.command.params:
        if param.param_type_name != "option" or param.name == "env_manager":
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value in ((), []):
            continue
        flag = next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
        if param.is_flag:
            if value:
                arguments.append(flag)
        elif param.multiple:
            for item in value:
                arguments += [flag, str(item)]
        else:
            arguments += [flag, str(value)]
    return [*arguments, "--env-manager", "local"]


def run_in_environment(
    ctx: Any,
    command: str,
    model: str,
    manager: str,
    extras: Sequence[str],
    trust: TrustOptions,
) -> NoReturn:
    """Prepare MODEL's environment under ``manager`` (with mlmodel's ``extras``) and replace
    this process with the command run inside it.

    The model is admitted first, under the command's ``trust`` (validated, the trust decision
    made and every pickle judged, nothing loaded): installing a refused model's requirements
    would run their build code for a model the command then refuses."""
    from mlmodel.environments.prepare import exec_mlmodel, prepare_environment
    from mlmodel.runtime.gate import admit

    model_dir = admit(model, trust, scan=True).model_dir.resolve()
    prepared = prepare_environment(model_dir, manager, extras)
    exec_mlmodel(prepared, forwarded_arguments(ctx, command, model_dir))
