"""``spark_udf(..., env_manager=...)``: which managers Spark takes, and the model's
environment prepared on the driver and on each executor from the same files.

The driver prepares the environment once, after the model is admitted, in the cache
:mod:`mlmodel.environments.cache` keeps (the same key, lock and ready marker as ``mlmodel
serve --env-manager``, with the same mlmodel extras, so one environment serves all three);
executors on the same machine then reuse it, and executors elsewhere create their own from
the model files shipped with the job (the key's lock makes their Python workers create it
once). Where the cache is: an executor's own ``MLMODEL_ENV_ROOT`` when it sets one, else
the root the driver used when the executor can create it (the same folder on one machine, or
a shared one), else the executor's default root.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mlmodel.core.errors import InvalidParameterError

if TYPE_CHECKING:
    from mlmodel.environments.prepare import PreparedEnvironment

#: the managers that run the model in its own environment
ISOLATED: Final = ("uv", "virtualenv")
#: what ``env_manager`` takes (None is ``local``)
ACCEPTED: Final = ("local", *ISOLATED)
#: mlmodel's extras in the environment: those of ``mlmodel serve`` and ``predict``
#: (pandas, numpy, pyarrow for the wire), so the three share one environment per model
EXTRAS: Final = ("serve",)

_log = logging.getLogger("mlmodel.spark")


def check_env_manager(env_manager: str | None) -> str | None:
    """``uv`` or ``virtualenv`` for a model run in its own environment, None for ``local``
    (or None); anything else is an :class:`~mlmodel.core.errors.InvalidParameterError`."""
    if env_manager is None or env_manager == "local":
        return None
    if env_manager in ISOLATED:
        return env_manager
    conda = (
        " (MLflow's conda manager is not supported: give the model a python_env.yaml or "
        "requirements.txt and use uv or virtualenv)"
        if env_manager == "conda"
        else ""
    )
    raise InvalidParameterError(
        f"env_manager={env_manager!r} is not supported: use one of "
        f"{', '.join(map(repr, ACCEPTED))}{conda}"
    )


def _say(message: str) -> None:
    _log.info("%s", message)


def prepare_on_driver(model_dir: Path, manager: str, say: Callable[[str], None] = _say) -> str:
    """Create (or reuse) the environment of ``model_dir`` here, before any job; the cache
    root it is in, for the executors. Said on ``say`` (by default logged on
    ``mlmodel.spark`` at INFO): created or reused, and how long it took."""
    from mlmodel.environments.cache import env_root
    from mlmodel.environments.prepare import prepare_environment

    root = env_root().absolute()
    prepared = prepare_environment(model_dir, manager, EXTRAS, say=say, root=root)
    prepared.lock.close()  # the driver runs nothing in it
    return str(root)


def executor_root(driver_root: str) -> Path:
    """The cache root an executor uses (see the module's docstring)."""
    from mlmodel.environments.cache import env_root

    if os.environ.get("MLMODEL_ENV_ROOT"):
        return env_root()
    try:
        Path(driver_root).mkdir(parents=True, exist_ok=True)
    except OSError:
        return env_root()
    return Path(driver_root)


def prepare_on_executor(model_dir: Path, manager: str, driver_root: str) -> PreparedEnvironment:
    """The environment of a shipped model directory on this executor, reused when ready,
    else created once across its Python workers; its lock is held shared."""
    from mlmodel.environments.prepare import prepare_environment

    return prepare_environment(
        model_dir, manager, EXTRAS, say=_say, root=executor_root(driver_root)
    )
