"""How lint, inspect and convert scale with the size of an MLmodel file: time and peak memory.

Run from the repository root with the dev venv's interpreter::

    python bench/bench_scaling.py [--sizes 0.1,1,10] [--commands validate,lint,inspect,convert]

For each shape (``comments``: a valid model followed by comment lines; ``keys``: a metadata
mapping of many short keys; ``scalars``: a few very long string values) and each size in MiB,
an MLmodel file (at most that many bytes) is generated under a temporary directory, and every
command runs once in a fresh process (``python -m mlmodel <command> <dir>``, output to a
temporary file). A tiny launcher process (``python -S``, a few MB) starts each run and reads
its wall time and its peak memory, the child's ``ru_maxrss`` from ``os.wait4``: on Linux a
child's peak starts from its parent's size at ``fork``, so the launcher, not this script
(which holds the generated text), is the parent.

Printed: one row per (shape, command) with wall and CPU time and peak memory at each size,
the CPU cost of each extra MiB between consecutive sizes (about constant when the command is
linear in its input), and whether the largest size meets the target: under 10 s (CPU: on a
shared machine wall time includes waiting for a core) and 300 MB for every command.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.child_process import run_bounded
from harness.mlmodel_texts import SKLEARN_MLMODEL

MIB = 1024 * 1024
TARGET_SECONDS = 10.0
TARGET_MB = 300.0
COMMANDS = ("validate", "lint", "inspect", "convert")
#: far above the target: a hung run stops the benchmark, a slow one is still measured
RUN_TIMEOUT_SECONDS = 600.0

HEADER = SKLEARN_MLMODEL


def _comments(size: int) -> str:
    line = "# " + "a comment line that says nothing at all " * 2 + "\n"
    count = max(0, (size - len(HEADER)) // len(line))
    return HEADER + line * count


def _keys(size: int) -> str:
    parts = [HEADER, "metadata:\n"]
    total = sum(len(p) for p in parts)
    index = 0
    while True:
        entry = f"  k{index:07d}: v\n"
        if total + len(entry) > size:
            break
        parts.append(entry)
        total += len(entry)
        index += 1
    return "".join(parts)


def _scalars(size: int) -> str:
    count = 8
    width = max(1, (size - len(HEADER) - 20 * count) // count)
    body = "".join(f"  s{i}: {'x' * width}\n" for i in range(count))
    return HEADER + "metadata:\n" + body


SHAPES: dict[str, Callable[[int], str]] = {
    "comments": _comments,
    "keys": _keys,
    "scalars": _scalars,
}


#: runs argv[2:] with stdout and stderr to the file argv[1]; prints wall and CPU seconds,
#: peak KB and the exit code
_LAUNCHER = """
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.execv(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - start, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def _run(command: str, model_dir: Path, out: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB and exit code of one fresh ``mlmodel`` process."""
    args = [sys.executable, "-S", "-c", _LAUNCHER, str(out)]
    args += [sys.executable, "-m", "mlmodel", command, str(model_dir)]
    done = run_bounded(args, timeout=RUN_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise SystemExit(f"the launcher of {command} failed: {done.stderr[-2000:]}")
    seconds, cpu, peak_kb, code = done.stdout.split()
    # ru_maxrss: kilobytes on Linux
    return float(seconds), float(cpu), int(peak_kb) / 1024, int(code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.1,1,10", help="sizes in MiB, comma separated")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    options = parser.parse_args()
    sizes = [float(s) for s in options.sizes.split(",")]
    commands = options.commands.split(",")
    shapes = options.shapes.split(",")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="mlmodel-bench-scaling-") as tmp:
        root = Path(tmp)
        head = " ".join(f"{f'{s:g} MiB: wall/cpu s, MB':<27}" for s in sizes)
        print(f"{'shape':<9} {'command':<9} {head} cpu s per extra MiB  target")
        for shape in shapes:
            dirs = []
            for size in sizes:
                model_dir = root / f"{shape}-{size:g}"
                model_dir.mkdir()
                text = SHAPES[shape](int(size * MIB))
                (model_dir / "MLmodel").write_text(text, encoding="utf-8")
                dirs.append(model_dir)
            for command in commands:
                cells = []
                figures = []
                for size, model_dir in zip(sizes, dirs, strict=True):
                    seconds, cpu, mb, code = _run(command, model_dir, root / "out.txt")
                    figures.append((size, seconds, cpu, mb, code))
                    cells.append(f"{seconds:6.2f} / {cpu:5.2f}  {mb:5.0f}  rc{code}")
                # the cost of each extra MiB between consecutive sizes: about constant when
                # the command is linear in its input (startup is paid once, at every size)
                slopes = [(b[2] - a[2]) / (b[0] - a[0]) for a, b in itertools.pairwise(figures)]
                large = figures[-1]
                ok = large[2] < TARGET_SECONDS and large[3] < TARGET_MB and large[4] in (0, 1)
                failures += not ok
                shown = ", ".join(f"{slope:.2f}" for slope in slopes)
                print(
                    f"{shape:<9} {command:<9} "
                    + " ".join(f"{c:<27}" for c in cells)
                    + f" {shown:<19} {'ok' if ok else 'MISSED'}"
                )
    print(
        f"target at the largest size: < {TARGET_SECONDS:g} s of CPU and < {TARGET_MB:g} MB "
        "peak, exit 0 or 1 (wall time is shown too; on a shared machine it includes waiting)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
