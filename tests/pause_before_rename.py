"""Run a Python program whose writes pause just before they take their name (test-only).

    python tests/pause_before_rename.py MARKER -m mlmodel ARGS...
    python tests/pause_before_rename.py MARKER SCRIPT.py ARGS...

The crash and concurrency tests (``tests/core/test_fsio.py``, ``tests/tracking/test_tracking.py``) stop a
writer at its last step: a replaced or in-place file once its new bytes are written and
fsynced, right before the lock-and-compare and rename (``mlmodel.core.fsio._checked``); an
atomic directory once its tree is fsynced, right before the rename of its
``*.mlmodel-tmp`` folder. There the program creates ``MARKER.ready`` and waits (at most 30 s)
until ``MARKER.go`` exists; meanwhile the test edits the file, signals or kills the writer.

The pause is patched into this process before the program runs: production code has no
hook. Should ``fsio`` lose the function patched here, the program fails at start and the
test waiting for ``MARKER.ready`` fails with its output.
"""

from __future__ import annotations

import contextlib
import runpy
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
WAIT_SECONDS = 30.0


def command(marker: Path, *argv: str) -> list[str]:
    """The command line running ``python *argv`` with its writes paused at ``marker``."""
    return [sys.executable, str(SCRIPT), str(marker), *argv]


def _pause(marker: str) -> None:
    Path(marker + ".ready").touch()
    deadline = time.monotonic() + WAIT_SECONDS
    while not Path(marker + ".go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def install(marker: str) -> None:
    """Pause before every file write's check-and-rename and every atomic directory's rename."""
    from mlmodel.core import fsio

    checked = fsio._checked  # an AttributeError here fails the test, as it should

    @contextlib.contextmanager
    def paused_checked(real: Path, expected: Any) -> Iterator[None]:
        _pause(marker)
        with checked(real, expected):
            yield

    fsio._checked = paused_checked
    rename = Path.rename

    def paused_rename(self: Path, target: Any) -> Path:
        if self.name.endswith(fsio.TEMP_SUFFIX):
            _pause(marker)
        return rename(self, target)

    Path.rename = paused_rename  # type: ignore[method-assign, assignment]


def main(argv: list[str]) -> None:
    if len(argv) < 2 or (argv[1] == "-m" and len(argv) < 3):
        raise SystemExit(f"usage: {SCRIPT.name} MARKER (-m MODULE | SCRIPT) [ARGS...]")
    marker, *program = argv
    install(marker)
    if program[0] == "-m":
        sys.path[0] = ""  # as `python -m`: the current directory, not tests/
        sys.argv = program[1:]
        runpy.run_module(program[1], run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = str(Path(program[0]).resolve().parent)  # as `python SCRIPT`
        sys.argv = program
        runpy.run_path(program[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
