"""`mlmodel predict --engine spark` refuses what it can see is wrong before a Spark session
starts: each case is a fresh `mlmodel` process that must exit 2 (1 for a model that does not
validate) within 5 s, with one line on stderr and nothing of Spark's (no JVM is started).

No Spark session here: these run in seconds. The DDL parser behind ``--result-type`` is
checked against Spark's own parser in test_spark_udf.py (which has a session).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
#: what Spark's launcher, its log4j and its JVM print
SPARK_NOISE = ("log4j", "WARN", "SparkContext", "Using Spark's default", "Setting default log")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model (no Spark needed to save it), a Parquet input, a taken output folder."""
    from sklearn.linear_model import LinearRegression

    import mlmodel.sklearn
    from mlmodel.models import infer_signature

    root = tmp_path_factory.mktemp("front-door")
    frame = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) * 2})
    model = LinearRegression().fit(frame, frame["a"])
    mlmodel.sklearn.save_model(
        model, root / "model", signature=infer_signature(frame, model.predict(frame))
    )
    frame.to_parquet(root / "in.parquet", index=False)
    (root / "in.json").write_text(frame.to_json(orient="split"))
    (root / "taken").mkdir()
    (root / "taken" / "mine.txt").write_text("keep")
    (root / "bad").mkdir()
    (root / "bad" / "MLmodel").write_text("flavors: 3\n")
    return root


def _predict(root: Path, *args: str, **env: str) -> tuple[int, str, float]:
    command = [sys.executable, "-m", "mlmodel", "predict", "--engine", "spark", *args]
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    start = time.monotonic()
    done = subprocess.run(
        command,
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - start


CASES = [
    pytest.param(
        ["model", "-i", "absent.parquet", "-o", "o"], 2, "absent.parquet: no such", id="input"
    ),
    pytest.param(
        ["model", "-i", "file://{root}/absent.parquet", "-o", "o"],
        2,
        "no such file",
        id="input-file-uri",
    ),
    pytest.param(
        ["model", "-i", "in*.csv", "-o", "o"], 2, "no file or directory matches", id="glob"
    ),
    pytest.param(["model", "-i", "in.parquet", "-o", "taken"], 2, "already exists", id="output"),
    pytest.param(
        ["model", "-i", "in.parquet", "-o", "taken", "--overwrite"],
        2,
        "--overwrite replaces only",
        id="overwrite-foreign-folder",
    ),
    pytest.param(
        ["model", "-i", "in.parquet", "-o", "in.parquet", "--overwrite"],
        2,
        "the output is the input",
        id="output-is-input",
    ),
    pytest.param(["model", "-i", "in.parquet", "-o", "o.json"], 2, "not JSON", id="json-output"),
    pytest.param(["model", "-i", "in.json", "-o", "o"], 2, "not JSON", id="json-input"),
    pytest.param(["model", "-i", "in.parquet", "-o", "o", "-t", "avro"], 2, "parquet", id="format"),
    pytest.param(
        ["model", "-i", "in.parquet", "-o", "o", "--result-type", "array<doubel>"],
        2,
        "--result-type 'array<doubel>': not a Spark type",
        id="result-type",
    ),
    pytest.param(
        ["model", "-i", "in.parquet", "-o", "o", "--result-type", "date"],
        2,
        "unsupported spark_udf result type",
        id="result-type-unsupported",
    ),
    pytest.param(["absent-model", "-i", "in.parquet", "-o", "o"], 2, "absent-model", id="no-model"),
    pytest.param(
        ["bad", "-i", "in.parquet", "-o", "o"], 1, "does not validate", id="invalid-model"
    ),
    pytest.param(
        ["model", "-i", "in.parquet", "-o", "in.parquet/x"],
        2,
        "not a directory",
        id="output-under-a-file",
    ),
]


@pytest.mark.parametrize(("args", "code", "said"), CASES)
def test_usage_errors_before_any_spark_session(
    workspace: Path, args: list[str], code: int, said: str
) -> None:
    args = [arg.replace("{root}", str(workspace)) for arg in args]
    returned, err, seconds = _predict(workspace, *args)
    assert returned == code, err
    assert said in err, err
    assert seconds < 5, seconds
    assert not any(noise in err for noise in SPARK_NOISE), err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith("mlmodel predict: "), err
    if code == 2:
        assert len(lines) == 1, err
    assert (workspace / "taken" / "mine.txt").read_text() == "keep"
    assert not (workspace / "o").exists()


def test_a_java_older_than_17_is_refused_before_spark(workspace: Path, tmp_path: Path) -> None:
    """A runtime whose release file says Java 11: refused without starting it."""
    home = tmp_path / "jdk-11"
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text('#!/bin/sh\necho started >> "$0.ran"\nexit 1\n')
    java.chmod(0o755)
    (home / "release").write_text('JAVA_VERSION="11.0.22"\n')
    code, err, seconds = _predict(
        workspace, "model", "-i", "in.parquet", "-o", "o", JAVA_HOME=str(home)
    )
    assert code == 2, err
    assert "Java 17" in err and "Java 11.0.22" in err and "JAVA_HOME" in err
    assert seconds < 5
    assert not Path(f"{java}.ran").exists()  # never run


def test_result_type_parser_forms() -> None:
    """The forms --result-type takes, built as pyspark types without a JVM."""
    from mlmodel.core.errors import InvalidParameterError
    from mlmodel.spark.ddl import CLI, parse_result_type

    forms = {
        "double": "double",
        "LONG": "bigint",
        "bool": "boolean",
        "array<double>": "array<double>",
        "array<array<float>>": "array<array<float>>",
        "map<string, double>": "map<string,double>",
        "struct<a:int, `b c`: string>": "struct<a:int,b c:string>",
        "struct<a int>": "struct<a:int>",
        "a: double, b: array<string>": "struct<a:double,b:array<string>>",
    }
    for text, expected in forms.items():
        assert parse_result_type(text).simpleString() == expected, text
    for text in ("", "array<double", "map<int,double>", "decimal(10,2)", "<"):
        with pytest.raises(InvalidParameterError, match="--result-type"):
            parse_result_type(text, CLI)
