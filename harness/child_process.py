"""Child processes of the tests and benchmarks: the environment they run in (this checkout
first on ``PYTHONPATH``, so the ``mlmodel`` under test is the one imported) and runs bounded
in time and address space. Importing this module has no side effects."""

from __future__ import annotations

import os
import resource
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: generous for a loaded 2-core CI machine: a run that takes this long has hung
TIMEOUT_SECONDS = 120.0
ADDRESS_SPACE_BYTES = 4 * 1024**3


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment with ROOT first on ``PYTHONPATH``, plus ``extra``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _address_space_cap(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child, before exec: its children inherit the cap
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_bounded(
    args: Sequence[str],
    *,
    timeout: float = TIMEOUT_SECONDS,
    address_space: int = ADDRESS_SPACE_BYTES,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` to its end with its output captured as text, killed after ``timeout``
    seconds (``subprocess.TimeoutExpired``), its address space capped at ``address_space``
    bytes. ``env`` defaults to :func:`child_env`. The exit code is the caller's to judge."""
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env() if env is None else env,
        cwd=cwd,
        preexec_fn=_address_space_cap(address_space),
        check=False,
    )
