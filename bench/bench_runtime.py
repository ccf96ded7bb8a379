"""Benchmark ``mlmodel.pyfunc`` against ``mlflow.pyfunc`` on the same model and data, in one run.

Run with the dev venv's interpreter::

    python bench/bench_runtime.py [--runs 7] [--format cloudpickle|skops|pickle]

A scikit-learn pipeline (StandardScaler + LogisticRegression on 10 double columns) is saved
once by MLflow (signature and input example included) in a temporary folder; every figure
below is taken on that directory, interleaved round by round, so ratios hold on any machine.

1. **Cold process** import + ``load_model`` + ``predict`` on one row: wall time of a fresh
   interpreter, median of ``--runs`` runs after one warm-up each. Printed beside the floor, a
   bare ``cloudpickle.load`` (or ``skops.io.load``) + ``estimator.predict`` in a fresh process.
   Target: mlmodel / MLflow <= 0.6.
2. **Repeated in-process load_model** of the same directory: median of many loads after a
   warm-up. Target: mlmodel / MLflow <= 0.2.
3. **Predict overhead** over the raw ``estimator.predict(frame)`` call with the signature
   enforced, on 1 row and on 10,000 rows: median of interleaved batches. Targets: mlmodel /
   raw <= 1.2 (1 row) and <= 1.05 (10,000 rows); MLflow / raw printed beside.
4. **Peak memory** (max RSS) of the cold processes of part 1: mlmodel / MLflow.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
N_COLUMNS = 10

CHILD = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import logging; logging.disable(logging.WARNING)
model_dir, fmt = sys.argv[1], sys.argv[2]
import pandas as pd
row = pd.DataFrame([[0.5] * {n}], columns=[f"f{{i}}" for i in range({n})])
{body}
def peak_kb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"maxrss_kb": peak_kb(),
                  "prediction": [int(v) for v in out]}}))
"""
BODIES = {
    "mlmodel": "import mlmodel.pyfunc\nout = mlmodel.pyfunc.load_model(model_dir).predict(row)",
    "mlflow": "import mlflow.pyfunc\nout = mlflow.pyfunc.load_model(model_dir).predict(row)",
    "bare unpickle": (
        "if fmt == 'skops':\n"
        "    import skops.io\n"
        "    path = model_dir + '/model.skops'\n"
        "    est = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))\n"
        "else:\n"
        "    import cloudpickle\n"
        "    with open(model_dir + '/model.pkl', 'rb') as f:\n"
        "        est = cloudpickle.load(f)\n"
        "out = est.predict(row)"
    ),
}


def save_model(folder: Path, fmt: str) -> tuple[Path, Any, Any]:
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.random((10_000, N_COLUMNS)), columns=[f"f{i}" for i in range(N_COLUMNS)]
    )
    target = (frame["f0"] + frame["f1"] > 1).astype(np.int64)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, target)
    path = folder / "model"
    mlflow.sklearn.save_model(model, path, serialization_format=fmt, input_example=frame.head(3))
    return path, model, frame


def cold(model_dir: Path, fmt: str, runs: int) -> dict[str, tuple[float, float]]:
    """name -> (median wall seconds, median max RSS in MB)."""
    times: dict[str, list[float]] = {name: [] for name in BODIES}
    rss: dict[str, list[float]] = {name: [] for name in BODIES}
    outputs: dict[str, list[int]] = {}
    env_path = str(ROOT)
    for round_ in range(runs + 1):
        for name, body in BODIES.items():
            code = CHILD.format(n=N_COLUMNS, body=body)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", code, str(model_dir), fmt],
                capture_output=True,
                text=True,
                check=True,
                cwd=model_dir.parent,
                env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            )
            elapsed = time.perf_counter() - start
            result = json.loads(done.stdout.strip().splitlines()[-1])
            outputs[name] = result["prediction"]
            if round_:  # the first round warms the page cache
                times[name].append(elapsed)
                rss[name].append(result["maxrss_kb"] / 1024)
    if len({json.dumps(v) for v in outputs.values()}) != 1:
        raise SystemExit(f"cold processes disagree: {outputs}")
    return {n: (statistics.median(times[n]), statistics.median(rss[n])) for n in BODIES}


def median_time(fns: dict[str, Callable[[], object]], reps: int, rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(reps):
                fn()
            samples[name].append((time.perf_counter() - start) / reps)
    return {name: statistics.median(values) for name, values in samples.items()}


def verdict(ratio: float, target: float) -> str:
    return "ok" if ratio <= target else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold runs per variant")
    parser.add_argument(
        "--format", default="cloudpickle", choices=["cloudpickle", "skops", "pickle"]
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    import mlflow.pyfunc

    import mlmodel.pyfunc

    with tempfile.TemporaryDirectory(prefix="bench_runtime_") as tmp:
        model_dir, estimator, frame = save_model(Path(tmp), args.format)
        print(
            f"model: StandardScaler+LogisticRegression, {N_COLUMNS} double columns, "
            f"{args.format} format, saved by MLflow; {args.runs} cold runs per variant\n"
        )

        results = cold(model_dir, args.format, args.runs)
        ours, theirs, floor = results["mlmodel"], results["mlflow"], results["bare unpickle"]
        print("1. cold process: import + load_model + predict(1 row)")
        for name, (seconds, _) in results.items():
            print(f"   {name:<14} {seconds * 1000:8.0f} ms   {seconds / theirs[0]:5.2f}x MLflow")
        ratio = ours[0] / theirs[0]
        print(
            f"   mlmodel / MLflow = {ratio:.2f}x (target <= 0.6: {verdict(ratio, 0.6)}); "
            f"floor (bare load) = {floor[0] / theirs[0]:.2f}x\n"
        )

        loads = median_time(
            {
                "mlmodel": lambda: mlmodel.pyfunc.load_model(model_dir),
                "mlflow": lambda: mlflow.pyfunc.load_model(str(model_dir)),
            },
            reps=5,
            rounds=9,
        )
        ratio = loads["mlmodel"] / loads["mlflow"]
        print("2. repeated in-process load_model")
        print(
            f"   mlmodel {loads['mlmodel'] * 1000:7.2f} ms   MLflow {loads['mlflow'] * 1000:7.2f} ms"
            f"   ratio {ratio:.2f}x (target <= 0.2: {verdict(ratio, 0.2)})\n"
        )

        ours_model = mlmodel.pyfunc.load_model(model_dir)
        theirs_model = mlflow.pyfunc.load_model(str(model_dir))
        print("3. predict overhead over the raw estimator.predict(frame), signature enforced")
        for rows, target, reps in ((1, 1.2, 200), (10_000, 1.05, 10)):
            data = frame.head(rows)
            times = median_time(
                {
                    "raw": lambda data=data: estimator.predict(data),
                    "mlmodel": lambda data=data: ours_model.predict(data),
                    "mlflow": lambda data=data: theirs_model.predict(data),
                },
                reps=reps,
                rounds=15,
            )
            ratio = times["mlmodel"] / times["raw"]
            print(
                f"   {rows:>6} row(s): raw {times['raw'] * 1e6:9.0f} us   "
                f"mlmodel {ratio:.3f}x (target <= {target}: {verdict(ratio, target)})   "
                f"MLflow {times['mlflow'] / times['raw']:.3f}x"
            )

        print("\n4. peak memory (max RSS) of the cold process")
        for name, (_, mb) in results.items():
            print(f"   {name:<14} {mb:7.1f} MB   {mb / theirs[1]:5.2f}x MLflow")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
