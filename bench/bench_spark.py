"""Rows per second of mlmodel.spark.spark_udf against MLflow's spark_udf, a hand-written
pandas_udf and Spark's floor, side by side in one run (issue 11).

    python bench/bench_spark.py [--rows 1000000] [--master local[2]] [--repeat 2]

Data: ``--rows`` rows of 4 float features read from Parquet; model: a scikit-learn
LogisticRegression saved by mlmodel.sklearn with an inferred signature (its output is a
prediction vector, which MLflow's default turns into one-element arrays). Each timing runs
the UDF over every row into Spark's ``noop`` sink. "Warm" is the best of ``--repeat`` runs
after one warm-up; "first run" is the first job of a fresh session (its UDF built in it),
the JVM start itself excluded for both. Writes only under a temporary folder.

Targets: >= 2.5x MLflow's default warm, >= 0.8x the hand-written UDF, first run <= 0.5x
MLflow's.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def session(master: str) -> Any:
    from pyspark.sql import SparkSession

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


def warm(run: Callable[[], None], repeat: int) -> float:
    run()
    return min(timed(run) for _ in range(repeat))


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
    data = root / "data.parquet"
    frame.to_parquet(data, index=False)
    return model_dir, data, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    import mlflow.pyfunc
    from pyspark.sql.pandas.functions import pandas_udf

    from mlmodel.spark import spark_udf

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as temp:
        model_dir, data, raw = build(Path(temp), args.rows)
        columns = ["f0", "f1", "f2", "f3"]
        results: dict[str, float] = {}

        # fresh session 1: mlmodel's first run, then the warm runs of everything
        spark = session(args.master)
        spark.range(1).collect()  # the JVM is up; not counted
        df = spark.read.parquet(str(data))

        def first_mlmodel() -> None:
            job(df, spark_udf(spark, model_dir)(*columns))()

        results["mlmodel first run"] = timed(first_mlmodel)
        results["mlmodel warm"] = warm(job(df, spark_udf(spark, model_dir)(*columns)), args.repeat)
        mlflow_udf = mlflow.pyfunc.spark_udf(spark, str(model_dir))
        results["mlflow default warm"] = warm(job(df, mlflow_udf(*columns)), args.repeat)
        mlflow_long = mlflow.pyfunc.spark_udf(spark, str(model_dir), result_type="long")
        results["mlflow result_type=long warm"] = warm(job(df, mlflow_long(*columns)), args.repeat)

        def hand(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
            for batch in batches:
                yield pd.Series(raw.predict(pd.concat(batch, axis=1, keys=columns)))

        hand.__annotations__ = {
            "batches": Iterator[tuple[pd.Series, ...]],
            "return": Iterator[pd.Series],
        }
        hand_udf = pandas_udf(hand, "long")  # type: ignore[call-overload]
        results["hand-written pandas_udf warm"] = warm(job(df, hand_udf(*columns)), args.repeat)

        def floor(batches: Iterator[tuple[pd.Series, ...]]) -> Iterator[pd.Series]:
            for batch in batches:
                yield pd.Series(np.zeros(len(batch[0]), dtype="int64"))

        floor.__annotations__ = hand.__annotations__
        floor_udf = pandas_udf(floor, "long")  # type: ignore[call-overload]
        results["spark floor (no model) warm"] = warm(job(df, floor_udf(*columns)), args.repeat)
        spark.stop()

        # fresh session 2: MLflow's first run
        spark = session(args.master)
        spark.range(1).collect()
        df = spark.read.parquet(str(data))

        def first_mlflow() -> None:
            job(df, mlflow.pyfunc.spark_udf(spark, str(model_dir))(*columns))()

        results["mlflow default first run"] = timed(first_mlflow)
        spark.stop()

    print(f"rows: {args.rows:,}  master: {args.master}  repeat: {args.repeat}")
    for name, seconds in results.items():
        print(f"  {name:32s} {seconds:8.2f} s  {args.rows / seconds:12,.0f} rows/s")
    ours = results["mlmodel warm"]
    ratios = {
        "mlmodel / mlflow default (warm), target >= 2.5": results["mlflow default warm"] / ours,
        "mlmodel / hand-written (warm), target >= 0.8": results["hand-written pandas_udf warm"]
        / ours,
        "mlmodel / mlflow result_type=long (warm)": results["mlflow result_type=long warm"] / ours,
        "mlmodel / spark floor (warm)": results["spark floor (no model) warm"] / ours,
        "first run time mlmodel / mlflow, target <= 0.5": results["mlmodel first run"]
        / results["mlflow default first run"],
    }
    for name, ratio in ratios.items():
        print(f"  {name:50s} {ratio:6.2f}")


if __name__ == "__main__":
    main()
