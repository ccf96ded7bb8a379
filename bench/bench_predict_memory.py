"""Peak memory of ``mlmodel predict`` against the input's size: flat, for every input and
output format (issue 18, item 4).

Run with the dev venv's interpreter::

    python bench/bench_predict_memory.py [--big-csv-mib 2048] [--big-parquet-mib 1024]
                                         [--small-mib 100] [--all-outputs] [--keep DIR]

A LogisticRegression on four double columns is saved by MLflow (``harness.servers``'s
``save_classifier``) in a temporary folder, beside a CSV and a parquet file of each size
(by default 2 GiB and 100 MiB of CSV, 1 GiB and 100 MiB of parquet in row groups of 1 Mi
rows; the data are a block of random rows repeated, written fast). Each ``mlmodel
predict`` runs in a fresh process, to standard output (``/dev/null``) and with ``-o
out.json`` (``--all-outputs``: also ``.jsonl``, ``.csv`` and ``.parquet``); its peak RSS
is the child's own ``VmHWM``, polled until it exits (``ru_maxrss`` from ``wait4`` would
include the high-water mark of this parent, which it inherits at fork).

Printed: per input format and output, wall time and peak RSS on the small and the big file,
and the big run's peak over the small run's. Target: each ratio <= 1.2. The folder is
removed at the end (check ``df -h /tmp`` first: the files need about 4 GiB).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.servers import COLUMNS, env, save_classifier

MIB = 1 << 20
BLOCK_ROWS = 1 << 18  # rows generated once and repeated (about 10 MiB of CSV)
ROW_GROUP_ROWS = 1 << 20
TARGET = 1.2


@dataclass(frozen=True)
class Run:
    """One ``mlmodel predict`` process: wall seconds and peak RSS in MiB."""

    wall: float
    peak_mib: float


def write_csv(path: Path, size: int) -> int:
    """A CSV of about ``size`` bytes (whole blocks of rows); returns its row count."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    block = pd.DataFrame(rng.normal(size=(BLOCK_ROWS, 4)).round(6), columns=COLUMNS)
    header, _, body = block.to_csv(index=False).encode().partition(b"\n")
    repeats = max(1, round(size / len(body)))
    with path.open("wb") as out:
        out.write(header + b"\n")
        for _ in range(repeats):
            out.write(body)
    return repeats * BLOCK_ROWS


def write_parquet(path: Path, size: int) -> int:
    """A parquet file of about ``size`` bytes in row groups of ``ROW_GROUP_ROWS`` rows;
    returns its row count."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(2)
    table = pa.table({name: rng.normal(size=ROW_GROUP_ROWS) for name in COLUMNS})
    probe = path.with_suffix(".probe")
    pq.write_table(table, probe)
    repeats = max(1, round(size / probe.stat().st_size))
    probe.unlink()
    with pq.ParquetWriter(path, table.schema) as writer:
        for _ in range(repeats):
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    return repeats * ROW_GROUP_ROWS


def _hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def predict(model: Path, source: Path, output: Path | None) -> Run:
    """``mlmodel predict MODEL -i SOURCE [-o OUTPUT]`` in a fresh process (formats from
    the extensions); standard output goes to ``/dev/null``."""
    cmd = [sys.executable, "-m", "mlmodel", "predict", str(model), "-i", str(source)]
    if output is not None:
        cmd += ["-o", str(output)]
    began = time.perf_counter()
    process = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _hwm_kib(process.pid))
        time.sleep(0.01)
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {process.returncode}")
    if output is not None:
        output.unlink()
    return Run(wall, peak / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big-csv-mib", type=int, default=2048)
    parser.add_argument("--big-parquet-mib", type=int, default=1024)
    parser.add_argument("--small-mib", type=int, default=100)
    parser.add_argument("--all-outputs", action="store_true", help="also jsonl, csv, parquet")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-predict-memory-", dir=args.keep))
    try:
        model = save_classifier(folder / "model", rows=500)
        inputs = {}
        for kind, writer, big in (
            ("csv", write_csv, args.big_csv_mib),
            ("parquet", write_parquet, args.big_parquet_mib),
        ):
            for label, mib in (("small", args.small_mib), ("big", big)):
                path = folder / f"{label}.{kind}"
                rows = writer(path, mib * MIB)
                inputs[kind, label] = (path, rows)
                print(f"{path.name}: {path.stat().st_size / MIB:,.0f} MiB, {rows:,} rows")
        outputs: list[str | None] = [None, "json"]
        if args.all_outputs:
            outputs += ["jsonl", "csv", "parquet"]

        print(f"\n## mlmodel predict peak RSS, big file against small file (target <= {TARGET})")
        print(
            f"{'input':9}{'output':14}{'small s':>9}{'small MiB':>11}"
            f"{'big s':>9}{'big MiB':>10}{'big rows/s':>12}{'ratio':>7}"
        )
        worst = 0.0
        for kind in ("csv", "parquet"):
            for out in outputs:
                runs = {}
                for label in ("small", "big"):
                    source, rows = inputs[kind, label]
                    target = None if out is None else folder / f"out.{out}"
                    runs[label] = predict(model, source, target)
                ratio = runs["big"].peak_mib / runs["small"].peak_mib
                worst = max(worst, ratio)
                rate = inputs[kind, "big"][1] / runs["big"].wall
                shown = "stdout" if out is None else f"-o out.{out}"
                print(
                    f"{kind:9}{shown:14}{runs['small'].wall:9.1f}{runs['small'].peak_mib:11.0f}"
                    f"{runs['big'].wall:9.1f}{runs['big'].peak_mib:10.0f}{rate:12,.0f}"
                    f"{ratio:7.2f}",
                    flush=True,
                )
        print(
            f"worst ratio {worst:.2f} (target <= {TARGET}): {'met' if worst <= TARGET else 'NOT met'}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
