"""``spark_udf(..., env_manager="uv")`` and ``mlmodel predict --engine spark --env-manager uv``
on a local[2] session: the model (tests/environments/version_model.py) predicts the version of
cachetools it runs with, pinned at 5.5.2 while this interpreter has another, so every row
shows where it was scored. The environment is created once, on the driver, and reused by the
executors' Python workers, each scoring through one process inside it, which ends with the
session.

uv only (venv + pip creates the same environment through the same code, covered by
tests/environments/test_env_manager.py): its creation is the one slow step (~5 s), once per
module, under a module-scoped ``MLMODEL_ENV_ROOT``.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

import pandas as pd

from mlmodel.core.errors import InvalidParameterError
from mlmodel.spark import spark_udf
from tests.environments.version_model import PINNED, write_version_model

MAIN = "mlmodel.spark.scoring_process_main"


@pytest.fixture(scope="module", autouse=True)
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The environment cache of this module (``MLMODEL_ENV_ROOT``)."""
    folder = tmp_path_factory.mktemp("envs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLMODEL_ENV_ROOT", str(folder))
        patch.delenv("MLMODEL_NO_PICKLE", raising=False)
        yield folder


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert importlib.metadata.version("cachetools") != PINNED
    return write_version_model(tmp_path_factory.mktemp("version-model") / "model")


def _scoring_processes(root: Path) -> list[int]:
    """The pids of scoring processes running an interpreter of ``root``'s environments."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[2].decode() == MAIN and argv[0].decode().startswith(str(root)):
            found.append(int(entry.name))
    return found


def _environments(root: Path) -> list[Path]:
    return [entry for entry in root.iterdir() if not entry.name.startswith(".")]


def _frame(spark: Any, cells: list[str]) -> Any:
    return spark.createDataFrame(pd.DataFrame({"x": cells})).repartition(2)


def test_an_unknown_env_manager_is_a_clear_error(spark: Any, model: Path) -> None:
    with pytest.raises(InvalidParameterError) as raised:
        spark_udf(spark, model, "string", env_manager="conda", allow_unsafe=True)
    message = str(raised.value)
    assert "env_manager='conda' is not supported: use one of 'local', 'uv', 'virtualenv'" in (
        message
    )
    assert "conda manager is not supported" in message


def test_spark_udf_scores_in_the_models_environment(
    spark: Any, model: Path, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mlmodel.spark"):
        predict = spark_udf(spark, model, "string", env_manager="uv", allow_unsafe=True)
    said = [r.getMessage() for r in caplog.records if r.name == "mlmodel.spark"]
    print(said)
    assert any(" created in " in line for line in said), said
    (env,) = _environments(root)  # one environment, ready, created on the driver
    created = (env / "ready").stat().st_mtime
    rows = _frame(spark, [f"row {i}" for i in range(40)]).select(predict("x").alias("v"))
    assert [row["v"] for row in rows.collect()] == [PINNED] * 40
    assert _environments(root) == [env]  # the executors reused it: no other, nothing unfinished
    assert json.loads((env / "ready").read_text())["manager"] == "uv"
    assert (env / "ready").stat().st_mtime == created
    assert (env / "used").stat().st_mtime >= created  # touched by the executors' workers
    assert _scoring_processes(root), "no scoring process in the environment"


def test_errors_of_the_scoring_process_name_their_cause(spark: Any, model: Path) -> None:
    from pyspark.errors import PythonException

    predict = spark_udf(spark, model, "string", env_manager="uv", allow_unsafe=True)
    with pytest.raises(PythonException) as raised:
        _frame(spark, ["boom", "boom"]).select(predict("x")).collect()
    assert "ValueError: boom was asked for (in the model's environment" in str(raised.value)


def test_cli_predict_engine_spark_env_manager_uv(
    spark: Any, model: Path, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the running session (the CLI uses it and leaves it running)."""
    from mlmodel.cli.app import run

    source = tmp_path / "in.parquet"
    pd.DataFrame({"x": [1.5, 2.5, 3.5]}).to_parquet(source, index=False)
    out = tmp_path / "out"
    argv = ["predict", str(model), "--engine", "spark", "--env-manager", "uv", "--allow-unsafe"]
    argv += ["-i", str(source), "-o", str(out), "--result-type", "string"]
    assert run(argv) == 0, capsys.readouterr().err
    assert "reused environment " in capsys.readouterr().err
    rows = spark.read.parquet(str(out)).orderBy("x").collect()
    assert [(row["x"], row["prediction"]) for row in rows] == [
        (1.5, PINNED),
        (2.5, PINNED),
        (3.5, PINNED),
    ]
    assert len(_environments(root)) == 1


def test_no_scoring_process_outlives_the_session(spark: Any, model: Path, root: Path) -> None:
    """Last in the module: it stops the module's session."""
    predict = spark_udf(spark, model, "string", env_manager="uv", allow_unsafe=True)
    assert _frame(spark, ["a", "b", "c"]).select(predict("x")).count() == 3
    running = _scoring_processes(root)
    assert running
    spark.stop()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.1)
    assert not [pid for pid in running if _alive(pid)]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
