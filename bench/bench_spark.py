"""Rows per second of mlmodel.spark.spark_udf against MLflow's spark_udf, a hand-written
pandas_udf and Spark's floor, side by side in one run (issue 11).

    python bench/bench_spark.py [--rows 1000000] [--master local[2]] [--repeat 2] [--first-runs 2]

Data: ``--rows`` rows of 4 float features read from Parquet; model: a scikit-learn
LogisticRegression saved by mlmodel.sklearn with an inferred signature (its output is a
prediction vector, which MLflow's default turns into one-element arrays) in the default skops
format, as MLflow saves it; one first run also scores the same estimator saved with
cloudpickle, to show what loading skops costs each worker. Each timing runs
the UDF over every row into Spark's ``noop`` sink. "Warm" is the best of ``--repeat`` runs
after one untimed run of every contender, timed in interleaved rounds, all in one session;
"first run" is the first job of a fresh session in a
fresh process (cold JVM, no Python worker yet), its UDF built inside the timing, the JVM and
session start excluded; each contender gets ``--first-runs`` fresh processes, interleaved, and
its best counts. Spark's floor is timed the same way, so the output also says how much each
contender adds to what any first job costs. Writes only under a temporary folder.

Targets: >= 2.5x MLflow's default warm, >= 0.8x the hand-written UDF, first run <= 0.5x
MLflow's.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def session(master: str) -> Any:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter
    return (
        SparkSession.builder.master(master)
        .appName("bench_spark")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )


def timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def job(df: Any, column: Any) -> Callable[[], None]:
    return lambda: df.select(column).write.format("noop").mode("overwrite").save()


def build(root: Path, rows: int) -> tuple[Path, Path, Any]:
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn
    from mlmodel.models import infer_signature

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, 4)), columns=["f0", "f1", "f2", "f3"])
    target = (frame["f0"] + frame["f1"] * 0.5 - frame["f2"] > 0).astype("int64")
    model = LogisticRegression().fit(frame[:10_000], target[:10_000])
    model_dir = root / "model"
    mlmodel.sklearn.save_model(
        model, model_dir, signature=infer_signature(frame[:100], model.predict(frame[:100]))
    )
    # the same estimator in the cloudpickle format: what loading costs without skops
    mlmodel.sklearn.save_model(
        model,
        root / "model-cloudpickle",
        serialization_format="cloudpickle",
        signature=infer_signature(frame[:100], model.predict(frame[:100])),
    )
    (root / "raw.pkl").write_bytes(pickle.dumps(model))  # the bench's own, for the hand UDF
    data = root / "data.parquet"
    frame.to_parquet(data, index=False)
    return model_dir, data, model


FIRST_RUN_KINDS = ("mlmodel", "mlflow", "hand", "floor", "mlmodel-cloudpickle")


def column_for(kind: str, spark: Any, model_dir: Path, raw: Any, columns: list[str]) -> Any:
    """The UDF column each contender scores with (built here, inside the timed run)."""
    from pyspark.sql.pandas.functions import pandas_udf

    if kind in ("mlmodel", "mlmodel-cloudpickle"):
        from mlmodel.spark import spark_udf

        if kind == "mlmodel-cloudpickle":
            model_dir = model_dir.parent / "model-cloudpickle"
        return spark_udf(spark, model_dir)(*columns)
    if kind == "mlflow":
        import mlflow.pyfunc

        return mlflow.pyfunc.spark_udf(spark, str(model_dir))(*columns)
    if kind == "mlflow-long":
        import mlflow.pyfunc

        return mlflow.pyfunc.spark_udf(spark, str(model_dir), result_type="long")(*columns)

    def hand(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
        for batch in batches:
            yield pd.Series(raw.predict(pd.concat(batch, axis=1, keys=columns)))

    def floor(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
        for batch in batches:
            yield pd.Series(np.zeros(len(batch[0]), dtype="int64"))

    function = {"hand": hand, "floor": floor}[kind]
    function.__annotations__ = {
        "batches": Iterator[tuple[pd.Series, ...]],
        "return": Iterator[pd.Series],
    }
    return pandas_udf(function, "long")(*columns)  # type: ignore[call-overload]


def first_run_child(kind: str, model_dir: Path, data: Path, master: str) -> None:
    """One fresh process: JVM and session up (not counted), then the first job, timed."""
    spark = session(master)
    spark.range(1).collect()  # the JVM is up; not counted
    df = spark.read.parquet(str(data))
    columns = ["f0", "f1", "f2", "f3"]
    # the hand-written UDF's estimator is already in the driver's memory (not counted); its
    # workers unpickle it inside the timing, as they would
    raw = pickle.loads((model_dir.parent / "raw.pkl").read_bytes()) if kind == "hand" else None
    seconds = timed(lambda: job(df, column_for(kind, spark, model_dir, raw, columns))())
    spark.stop()
    print(json.dumps({"seconds": seconds}))


def first_run(kind: str, model_dir: Path, data: Path, master: str) -> float:
    command = [sys.executable, __file__, "--first-run", kind, "--model", str(model_dir)]
    command += ["--data", str(data), "--master", master]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=2, help="timed warm runs (best counts)")
    parser.add_argument("--first-runs", type=int, default=2, help="fresh processes per contender")
    parser.add_argument("--first-run", choices=FIRST_RUN_KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_run:
        first_run_child(args.first_run, args.model, args.data, args.master)
        return

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as temp:
        model_dir, data, raw = build(Path(temp), args.rows)
        columns = ["f0", "f1", "f2", "f3"]
        results: dict[str, float] = {}

        # first runs: each in a fresh process (cold JVM and Python workers), interleaved
        firsts: dict[str, list[float]] = {kind: [] for kind in FIRST_RUN_KINDS}
        for _ in range(args.first_runs):
            for kind in FIRST_RUN_KINDS:
                firsts[kind].append(first_run(kind, model_dir, data, args.master))
        for kind, label in (
            ("mlmodel", "mlmodel"),
            ("mlflow", "mlflow default"),
            ("hand", "hand-written pandas_udf"),
            ("floor", "spark floor"),
            ("mlmodel-cloudpickle", "mlmodel, cloudpickle model"),
        ):
            results[f"{label} first run"] = min(firsts[kind])

        # warm runs: one session; every contender's job once untimed, then timed rounds,
        # the contenders interleaved within each round (the best of each counts)
        spark = session(args.master)
        spark.range(1).collect()
        df = spark.read.parquet(str(data))
        labels = {
            "mlmodel": "mlmodel warm",
            "mlflow": "mlflow default warm",
            "mlflow-long": "mlflow result_type=long warm",
            "hand": "hand-written pandas_udf warm",
            "floor": "spark floor (no model) warm",
        }
        runs = {kind: job(df, column_for(kind, spark, model_dir, raw, columns)) for kind in labels}
        for run in runs.values():
            run()
        times: dict[str, list[float]] = {kind: [] for kind in labels}
        for _ in range(args.repeat):
            for kind, run in runs.items():
                times[kind].append(timed(run))
        results.update({labels[kind]: min(seconds) for kind, seconds in times.items()})
        spark.stop()

    print(f"rows: {args.rows:,}  master: {args.master}  warm: best of {args.repeat}")
    print(f"first runs: best of {args.first_runs} fresh processes each, JVM start excluded")
    for name, seconds in results.items():
        print(f"  {name:32s} {seconds:8.2f} s  {args.rows / seconds:12,.0f} rows/s")
    ours = results["mlmodel warm"]
    floor_first = results["spark floor first run"]
    ratios = {
        "mlmodel / mlflow default (warm), target >= 2.5": results["mlflow default warm"] / ours,
        "mlmodel / hand-written (warm), target >= 0.8": results["hand-written pandas_udf warm"]
        / ours,
        "mlmodel / mlflow result_type=long (warm)": results["mlflow result_type=long warm"] / ours,
        "mlmodel / spark floor (warm)": results["spark floor (no model) warm"] / ours,
        "first run time mlmodel / mlflow, target <= 0.5": results["mlmodel first run"]
        / results["mlflow default first run"],
        "first run above spark's floor, mlmodel / mlflow": (
            results["mlmodel first run"] - floor_first
        )
        / (results["mlflow default first run"] - floor_first),
        "first run time mlmodel / hand-written": results["mlmodel first run"]
        / results["hand-written pandas_udf first run"],
        "first run, cloudpickle model: mlmodel / hand-written": results[
            "mlmodel, cloudpickle model first run"
        ]
        / results["hand-written pandas_udf first run"],
    }
    for name, ratio in ratios.items():
        print(f"  {name:50s} {ratio:6.2f}")


if __name__ == "__main__":
    main()
