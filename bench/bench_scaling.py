"""How lint, inspect and convert scale with the size of an MLmodel file: time and peak memory.

Run from the repository root with the dev venv's interpreter::

    python bench/bench_scaling.py [--sizes 0.1,1,10] [--commands validate,lint,inspect,convert]

For each shape (``comments``: a valid model followed by comment lines; ``keys``: a metadata
mapping of many short keys; ``scalars``: a few very long string values) and each size in MiB,
an MLmodel file is generated under a temporary directory, and every command runs once in a
fresh process (``python -m mlmodel <command> <dir>``, output to a temporary file). Wall time is
measured around the process; peak memory is the child's ``ru_maxrss`` (read with
``os.wait4``, so each run's own peak, not the maximum over all children).

Printed: one row per (shape, command) with the time and memory at each size, the ratio of
the largest size to the smallest (time per MiB should stay flat: linear scaling), and
whether the largest size meets the target: under 10 s and 300 MB for every command.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024
TARGET_SECONDS = 10.0
TARGET_MB = 300.0
COMMANDS = ("validate", "lint", "inspect", "convert")

HEADER = """\
artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.4
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.9.2
model_uuid: 0123456789abcdef0123456789abcdef
run_id: 0123456789abcdef0123456789abcdef
utc_time_created: '2023-12-01 10:00:00.000000'
"""


def _comments(size: int) -> str:
    line = "# " + "a comment line that says nothing at all " * 2 + "\n"
    count = max(0, (size - len(HEADER)) // len(line))
    return HEADER + line * count


def _keys(size: int) -> str:
    parts = [HEADER, "metadata:\n"]
    total = sum(len(p) for p in parts)
    index = 0
    while total < size:
        entry = f"  k{index:07d}: v\n"
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


def _run(command: str, model_dir: Path, out: Path) -> tuple[float, float, int]:
    """Seconds, peak MB and exit code of one fresh ``mlmodel`` process."""
    args = [sys.executable, "-m", "mlmodel", command, str(model_dir)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with out.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = usage.ru_maxrss  # kilobytes on Linux
    return elapsed, peak_kb / 1024, process.returncode


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
        print(f"{'shape':<9} {'command':<9} " + " ".join(f"{s:>7g} MiB        " for s in sizes)
              + "  time/MiB ratio  target")
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
                    seconds, mb, code = _run(command, model_dir, root / "out.txt")
                    figures.append((size, seconds, mb, code))
                    cells.append(f"{seconds:6.2f}s {mb:5.0f}MB rc{code}")
                small, large = figures[0], figures[-1]
                # time per MiB at the largest size over that at the smallest: ~1 when linear
                # (startup dominates small files, so the ratio falls below 1)
                ratio = (large[1] / large[0]) / (small[1] / small[0])
                ok = large[1] < TARGET_SECONDS and large[2] < TARGET_MB and large[3] in (0, 1)
                failures += not ok
                print(f"{shape:<9} {command:<9} " + " ".join(f"{c:<19}" for c in cells)
                      + f"  {ratio:8.2f}        {'ok' if ok else 'MISSED'}")
    print(f"target at the largest size: < {TARGET_SECONDS:g} s and < {TARGET_MB:g} MB, "
          "exit 0 or 1")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
