"""``mlmodel predict --engine spark``: score a Parquet or CSV dataset with Spark, write with Spark.

The output is the input's columns plus the predictions (``prediction``, or the fields of a
struct result), written by Spark as a directory of part files in the output's format (Parquet
unless the output path ends in ``.csv``; CSV cells hold array and map results as JSON).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.runtime.errors import INVALID_STATE, MlmodelException
from mlmodel.runtime.load.safety import TrustOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import DataFrame, SparkSession

FORMATS: Final = ("parquet", "csv")
PREDICTION: Final = "prediction"


def format_of(path: str, given: str | None) -> str:
    """The data format: ``given``, else from the path's extension (Parquet by default)."""
    if given is not None:
        if given not in FORMATS:
            raise MlmodelException.invalid_parameter_value(
                f"unknown format {given!r}: use {' or '.join(FORMATS)}"
            )
        return given
    return "csv" if path.rstrip("/").lower().endswith(".csv") else "parquet"


@contextmanager
def local_session(master: str) -> Iterator[SparkSession]:
    """A Spark session for one command, bound to 127.0.0.1; stopped at the end unless it
    was already running (then it is the caller's)."""
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is None and master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # local workers run this interpreter (where mlmodel is installed), not whatever
        # "python3" the PATH finds first
        os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = running or (
        SparkSession.builder.master(master)
        .appName("mlmodel predict")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    try:
        yield spark
    finally:
        if running is None:
            spark.stop()


def read_input(spark: SparkSession, path: str, data_format: str) -> DataFrame:
    if data_format == "csv":
        return spark.read.csv(path, header=True, inferSchema=True)
    return spark.read.parquet(path)


def missing_columns(udf: Any, columns: list[str]) -> list[str]:
    """Signature inputs the data lacks (none when the signature names no columns)."""
    schema = udf._input_schema
    if schema is None or not schema.has_names:
        return []
    return [name for name in schema.required_names() if name not in columns]


def score(udf: Any, frame: DataFrame) -> DataFrame:
    """``frame`` with the predictions added (struct results as one column per field)."""
    from pyspark.sql.types import StructType

    schema = udf._input_schema
    missing = missing_columns(udf, frame.columns)
    if missing:
        raise MlmodelException.invalid_parameter_value(
            f"the input has no column {', '.join(map(repr, missing))}, which the model's "
            f"signature requires (input columns: {', '.join(frame.columns)})"
        )
    if schema is not None and schema.has_names:
        args = [name for name in schema.names() if name in frame.columns]
    else:
        args = list(frame.columns)
    scored = frame.withColumn(PREDICTION, udf(*args))
    if isinstance(udf.result_type, StructType):
        scored = scored.select(
            *frame.columns, *(f"{PREDICTION}.{f.name}" for f in udf.result_type.fields)
        )
    return scored


def _csv_ready(frame: DataFrame) -> DataFrame:
    """Arrays, maps and structs as JSON text: CSV holds only scalars."""
    from pyspark.sql.functions import col, to_json
    from pyspark.sql.types import ArrayType, MapType, StructType

    return frame.select(
        *(
            to_json(col(f.name)).alias(f.name)
            if isinstance(f.dataType, (ArrayType, MapType, StructType))
            else col(f.name)
            for f in frame.schema.fields
        )
    )


def predict_files(
    model_uri: str | Path,
    input_path: str,
    output_path: str,
    *,
    master: str = "local[*]",
    input_format: str | None = None,
    output_format: str | None = None,
    result_type: str | None = None,
    params: dict[str, Any] | None = None,
    allow_unsafe: bool = False,
    spark: SparkSession | None = None,
    trust: TrustOptions | None = None,
) -> None:
    """Score ``input_path`` with the model and write the result to ``output_path`` with Spark.

    Uses ``spark`` when given, else starts a session on ``master`` for this call. Raises
    :class:`MlmodelException` for a model that does not validate, or input lacking a column
    the signature requires, before any job runs; for a job that fails, with the cause (a
    worker's own error, not Spark's stack trace). Raises :class:`~mlmodel.core.errors.UsageError`
    when the input does not exist or the output does (Spark never overwrites it here).
    """
    from pyspark.errors import PySparkException

    from mlmodel.spark.udf import spark_udf

    read_format = format_of(input_path, input_format)
    write_format = format_of(output_path, output_format)
    with nullcontext(spark) if spark is not None else local_session(master) as session:
        udf = spark_udf(
            session,
            model_uri,
            result_type,
            params,
            trust=trust or TrustOptions.of(allow_unsafe=allow_unsafe),
        )
        try:
            scored = score(udf, read_input(session, input_path, read_format))
            if write_format == "csv":
                _csv_ready(scored).write.csv(output_path, header=True)
            else:
                scored.write.parquet(output_path)
        except PySparkException as exc:
            raise spark_failure(exc, input_path, output_path) from exc


def spark_failure(exc: Exception, input_path: str, output_path: str) -> Exception:
    """The error to report for a Spark failure: a path problem is a usage error; a failed
    job names its cause, the last line of a Python worker's traceback."""
    from pyspark.errors import PythonException

    from mlmodel.core.errors import UsageError

    getter = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    condition = getter() if getter is not None else None
    if condition == "PATH_ALREADY_EXISTS":
        return UsageError(
            f"{output_path}: already exists; Spark writes the output as a new directory: "
            "remove it or choose another -o"
        )
    if condition == "PATH_NOT_FOUND":
        return UsageError(f"{input_path}: no such file or directory")
    text = str(exc).split("JVM stacktrace:")[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [type(exc).__name__]
    # a worker's traceback ends with its exception; Spark's own errors lead with theirs
    cause = lines[-1] if isinstance(exc, PythonException) else lines[0]
    if len(cause) > 500:
        cause = cause[:500] + "..."
    return MlmodelException(f"the Spark job failed: {cause}", error_code=INVALID_STATE)


def predict_command(
    model: str,
    input_path: str,
    output_path: str | None,
    *,
    master: str,
    content_type: str,
    trust: TrustOptions,
) -> None:
    """``mlmodel predict --engine spark``: raises ``UsageError`` for arguments Spark cannot
    take (standard streams, JSON), :class:`MlmodelException` for the model or its input."""
    from mlmodel.core.errors import UsageError

    if input_path == "-" or output_path in (None, "-"):
        raise UsageError("--engine spark reads and writes paths: give -i INPUT and -o OUTPUT")
    if content_type not in ("json", *FORMATS):
        raise UsageError(f"--engine spark reads {' or '.join(FORMATS)}")
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            "--engine spark needs pyspark and pyarrow: pip install 'mlmodel[spark]'"
        ) from exc
    assert output_path is not None
    predict_files(
        model,
        input_path,
        output_path,
        master=master,
        input_format=None if content_type == "json" else content_type,
        trust=trust,
    )
