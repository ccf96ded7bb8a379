"""mlmodel.spark.spark_udf on a real local Spark session (local[2]).

Every result is compared row for row with ``mlmodel.pyfunc`` on the same pandas data, and
with MLflow's own ``spark_udf`` where the issue asks. One session for the module; each model
is scored in as few Spark jobs as possible (the machine is small).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import numpy as np
import pandas as pd
from pyspark.sql import SparkSession
from sklearn.linear_model import LinearRegression, LogisticRegression

import mlmodel.sklearn
from mlmodel.models import infer_signature
from mlmodel.pyfunc import InvalidModelError, MlmodelException, load_model
from mlmodel.spark import spark_udf

ROWS = 300


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=ROWS),
            "b": rng.normal(size=ROWS),
            "c": rng.integers(0, 5, size=ROWS).astype("int64"),
        }
    )
    return frame


def _target(frame: pd.DataFrame) -> Any:
    return (frame["a"] + frame["b"] * 0.5 + frame["c"] * 0.1 > 0.2).astype("int64") + (
        frame["a"] > 1
    ).astype("int64")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, data: pd.DataFrame) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark-models")
    y = _target(data)
    classifier = LogisticRegression(max_iter=500).fit(data, y)
    regressor = LinearRegression().fit(data, data["a"] * 2 + data["c"])
    paths = {name: root / name for name in ("clf", "reg", "proba", "nosig", "mlflow")}
    mlmodel.sklearn.save_model(
        classifier, paths["clf"], signature=infer_signature(data, classifier.predict(data))
    )
    mlmodel.sklearn.save_model(
        regressor, paths["reg"], signature=infer_signature(data, regressor.predict(data))
    )
    mlmodel.sklearn.save_model(
        classifier,
        paths["proba"],
        signature=infer_signature(data, classifier.predict_proba(data)),
        pyfunc_predict_fn="predict_proba",
    )
    plain = LinearRegression().fit(data.to_numpy(), data["b"])  # fitted without names
    mlmodel.sklearn.save_model(plain, paths["nosig"])
    import mlflow.models
    import mlflow.sklearn

    mlflow.sklearn.save_model(
        classifier,
        str(paths["mlflow"]),
        signature=mlflow.models.infer_signature(data, classifier.predict(data)),
    )
    return paths


@pytest.fixture(scope="module")
def frame(spark: SparkSession, data: pd.DataFrame) -> Any:
    # columns in another order than the signatures', to show they are taken by name
    return spark.createDataFrame(data[["c", "b", "a"]]).repartition(2)


def _collect(df: Any, column: str) -> list[Any]:
    return [row[column] for row in df.orderBy("row").collect()]


def _with_row(spark: SparkSession, data: pd.DataFrame) -> Any:
    return spark.createDataFrame(data.assign(row=np.arange(len(data)))[["row", "c", "b", "a"]])


@pytest.mark.filterwarnings("ignore:X has feature names")
def test_results_equal_pyfunc(
    spark: SparkSession, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    df = _with_row(spark, data).repartition(2)
    clf, reg, proba, from_mlflow = (
        spark_udf(spark, models[name]) for name in ("clf", "reg", "proba", "mlflow")
    )
    nosig = spark_udf(spark, models["nosig"])
    assert clf.result_type.simpleString() == "bigint"  # a long output: no one-element arrays
    assert reg.result_type.simpleString() == "double"
    assert proba.result_type.simpleString() == "array<double>"
    rows = (
        df.select(
            "row",
            clf().alias("clf"),
            reg("b", "a", "c").alias("reg"),  # by name, in any order
            proba().alias("proba"),
            from_mlflow().alias("mlflow"),
            nosig("a", "b", "c").alias("nosig"),  # no signature: positional
        )
        .orderBy("row")
        .collect()
    )
    assert [r["row"] for r in rows] == list(range(ROWS))
    expected_clf = load_model(models["clf"]).predict(data)
    assert [r["clf"] for r in rows] == expected_clf.tolist()
    np.testing.assert_allclose([r["reg"] for r in rows], load_model(models["reg"]).predict(data))
    np.testing.assert_allclose(
        np.array([r["proba"] for r in rows]), load_model(models["proba"]).predict(data)
    )
    assert [r["mlflow"] for r in rows] == load_model(models["mlflow"]).predict(data).tolist()
    unnamed = pd.DataFrame({"0": data["a"], "1": data["b"], "2": data["c"]})
    np.testing.assert_allclose(
        [r["nosig"] for r in rows], load_model(models["nosig"]).predict(unnamed)
    )


def test_reordered_and_cast_columns(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame
) -> None:
    """The signature says (c: long, a: double, b: float); the data has int32 c, a and b
    in another order: the UDF takes them by name and casts like pyfunc."""
    train = data[["c", "a", "b"]].astype({"b": "float32"})
    model = LinearRegression().fit(train, train["a"] - train["c"])
    mlmodel.sklearn.save_model(
        model, tmp_path / "m", signature=infer_signature(train, model.predict(train))
    )
    given = pd.DataFrame(
        {
            "row": np.arange(ROWS),
            "b": data["b"].astype("float32"),
            "a": data["a"],
            "c": data["c"].astype("int32"),
        }
    )
    udf = spark_udf(spark, tmp_path / "m")
    rows = (
        spark.createDataFrame(given)
        .select("row", udf().alias("p"), udf("b", "c", "a").alias("q"))
        .orderBy("row")
        .collect()
    )
    expected = load_model(tmp_path / "m").predict(given.drop(columns="row"))
    np.testing.assert_allclose([r["p"] for r in rows], expected, rtol=1e-6)
    np.testing.assert_allclose([r["q"] for r in rows], expected, rtol=1e-6)


def test_struct_argument_and_explicit_type(
    spark: SparkSession, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    from pyspark.sql.functions import struct

    udf = spark_udf(spark, models["clf"], result_type="double")
    rows = (
        _with_row(spark, data)
        .select("row", udf(struct("a", "b", "c")).alias("p"))
        .orderBy("row")
        .collect()
    )
    expected = load_model(models["clf"]).predict(data).astype("float64")
    assert [r["p"] for r in rows] == expected.tolist()


def test_equal_to_mlflow_spark_udf(
    spark: SparkSession, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    import mlflow.pyfunc

    df = _with_row(spark, data)
    ours = [spark_udf(spark, models[n]) for n in ("mlflow", "proba", "reg")]
    # MLflow's default for a (-1, k) tensor output is array<array<double>>, which fails on
    # the rows predict_proba returns: its proba UDF is given the type mlmodel infers
    types = {"mlflow": None, "proba": "array<double>", "reg": None}
    theirs = [mlflow.pyfunc.spark_udf(spark, str(models[n]), types[n]) for n in types]
    rows = (
        df.select(
            "row",
            *(u("a", "b", "c").alias(f"ours{i}") for i, u in enumerate(ours)),
            *(u("a", "b", "c").alias(f"theirs{i}") for i, u in enumerate(theirs)),
        )
        .orderBy("row")
        .collect()
    )
    for row in rows:
        # MLflow's inferred signature makes the classifier's output a (-1,) tensor too
        assert [row["ours0"]] == row["theirs0"]
        assert row["ours1"] == pytest.approx(row["theirs1"])
        # MLflow wraps a prediction vector in one-element arrays; mlmodel returns the value
        assert [row["ours2"]] == pytest.approx(row["theirs2"])


def test_missing_column_is_one_clear_error(spark: SparkSession, models: dict[str, Path]) -> None:
    udf = spark_udf(spark, models["clf"])
    with pytest.raises(MlmodelException, match=r"needs the column\(s\) 'c'"):
        udf("a", "b")
    with pytest.raises(MlmodelException, match=r"'c' is missing"):
        frame = spark.range(1)
        udf(frame["id"], frame["id"])  # two positional columns for three inputs


def test_invalid_model_fails_on_the_driver(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text("flavors:\n  python_function: {loader_module: 12}\n")
    with pytest.raises(InvalidModelError, match="does not validate"):
        spark_udf(spark, tmp_path)
    with pytest.raises(MlmodelException, match=r"absent"):
        spark_udf(spark, tmp_path / "absent")


def test_bad_result_type_refused_before_a_job(spark: SparkSession, models: dict[str, Path]) -> None:
    with pytest.raises(MlmodelException, match="not a Spark type"):
        spark_udf(spark, models["clf"], result_type="no such type<")
    with pytest.raises(MlmodelException, match="unsupported spark_udf result type"):
        spark_udf(spark, models["clf"], result_type="date")


def test_model_loads_once_per_worker(
    spark: SparkSession, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    """Two jobs over many batches, then a third: every Python worker process that scored
    loaded the model exactly once (not per batch, task or job, and not never).

    The counting UDF takes the model's output as its input, so Spark chains the two into
    one Python worker process: it counts in the very process that has just scored."""
    from pyspark.sql.pandas.functions import pandas_udf

    udf = spark_udf(spark, models["reg"])
    df = _with_row(spark, data).repartition(4)
    df.select(udf()).collect()
    df.select(udf()).collect()

    archive = udf._shipped.archive

    @pandas_udf("string")  # type: ignore[call-overload, untyped-decorator]
    def loads(batches: Iterator[pd.Series]) -> Iterator[pd.Series]:
        import os

        from mlmodel.spark import shipping

        for predictions in batches:  # the model has scored this batch in this process
            yield pd.Series([f"{os.getpid()}:{shipping.load_count(archive)}"] * len(predictions))

    counted = df.select(loads(udf()))
    plan = counted._jdf.queryExecution().executedPlan().toString()
    assert plan.count("ArrowEvalPython") == 1, plan  # chained: one Python process per task
    seen = {row[0] for row in counted.collect()}
    assert seen
    assert {entry.split(":")[1] for entry in seen} == {"1"}, seen


def test_empty_partitions_load_no_model(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame
) -> None:
    """Partitions with no rows never load the model: no worker paid for it."""
    from pyspark.sql.pandas.functions import pandas_udf

    model = LinearRegression().fit(data, data["a"])
    mlmodel.sklearn.save_model(  # a model of its own: a fresh archive, loaded by nobody yet
        model, tmp_path / "m", signature=infer_signature(data, model.predict(data))
    )
    udf = spark_udf(spark, tmp_path / "m")
    empty = _with_row(spark, data).repartition(4).filter("a > 1e9")
    assert empty.select(udf().alias("p")).collect() == []
    archive = udf._shipped.archive

    @pandas_udf("bigint")  # type: ignore[call-overload, untyped-decorator]
    def loads(ids: pd.Series) -> pd.Series:
        from mlmodel.spark import shipping

        return pd.Series([shipping.load_count(archive)] * len(ids))

    counts = {
        row[0] for row in _with_row(spark, data).repartition(4).select(loads("row")).collect()
    }
    assert counts == {0}
    rows = _with_row(spark, data).orderBy("row").select(udf().alias("p")).collect()
    np.testing.assert_allclose([r["p"] for r in rows], model.predict(data))


@pytest.mark.parametrize("module", ["mlmodel", "mlmodel.pyfunc", "mlmodel.spark"])
def test_import_does_not_load_pyspark(module: str) -> None:
    code = f"import sys, {module}; print('pyspark' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore:X has feature names")
@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_predict_files(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame, models: dict[str, Path], kind: str
) -> None:
    from mlmodel.spark import predict_files

    source = tmp_path / f"in.{kind}"
    given = data.assign(row=np.arange(ROWS))[["row", "b", "c", "a"]]
    if kind == "csv":
        given.to_csv(source, index=False)
    else:
        given.to_parquet(source, index=False)
    out = tmp_path / f"out.{kind}"
    predict_files(models["proba"], str(source), str(out), spark=spark)
    read = (
        spark.read.csv(str(out), header=True, inferSchema=True)
        if kind == "csv"
        else (spark.read.parquet(str(out)))
    )
    rows = read.orderBy("row").collect()
    assert [r["row"] for r in rows] == list(range(ROWS))
    got = [r["prediction"] for r in rows]
    if kind == "csv":  # arrays are JSON text in CSV
        import json

        got = [json.loads(cell) for cell in got]
    expected = load_model(models["proba"]).predict(data)
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-9)


def test_predict_files_missing_column(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    from mlmodel.spark import predict_files

    source = tmp_path / "in.parquet"
    data[["a", "c"]].to_parquet(source, index=False)
    with pytest.raises(MlmodelException, match="the input has no column 'b'"):
        predict_files(models["clf"], str(source), str(tmp_path / "out"), spark=spark)
    assert not (tmp_path / "out").exists()


def test_cli_engine_spark(
    spark: SparkSession,
    tmp_path: Path,
    data: pd.DataFrame,
    models: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`mlmodel predict --engine spark` (on the running session, which it leaves running)."""
    from mlmodel.cli.app import run

    source = tmp_path / "in.parquet"
    data.assign(row=np.arange(ROWS)).to_parquet(source, index=False)
    out = tmp_path / "out"
    argv = ["predict", str(models["clf"]), "--engine", "spark", "-i", str(source), "-o", str(out)]
    assert run(argv) == 0
    rows = spark.read.parquet(str(out)).orderBy("row").collect()
    assert [r["prediction"] for r in rows] == load_model(models["clf"]).predict(data).tolist()
    again = [*argv[:-1], str(tmp_path / "again"), "--master", "local[1]"]
    assert run([*again, "--result-type", "double"]) == 0  # the running session, left running
    got = spark.read.parquet(str(tmp_path / "again")).orderBy("row").collect()
    expected = load_model(models["clf"]).predict(data).astype("float64").tolist()
    assert [r["prediction"] for r in got] == expected  # doubles, as --result-type asked
    assert run([*again, "--overwrite", "--result-type", "string"]) == 0  # a folder Spark wrote
    got = spark.read.parquet(str(tmp_path / "again")).orderBy("row").collect()
    labels = load_model(models["clf"]).predict(data).tolist()
    assert [r["prediction"] for r in got] == [str(v) for v in labels]
    bad = tmp_path / "bad-in.parquet"
    data[["a"]].to_parquet(bad, index=False)
    assert (
        run(
            [
                "predict",
                str(models["clf"]),
                "--engine",
                "spark",
                "-i",
                str(bad),
                "-o",
                str(tmp_path / "o2"),
            ]
        )
        == 1
    )
    assert "the input has no column 'b', 'c'" in capsys.readouterr().err
    assert run(["predict", str(models["clf"]), "--engine", "spark", "-i", str(bad)]) == 2


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_model_uris_are_fetched_on_the_driver(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame
) -> None:
    """runs:/ and models:/ URIs (a real sqlite tracking store) score like the local model."""
    import mlflow

    from tests.tracking_store import sqlite_store

    classifier = LogisticRegression(max_iter=500).fit(data, _target(data))
    df = _with_row(spark, data).repartition(2)
    with sqlite_store(tmp_path / "store"):
        with mlflow.start_run() as run:
            mlmodel.sklearn.log_model(
                classifier,
                name="model",
                registered_model_name="spark-registered",
                input_example=data[:3],
            )
        uris = [f"runs:/{run.info.run_id}/model", "models:/spark-registered/1"]
        udfs = [spark_udf(spark, uri) for uri in uris]
        rows = (
            df.select("row", *(u().alias(f"p{i}") for i, u in enumerate(udfs)))
            .orderBy("row")
            .collect()
        )
        expected = load_model(uris[0]).predict(data).tolist()
    assert expected == classifier.predict(data).tolist()
    assert [r["p0"] for r in rows] == expected
    assert [r["p1"] for r in rows] == expected


def test_tensor_spec_input_takes_an_array_column(
    spark: SparkSession, tmp_path: Path, data: pd.DataFrame
) -> None:
    """A (-1, 4) tensor signature: each row's array<double> is reshaped in C order, as
    pyfunc does for a DataFrame of arrays and as MLflow's spark_udf does."""
    import mlflow.pyfunc

    features = np.column_stack([data["a"], data["b"], data["c"], data["a"] * data["b"]])
    model = LinearRegression().fit(features, data["a"] - data["b"])
    mlmodel.sklearn.save_model(
        model, tmp_path / "tensor", signature=infer_signature(features, model.predict(features))
    )
    given = pd.DataFrame({"row": np.arange(ROWS), "x": list(features)})
    df = spark.createDataFrame(given).repartition(2)
    ours = spark_udf(spark, tmp_path / "tensor")
    theirs = mlflow.pyfunc.spark_udf(spark, str(tmp_path / "tensor"))
    rows = df.select("row", ours("x").alias("ours"), theirs("x").alias("theirs"))
    collected = rows.orderBy("row").collect()
    expected = load_model(tmp_path / "tensor").predict(given[["x"]])
    np.testing.assert_allclose([r["ours"] for r in collected], expected)
    np.testing.assert_allclose([r["ours"] for r in collected], model.predict(features))
    # MLflow's default result type for a (-1,) tensor output wraps each value in an array
    np.testing.assert_allclose([r["theirs"][0] for r in collected], expected)


def test_cli_spark_fresh_process_is_quiet(
    tmp_path: Path, data: pd.DataFrame, models: dict[str, Path]
) -> None:
    """A fresh `mlmodel predict --engine spark` process whose PATH finds another python3
    (one without pandas), asked for a --result-type the predictions cannot fill: its local
    workers run the interpreter mlmodel runs in (the error is mlmodel's own, raised after
    pandas scored in the worker), and stderr is that one line, naming --result-type, with
    nothing of Spark's (no launcher lines, no log, no stack trace); exit 1."""
    import os

    source = tmp_path / "in.parquet"
    data.assign(row=np.arange(ROWS)).to_parquet(source, index=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_")}
    env["PATH"] = os.pathsep.join(["/usr/bin", "/bin"])
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    command = [sys.executable, "-m", "mlmodel", "predict", str(models["clf"]), "--engine"]
    command += ["spark", "-i", str(source), "--master", "local[1]", "-o", str(tmp_path / "out")]
    done = subprocess.run(
        [*command, "--result-type", "boolean"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr[-3000:]
    assert done.stderr.startswith("mlmodel predict: ") and "the Spark job failed" in done.stderr
    assert "The model did not produce any values compatible" in done.stderr
    assert "--result-type 'string'" in done.stderr and "result_type=" not in done.stderr
    assert not (tmp_path / "out" / "_SUCCESS").exists()


_D = "double"


def _object(**properties: str) -> dict[str, Any]:
    """An object spec whose properties (in the order given) have these column types."""
    return {
        "type": "object",
        "properties": {name: {"type": kind, "required": True} for name, kind in properties.items()},
    }


#: output schema -> (mlmodel's result type, MLflow's when it differs: None = the same,
#: "error" = refused; both refuse binary and timestamp results, which spark_udf cannot fill)
RESULT_TYPE_CASES: list[tuple[str, list[dict[str, Any]], str, str | None]] = [
    ("long", [{"type": "long"}], "bigint", None),
    ("named double", [{"type": _D, "name": "p"}], _D, None),
    ("string", [{"type": "string"}], "string", None),
    ("boolean", [{"type": "boolean"}], "boolean", None),
    ("integer", [{"type": "integer"}], "int", None),
    ("float", [{"type": "float"}], "float", None),
    ("binary", [{"type": "binary"}], "error", None),
    ("datetime", [{"type": "datetime"}], "error", None),
    (
        "two named",
        [{"type": _D, "name": "a"}, {"type": "string", "name": "b"}],
        "struct<a:double,b:string>",
        None,
    ),
    ("two unnamed", [{"type": "long"}, {"type": _D}], "struct<0:bigint,1:double>", None),
    ("array", [{"type": "array", "items": {"type": _D}}], "array<double>", None),
    ("object", [_object(a="long", b="string")], "struct<a:bigint,b:string>", None),
    (
        "object, properties out of order",
        [_object(b="string", a="long")],
        "struct<a:bigint,b:string>",
        None,
    ),
    ("map", [{"type": "map", "values": {"type": _D}}], "map<string,double>", None),
    (
        "array of objects",
        [{"type": "array", "items": _object(x="float")}],
        "array<struct<x:float>>",
        None,
    ),
    # a prediction vector: one value per row (MLflow: one-element arrays)
    (
        "tensor (-1,)",
        [{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}],
        "bigint",
        "array<bigint>",
    ),
    # predict_proba: an array per row (MLflow: array<array<...>>, which its own conversion
    # then fails to fill from a 2-D result)
    (
        "tensor (-1, 3)",
        [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}],
        "array<double>",
        "array<array<double>>",
    ),
    (
        "tensor (-1, 2, 2)",
        [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2, 2]}}],
        "array<array<float>>",
        "error",
    ),
]


@pytest.mark.parametrize(
    ("outputs", "ours", "theirs"),
    [pytest.param(o, ours, theirs, id=name) for name, o, ours, theirs in RESULT_TYPE_CASES],
)
def test_inferred_result_types_against_mlflow(
    outputs: list[dict[str, Any]], ours: str, theirs: str | None
) -> None:
    """The result type inferred from an output schema, next to MLflow 2.10+'s inference."""
    import json

    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException
    from mlflow.types.schema import Schema

    # MLflow's own inference and check, as its spark_udf calls them (untyped there)
    _infer_spark_udf_return_type: Any = mlflow.pyfunc._infer_spark_udf_return_type
    _check_udf_return_type: Any = mlflow.pyfunc._check_udf_return_type

    from mlmodel.spark.udf import resolve_result_type

    text = json.dumps(outputs)
    if ours == "error":
        with pytest.raises(MlmodelException, match="unsupported spark_udf result type"):
            resolve_result_type(None, text)
    else:
        assert resolve_result_type(None, text).simpleString() == ours
    expected = theirs or ours
    if expected == "error":
        try:
            inferred = _infer_spark_udf_return_type(Schema.from_json(text))
        except MlflowException:
            return
        assert not _check_udf_return_type(inferred)  # spark_udf refuses it
        return
    mlflow_type = _infer_spark_udf_return_type(Schema.from_json(text))
    assert mlflow_type.simpleString() == expected
    assert _check_udf_return_type(mlflow_type)


def test_no_output_schema_is_double() -> None:
    from mlmodel.spark.udf import resolve_result_type

    assert resolve_result_type(None, None).simpleString() == "double"  # as MLflow's default


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_params_reach_every_batch(spark: SparkSession, tmp_path: Path) -> None:
    """A PythonModel with a params schema (loaded through MLflow on the executors, its
    class pickled by value so the workers need no test module): params given to spark_udf
    are checked on the driver and reach predict, as with MLflow's spark_udf."""
    import cloudpickle
    import mlflow.pyfunc
    from mlflow.models import infer_signature as mlflow_signature

    from tests import pyfunc_models

    factor = tmp_path / "factor.txt"
    factor.write_text("2.5")
    frame = pd.DataFrame({"row": np.arange(40), "x": np.linspace(0.0, 3.0, 40)})
    cloudpickle.register_pickle_by_value(pyfunc_models)
    try:
        mlflow.pyfunc.save_model(
            tmp_path / "m",
            python_model=pyfunc_models.ScaleModel(),
            artifacts={"factor": str(factor)},
            signature=mlflow_signature(frame[["x"]], frame["x"], params={"shift": 0.0}),
        )
    finally:
        cloudpickle.unregister_pickle_by_value(pyfunc_models)
    df = spark.createDataFrame(frame).repartition(2)
    shifted = spark_udf(spark, tmp_path / "m", params={"shift": 1.0}, allow_unsafe=True)
    plain = spark_udf(spark, tmp_path / "m", allow_unsafe=True)
    theirs = mlflow.pyfunc.spark_udf(
        spark, str(tmp_path / "m"), result_type="double", params={"shift": 1.0}
    )
    rows = (
        df.select("row", shifted("x").alias("s"), plain("x").alias("p"), theirs("x").alias("t"))
        .orderBy("row")
        .collect()
    )
    np.testing.assert_allclose([r["s"] for r in rows], frame["x"] * 2.5 + 1.0)
    np.testing.assert_allclose([r["p"] for r in rows], frame["x"] * 2.5)
    assert [r["s"] for r in rows] == [r["t"] for r in rows]
    with pytest.raises(MlmodelException, match="shift"):
        spark_udf(spark, tmp_path / "m", params={"shift": "not a number"}, allow_unsafe=True)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_several_outputs_give_a_struct(spark: SparkSession, tmp_path: Path) -> None:
    """A model with two named outputs: a struct column, field by field equal to pyfunc's
    DataFrame and to MLflow's spark_udf with the same inferred type."""
    import cloudpickle
    import mlflow.pyfunc
    from mlflow.models import infer_signature as mlflow_signature

    from tests import pyfunc_models

    frame = pd.DataFrame({"x": np.linspace(-1.0, 1.0, 30), "name": [f"n{i}" for i in range(30)]})
    cloudpickle.register_pickle_by_value(pyfunc_models)
    try:
        mlflow.pyfunc.save_model(
            tmp_path / "m",
            python_model=pyfunc_models.EchoModel(),
            signature=mlflow_signature(frame, frame),
        )
    finally:
        cloudpickle.unregister_pickle_by_value(pyfunc_models)
    ours = spark_udf(spark, tmp_path / "m", allow_unsafe=True)
    assert ours.result_type.simpleString() == "struct<x:double,name:string>"
    theirs = mlflow.pyfunc.spark_udf(spark, str(tmp_path / "m"))
    df = spark.createDataFrame(frame.assign(row=np.arange(30))).repartition(2)
    rows = (
        df.select("row", ours("x", "name").alias("o"), theirs("x", "name").alias("t"))
        .orderBy("row")
        .collect()
    )
    expected = load_model(tmp_path / "m", allow_unsafe=True).predict(frame)
    assert [r["o"]["x"] for r in rows] == expected["x"].tolist()
    assert [r["o"]["name"] for r in rows] == expected["name"].tolist()
    assert [r["o"].asDict() for r in rows] == [r["t"].asDict() for r in rows]


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_spark_failures_are_one_line_errors(
    spark: SparkSession,
    tmp_path: Path,
    data: pd.DataFrame,
    models: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An existing output, a missing input, a model that is refused: one clear line and an
    exit code (2 for the paths, 1 for the refusal), never Spark's stack trace."""
    import cloudpickle
    import mlflow.pyfunc

    from mlmodel.cli.app import run
    from tests import pyfunc_models

    source = tmp_path / "in.parquet"
    data.to_parquet(source, index=False)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    base = ["predict", str(models["clf"]), "--engine", "spark", "-i"]
    assert run([*base, str(source), "-o", str(taken)]) == 2
    err = capsys.readouterr().err
    assert f"{taken}: already exists" in err and "Traceback" not in err
    assert (taken / "keep.txt").read_text() == "mine"
    assert run([*base, str(tmp_path / "absent.parquet"), "-o", str(tmp_path / "o1")]) == 2
    assert "absent.parquet: no such file or directory" in capsys.readouterr().err

    frame = pd.DataFrame({"x": [1.0, 2.0]})
    cloudpickle.register_pickle_by_value(pyfunc_models)
    try:  # its class pickled by value: code the executors refuse to unpickle by default
        mlflow.pyfunc.save_model(tmp_path / "code", python_model=pyfunc_models.EchoModel())
    finally:
        cloudpickle.unregister_pickle_by_value(pyfunc_models)
    frame.to_parquet(tmp_path / "x.parquet", index=False)
    argv = ["predict", str(tmp_path / "code"), "--engine", "spark", "-i"]
    assert run([*argv, str(tmp_path / "x.parquet"), "-o", str(tmp_path / "o2")]) == 1
    err = capsys.readouterr().err
    reported = [line for line in err.splitlines() if line.startswith("mlmodel predict:")]
    assert len(reported) == 1, err
    # refused on the driver, before any job, in the command line's words
    assert "the Spark job failed" not in reported[0]
    assert "PERMISSION_DENIED" in reported[0] and "refusing to unpickle" in reported[0]
    assert "--trusted-key" in reported[0] and "Traceback" not in err


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
def test_model_config_reaches_the_loader(spark: SparkSession, tmp_path: Path) -> None:
    """model_config goes to the executors' loader, as with MLflow's spark_udf (it may
    change the keys the saved configuration has)."""
    import cloudpickle
    import mlflow.pyfunc
    from mlflow.models import infer_signature as mlflow_signature

    from tests import pyfunc_models

    frame = pd.DataFrame({"row": np.arange(20), "x": np.linspace(0.0, 1.0, 20)})
    cloudpickle.register_pickle_by_value(pyfunc_models)
    try:
        mlflow.pyfunc.save_model(
            tmp_path / "m",
            python_model=pyfunc_models.ConfigModel(),
            signature=mlflow_signature(frame[["x"]], frame["x"]),
            model_config={"offset": 1},
        )
    finally:
        cloudpickle.unregister_pickle_by_value(pyfunc_models)
    ours = spark_udf(spark, tmp_path / "m", model_config={"offset": 10}, allow_unsafe=True)
    theirs = mlflow.pyfunc.spark_udf(
        spark, str(tmp_path / "m"), result_type="double", model_config={"offset": 10}
    )
    rows = (
        spark.createDataFrame(frame)
        .select("row", ours("x").alias("o"), theirs("x").alias("t"))
        .orderBy("row")
        .collect()
    )
    np.testing.assert_allclose([r["o"] for r in rows], frame["x"] + 10)
    assert [r["o"] for r in rows] == [r["t"] for r in rows]
