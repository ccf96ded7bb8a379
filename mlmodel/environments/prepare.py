"""A ready environment for a model: read what defines it, find its Python, reuse the cached
environment or create it (one creation across concurrent runs), and run mlmodel inside it.

The key's lock is held shared from the moment the environment is known ready until the
process ends: :func:`exec_mlmodel` keeps the descriptor across ``exec``, so the server or
batch job that runs in the environment holds it, and ``mlmodel env prune`` leaves it alone.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from mlmodel.environments import cache
from mlmodel.environments.create import create_environment, env_python, uv_or_error
from mlmodel.environments.interpreters import Interpreter, find_python, running_python
from mlmodel.environments.spec import EnvironmentSpec, environment_key, read_spec

__all__ = ["PreparedEnvironment", "exec_mlmodel", "prepare_environment"]

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PreparedEnvironment:
    """An environment ready to run the model, and how it was had."""

    key: str
    path: Path
    python: Path  #: its interpreter
    created: bool  #: created by this call (else reused)
    seconds: float  #: the time this call took
    lock: cache.KeyLock  #: held shared while the environment is used

    @property
    def short_key(self) -> str:
        return self.key[:12]


def _say_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _interpreter(asked: str | None, manager: str, say: Say) -> Interpreter:
    if asked is None:
        running = running_python()
        say(
            f"mlmodel: the model does not say which Python it needs; using the current "
            f"Python version {running.version}"
        )
        return running
    return find_python(asked, uv_or_error() if manager == "uv" else None)


def prepare_environment(
    model_dir: Path,
    manager: str,
    extras: Sequence[str],
    *,
    say: Say = _say_stderr,
    root: Path | None = None,
) -> PreparedEnvironment:
    """The environment of ``model_dir`` under ``manager`` (``uv`` or ``virtualenv``) with
    mlmodel's ``extras``: reused when the cache holds it ready, else created in place under
    the key's exclusive lock (an unfinished folder left by a killed creation is removed
    first), its marker written last. Says on ``say`` (stderr) whether it was created or
    reused and how long it took; the returned environment's lock is held shared."""
    started = time.monotonic()
    spec = read_spec(model_dir)
    interpreter = _interpreter(spec.python, manager, say)
    key = environment_key(spec, interpreter.version, manager, extras)
    root = cache.env_root() if root is None else root
    root.mkdir(parents=True, exist_ok=True)
    env_dir = root / key
    lock = cache.KeyLock(root, key)
    timeout = cache.lock_timeout()

    def waiting() -> None:
        say(f"mlmodel: waiting for environment {key[:12]} (another run is creating it)")

    try:
        lock.lock(exclusive=False, timeout=timeout, on_wait=waiting)
        created = False
        if not cache.is_ready(env_dir):
            lock.unlock()
            lock.lock(exclusive=True, timeout=timeout, on_wait=waiting)
            if not cache.is_ready(env_dir):  # nobody created it meanwhile
                _create(env_dir, key, interpreter, manager, spec, extras, say)
                created = True
            lock.lock(exclusive=False, timeout=timeout)  # downgrade: others may use it now
    except BaseException:
        lock.close()
        raise
    cache.touch_used(env_dir)
    seconds = time.monotonic() - started
    if created:
        say(f"environment {key[:12]} created in {seconds:.1f} s")
    else:
        say(f"reused environment {key[:12]} ({seconds:.2f} s)")
    return PreparedEnvironment(key, env_dir, env_python(env_dir), created, seconds, lock)


def _create(
    env_dir: Path,
    key: str,
    interpreter: Interpreter,
    manager: str,
    spec: EnvironmentSpec,
    extras: Sequence[str],
    say: Say,
) -> None:
    __version__: str = sys.modules["mlmodel"].__version__
    if cache.remove_unfinished(env_dir):
        say(f"mlmodel: removed the unfinished environment {key[:12]} (a creation was stopped)")
    pins = len(spec.requirements)
    say(
        f"mlmodel: creating environment {key[:12]} with {manager} (Python "
        f"{interpreter.version}, {pins} requirement{'s' * (pins != 1)} from "
        f"{spec.source or 'nothing'}, plus mlmodel[{','.join(extras)}]) in {env_dir}"
    )
    if spec.left_out:
        say(
            f"mlmodel: {', '.join(spec.left_out)} left out: mlmodel loads this model without "
            "MLflow (a native loader, no code of its own)"
        )
    started = time.monotonic()
    try:
        create_environment(env_dir, interpreter, manager, spec, extras)
    except BaseException:
        shutil.rmtree(env_dir, ignore_errors=True)
        raise
    cache.write_marker(
        env_dir,
        {
            "key": key,
            "manager": manager,
            "python": interpreter.version,
            "python_path": str(interpreter.path),
            "requirements": list(spec.requirements),
            "constraints": list(spec.constraints),
            "requirements_source": spec.source,
            "extras": list(extras),
            "model": str(spec.model_dir),
            "mlmodel_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - started, 3),
        },
    )


def exec_mlmodel(prepared: PreparedEnvironment, arguments: Sequence[str]) -> NoReturn:
    """Replace this process with ``<env>/bin/python -m mlmodel ARGUMENTS`` (signals reach
    the command directly). The environment's lock stays held by the new program; the
    environment's own packages are the only ones on its path (``PYTHONPATH`` is dropped,
    the user site is off)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VIRTUAL_ENV"] = str(prepared.path)
    env["PYTHONNOUSERSITE"] = "1"
    env["PATH"] = f"{prepared.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    prepared.lock.keep_across_exec()
    sys.stdout.flush()
    sys.stderr.flush()
    python = str(prepared.python)
    os.execve(python, [python, "-m", "mlmodel", *arguments], env)
