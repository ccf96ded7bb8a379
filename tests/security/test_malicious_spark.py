"""Every malicious model through ``mlmodel.spark.spark_udf`` on a local Spark session.

Two local[2] sessions, loopback only: one whose Python workers are reused, for the cases
that leave nothing behind in a worker, and one whose workers are not, for those that do
(code on ``sys.path``, imported modules, registered pickle extensions), so that no case's
leftovers change another's result. Each case is one UDF applied to a
one-row DataFrame and collected; the loop over the catalogue has a total time bound, and a
case it did not reach is reported as skipped, not passed. Jobs are submitted from a few
threads at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

from tests.security.malicious_models import CASES, Case, fired
from tests.security.runner import MLMODEL_ERRORS

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

TOTAL_SECONDS = 240.0
JOBS_AT_ONCE = 3


@dataclass(frozen=True)
class Outcome:
    outcome: str  # refused, loaded, error, not run
    detail: str
    canary: Path


def _session(reuse: bool) -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("mlmodel-malicious")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "512m")
        .config("spark.python.worker.reuse", "true" if reuse else "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.task.maxFailures", "1")
        .getOrCreate()
    )


#: cases that change a worker process for good (sys.path entries, imported modules, the
#: pickle extension registry, .pth files): run by workers that are never reused
STATEFUL = frozenset(
    case.name
    for case in CASES
    if case.fresh
    or case.family in ("shipped code",)
    or case.name.startswith(("ext", "code_", "xgboost_model_class_in_code"))
)


def _refusal(exc: BaseException) -> bool:
    """An mlmodel error, raised on the driver or carried back from a worker."""
    from mlmodel.core.errors import MLModelError

    if isinstance(exc, MLModelError):
        return True
    text = str(exc)
    return any(f"{name}:" in text or f".{name}" in text for name in MLMODEL_ERRORS)


def _attempt(spark: Any, model: Path) -> tuple[str, str]:
    import pandas as pd

    from mlmodel.spark import spark_udf

    try:
        udf = spark_udf(spark, model)
        frame = spark.createDataFrame(pd.DataFrame({"a": [0.1], "b": [1.0]}))
        rows = frame.select(udf("a", "b").alias("p")).collect()
    except Exception as exc:  # noqa: BLE001 - classified below
        outcome = "refused" if _refusal(exc) else "error"
        return outcome, f"{type(exc).__name__}: {str(exc)[-1200:]}"
    return "loaded", repr(rows)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    from concurrent.futures import ThreadPoolExecutor

    base = tmp_path_factory.mktemp("malicious-spark")
    end = time.monotonic() + TOTAL_SECONDS
    built = {}
    for case in CASES:
        work = base / case.name
        work.mkdir()
        built[case.name] = (case.build(work, work / "canary"), work / "canary")

    found: dict[str, Outcome] = {}
    # stateless cases share reused workers (a worker imports pandas, pyarrow and mlmodel
    # once, not once per case); the stateful ones get a new worker per task
    for reuse in (True, False):
        names = [name for name in built if (name in STATEFUL) != reuse]
        spark = _session(reuse)

        def attempt(name: str, spark: Any = spark) -> Outcome:
            model, canary = built[name]
            if time.monotonic() > end:
                return Outcome("not run", "the total time bound was reached", canary)
            return Outcome(*_attempt(spark, model), canary)

        try:
            # concurrent jobs keep both task slots of local[2] busy
            with ThreadPoolExecutor(JOBS_AT_ONCE) as pool:
                found.update(zip(names, pool.map(attempt, names), strict=True))
        finally:
            spark.stop()
    time.sleep(0.5)  # a worker's last write lands before the canaries are looked at
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_spark_udf_refuses_and_never_fires(outcomes: dict[str, Outcome], case: Case) -> None:
    result = outcomes[case.name]
    if result.outcome == "not run":
        pytest.skip(result.detail)
    assert not fired(result.canary), f"{case.name} via spark_udf: THE CANARY FIRED ({result})"
    assert result.outcome == "refused", f"{case.name} via spark_udf: {result}"
