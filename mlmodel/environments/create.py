"""Creating an environment in place: a venv on the chosen interpreter (``uv venv`` or the
standard library's ``venv``), then one install of the model's requirements together with
mlmodel and the extras the command needs (``uv pip install`` or the venv's pip), so the
installer resolves them at once: the model's pins win where they overlap, and a conflict
with mlmodel's own requirements fails with the installer's message.

Bytecode is not compiled at creation (uv's default; pip is told ``--no-compile``): the
first start writes it for the modules it imports, where ``__pycache__`` may be written.
Compiling everything at creation was measured: on an MLflow-saved scikit-learn model, a
creation of 15.6 s instead of 3.3 s, for a cached start of 2.3 s instead of 5.4 s only where
bytecode cannot be written (``PYTHONDONTWRITEBYTECODE``).

Nothing here decides readiness: :mod:`mlmodel.environments.prepare` writes the marker after
:func:`create_environment` returns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from mlmodel.core.errors import MissingDependencyError, ModelLoadError
from mlmodel.environments.interpreters import Interpreter, uv_binary
from mlmodel.environments.spec import EnvironmentSpec

__all__ = ["create_environment", "env_python", "mlmodel_install_target", "uv_or_error"]

LOG_FILE = "mlmodel-create.log"
_DEFAULT_CREATE_TIMEOUT = 3600.0
_LOG_TAIL_LINES = 25


def env_python(env_dir: Path) -> Path:
    """The interpreter of the environment at ``env_dir``."""
    return env_dir / "bin" / "python"


def uv_or_error() -> Path:
    """The uv binary, or a :class:`~mlmodel.core.errors.MissingDependencyError` naming the
    uv extra."""
    found = uv_binary()
    if found is None:
        raise MissingDependencyError.for_extra("uv", "--env-manager uv", "uv")
    return found


def mlmodel_install_target(extras: Sequence[str], work_dir: Path) -> str:
    """What the installer installs for mlmodel itself, with ``extras``: a wheel of the
    running mlmodel written into ``work_dir``
    (:func:`~mlmodel.environments.self_wheel.build_self_wheel`: its installed files repacked,
    or its source checkout built on a copy), so the environment runs the same mlmodel, offline
    and without a release on a package index."""
    from mlmodel.environments.self_wheel import build_self_wheel

    suffix = f"[{','.join(sorted(set(extras)))}]" if extras else ""
    wheel = build_self_wheel(work_dir)
    return f"mlmodel{suffix} @ {wheel.resolve().as_uri()}"


def _timeout() -> float:
    try:
        return float(os.environ.get("MLMODEL_ENV_CREATE_TIMEOUT", _DEFAULT_CREATE_TIMEOUT))
    except ValueError:
        return _DEFAULT_CREATE_TIMEOUT


def _run(command: list[str], log: Path, cwd: Path, what: str, env: dict[str, str]) -> None:
    """Run one installer step, its output appended to ``log``; a failure is a
    :class:`~mlmodel.core.errors.ModelLoadError` quoting the end of that output."""
    with log.open("ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        start = out.tell()
        out.flush()
        try:
            done = subprocess.run(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=cwd,
                env=env,
                timeout=_timeout(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ModelLoadError(f"{what} did not finish in {_timeout():.0f} s") from None
        except OSError as exc:
            raise ModelLoadError(f"{what} could not start: {exc}") from None
    if done.returncode != 0:
        with log.open("rb") as written:
            written.seek(start)
            lines = written.read().decode("utf-8", errors="replace").splitlines()
        tail = "\n".join(lines[-_LOG_TAIL_LINES:])
        raise ModelLoadError(f"{what} failed (exit {done.returncode}):\n{tail}")


def _installer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("VIRTUAL_ENV", None)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def create_environment(
    env_dir: Path,
    interpreter: Interpreter,
    manager: str,
    spec: EnvironmentSpec,
    extras: Sequence[str],
) -> None:
    """Create the environment at ``env_dir`` (which must not exist): a venv on
    ``interpreter``, then the model's requirements and constraints and mlmodel with
    ``extras``, in one install (``manager``: ``uv`` or ``virtualenv``). The installer runs
    in the model directory, so the requirements' relative paths mean what they meant there.
    """
    env_dir.mkdir(parents=True)
    log = env_dir / LOG_FILE
    env = _installer_env()
    requirements = env_dir / "mlmodel-requirements.txt"
    requirements.write_text("".join(f"{line}\n" for line in spec.requirements), encoding="utf-8")
    arguments = ["-r", str(requirements)]
    if spec.constraints:
        constraints = env_dir / "mlmodel-constraints.txt"
        constraints.write_text("".join(f"{line}\n" for line in spec.constraints), encoding="utf-8")
        arguments += ["-c", str(constraints)]
    work = env_dir / ".mlmodel-build"
    arguments.append(mlmodel_install_target(extras, work))
    python = env_python(env_dir)
    what = f"the model's requirements ({spec.source or 'none'}) with mlmodel[{','.join(extras)}]"
    if manager == "uv":
        uv = str(uv_or_error())
        venv = [uv, "venv", "--allow-existing", "--no-python-downloads"]
        venv += ["--python", str(interpreter.path)]
        _run([*venv, str(env_dir)], log, spec.model_dir, "uv venv", env)
        install = [uv, "pip", "install", "--python", str(python), *arguments]
        _run(install, log, spec.model_dir, f"uv pip install of {what}", env)
    else:
        venv = [str(interpreter.path), "-m", "venv", str(env_dir)]
        _run(venv, log, spec.model_dir, "python -m venv", env)
        install = [str(python), "-m", "pip", "install", "--no-compile", *arguments]
        _run(install, log, spec.model_dir, f"pip install of {what}", env)
    shutil.rmtree(work, ignore_errors=True)
