"""The Python interpreter an environment is built on: the version a model asks for, among
those installed here (the running one, ``python3.X`` on PATH, pyenv's versions, and ``uv
python find`` for uv). Nothing is downloaded: a version that is not installed is an error
naming it and what is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlmodel.core.errors import MissingDependencyError

__all__ = ["Interpreter", "find_python", "installed_pythons", "running_python", "uv_binary"]

_VERSION_SCRIPT = "import sys; print('.'.join(map(str, sys.version_info[:3])))"
_PROBE_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class Interpreter:
    """An installed Python: its executable and its X.Y.Z version."""

    path: Path
    version: str


def running_python() -> Interpreter:
    """The interpreter running mlmodel."""
    info = sys.version_info
    return Interpreter(Path(sys.executable), f"{info.major}.{info.minor}.{info.micro}")


def _numbers(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for part in version.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def _matches(asked: tuple[int, ...], version: str) -> bool:
    """Whether ``version`` is the one asked: the same major.minor (as MLflow matches) and
    the same micro when one is asked."""
    return _numbers(version)[: len(asked)] == asked


def _probe(path: Path) -> str | None:
    """The X.Y.Z version ``path`` reports, or None when it does not run."""
    try:
        done = subprocess.run(
            [str(path), "-c", _VERSION_SCRIPT],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and _numbers(version) else None


def _candidates(uv: Path | None, asked: str | None) -> Iterator[tuple[Path, str | None]]:
    """Interpreters to try, with the version their name claims (None: ask it)."""
    home = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = home / "versions"
    if versions.is_dir():
        for folder in sorted(versions.iterdir()):
            executable = folder / "bin" / "python"
            if executable.is_file() and _numbers(folder.name):
                yield executable, folder.name
    names = {f"python3.{minor}" for minor in range(6, 20)} | {"python3"}
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or ".pyenv/shims" in directory:
            continue  # a shim runs pyenv's global choice, not the version its name says
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and os.access(path, os.X_OK):
                yield path, name[len("python") :] if name != "python3" else None
    if uv is not None and asked is not None:
        try:
            done = subprocess.run(
                [str(uv), "python", "find", "--no-python-downloads", asked],
                capture_output=True,
                text=True,
                timeout=_PROBE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return
        if done.returncode == 0 and done.stdout.strip():
            yield Path(done.stdout.strip()), None


def installed_pythons(uv: Path | None = None) -> list[Interpreter]:
    """Every Python found here, one per version (the running one first)."""
    found: dict[str, Interpreter] = {}
    running = running_python()
    found[running.version] = running
    for path, _ in _candidates(uv, None):
        version = _probe(path)
        if version is not None and version not in found:
            found[version] = Interpreter(path, version)
    return list(found.values())


def find_python(asked: str, uv: Path | None = None) -> Interpreter:
    """The installed Python of version ``asked`` (``3.11`` or ``3.11.7``): the exact X.Y.Z
    when it is installed, else the same X.Y (MLflow matches major.minor), the running
    interpreter first.

    Raises :class:`~mlmodel.core.errors.MissingDependencyError` naming the version asked
    and those installed when there is none (no Python is downloaded)."""
    wanted = _numbers(asked)
    if len(wanted) < 2:
        raise MissingDependencyError(
            f"the model asks for Python {asked!r}, which is not a version X.Y[.Z]",
            package=f"Python {asked}",
        )
    running = running_python()
    same_minor: Interpreter | None = running if _matches(wanted[:2], running.version) else None
    if same_minor is not None and _matches(wanted, running.version):
        return running
    seen: set[Path] = set()
    for path, claimed in _candidates(uv, asked):
        if claimed is not None and not _matches(_numbers(claimed)[:2], asked):
            continue
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        version = _probe(path)
        if version is None or not _matches(wanted[:2], version):
            continue
        if _matches(wanted, version):
            return Interpreter(path, version)
        same_minor = same_minor or Interpreter(path, version)
    if same_minor is not None:
        return same_minor
    installed = ", ".join(sorted({p.version for p in installed_pythons(uv)}, key=_numbers))
    raise MissingDependencyError(
        f"the model asks for Python {asked}, which is not installed here (installed: "
        f"{installed}); install Python {'.'.join(map(str, wanted[:2]))} (pyenv install, "
        "your system's packages, or uv python install), or use --env-manager local",
        package=f"Python {asked}",
    )


def uv_binary() -> Path | None:
    """The ``uv`` binary: the ``uv`` package's (the uv extra), else one on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        return Path(found) if found else None
    try:
        return Path(find_uv_bin())
    except FileNotFoundError:
        found = shutil.which("uv")
        return Path(found) if found else None
