"""``mlmodel predict --engine spark``: score a Parquet or CSV dataset with Spark, write with Spark.

The output is the input's columns plus the predictions (``prediction``, or the fields of a
struct result), written by Spark as a directory of part files in the output's format (Parquet
unless the output path ends in ``.csv``; CSV cells hold array and map results as JSON).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mlmodel.core.errors import InvalidParameterError, PredictionError
from mlmodel.runtime.load.safety import TrustOptions
from mlmodel.spark.ddl import API, CLI, ResultTypeOption
from mlmodel.spark.preflight import format_of
from mlmodel.spark.session import condition_of, local_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from mlmodel.runtime.gate import Admitted
    from mlmodel.spark.preflight import Plan

PREDICTION: Final = "prediction"


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
        raise InvalidParameterError(
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
    overwrite: bool = False,
    env_manager: str | None = None,
) -> None:
    """Score ``input_path`` with the model and write the result to ``output_path`` with Spark.

    Uses ``spark`` when given, else starts a (quiet) session on ``master`` for this call.
    ``env_manager`` is :func:`~mlmodel.spark.spark_udf`'s.
    Raises :class:`~mlmodel.core.errors.MLModelError` for a model that does not validate, or
    input lacking a column the signature requires, before any job runs; for a job that
    fails, with the cause (a worker's own error, not Spark's stack trace). Raises
    :class:`~mlmodel.core.errors.UsageError` when the input does not exist or the output
    does (Spark replaces it only with ``overwrite``).
    """
    from mlmodel.runtime.gate import admit
    from mlmodel.spark.environment import check_env_manager

    check_env_manager(env_manager)
    trust = trust or TrustOptions.of(allow_unsafe=allow_unsafe)
    admitted = admit(model_uri, trust, scan=True)  # refused here, before any Spark job
    with nullcontext(spark) if spark is not None else local_session(master) as session:
        write_scored(
            session,
            admitted,
            input_path,
            output_path,
            input_format=format_of(input_path, input_format),
            output_format=format_of(output_path, output_format),
            result_type=result_type,
            params=params,
            trust=trust,
            overwrite=overwrite,
            env_manager=env_manager,
        )


def write_scored(
    session: SparkSession,
    admitted: Admitted,
    input_path: str,
    output_path: str,
    *,
    input_format: str,
    output_format: str,
    result_type: Any,
    params: dict[str, Any] | None,
    trust: TrustOptions,
    overwrite: bool,
    option: ResultTypeOption = API,
    env_manager: str | None = None,
) -> None:
    """Read, score and write with ``session``: the job of :func:`predict_files`."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    from mlmodel.spark.udf import admitted_udf

    udf = admitted_udf(
        session,
        admitted,
        result_type,
        params,
        trust=trust,
        option=option,
        env_manager=env_manager,
    )
    try:
        scored = score(udf, read_input(session, input_path, input_format))
        if output_format == "csv":
            scored = _csv_ready(scored)
        writer = scored.write.mode("overwrite" if overwrite else "errorifexists")
        if output_format == "csv":
            writer.csv(output_path, header=True)
        else:
            writer.parquet(output_path)
    except (PySparkException, Py4JJavaError) as exc:
        raise spark_failure(exc, input_path, output_path) from exc


def spark_failure(exc: Exception, input_path: str, output_path: str) -> Exception:
    """The error to report for a Spark failure: a path problem is a usage error; a failed
    job names its cause, the last line of a Python worker's traceback."""
    from pyspark.errors import PythonException

    from mlmodel.core.errors import UsageError

    condition = condition_of(exc)
    if condition == "PATH_ALREADY_EXISTS":
        return UsageError(
            f"{output_path}: already exists; Spark writes the output as a new directory: "
            "remove it, choose another -o, or give --overwrite"
        )
    if condition == "PATH_NOT_FOUND":
        return UsageError(f"{input_path}: no such file or directory")
    java = getattr(exc, "java_exception", None)  # a Py4JJavaError: the JVM's own message
    text = str(java.getMessage()) if java is not None else str(exc)
    text = text.split("JVM stacktrace:")[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [type(exc).__name__]
    # a worker's traceback ends with its exception; Spark's own errors lead with theirs
    cause = lines[-1] if isinstance(exc, PythonException) else lines[0]
    if len(cause) > 500:
        cause = cause[:500] + "..."
    return PredictionError(f"the Spark job failed: {cause}")


def run_plan(
    plan: Plan, *, master: str, trust: TrustOptions, verbose: bool, overwrite: bool
) -> None:
    """Start the session and run a plan :func:`mlmodel.spark.preflight.prepare` checked."""
    with local_session(master, verbose=verbose) as session:
        write_scored(
            session,
            plan.admitted,
            plan.input_path,
            plan.output_path,
            input_format=plan.input_format,
            output_format=plan.output_format,
            result_type=plan.result_type,
            params=None,
            trust=trust,
            overwrite=overwrite,
            option=CLI,
            env_manager=plan.env_manager,
        )


def predict_command(
    model: str,
    input_path: str,
    output_path: str | None,
    *,
    master: str,
    content_type: str,
    trust: TrustOptions,
    result_type: str | None = None,
    overwrite: bool = False,
    verbose: bool = False,
    env_manager: str | None = None,
) -> None:
    """``mlmodel predict --engine spark``: every check that needs no session first
    (:func:`mlmodel.spark.preflight.prepare`: ``UsageError`` for arguments Spark cannot
    take, :class:`~mlmodel.core.errors.MLModelError` for the model), then the session and
    the job."""
    from mlmodel.spark.preflight import prepare

    plan = prepare(
        model,
        input_path,
        output_path,
        master=master,
        content_type=content_type,
        result_type=result_type,
        overwrite=overwrite,
        trust=trust,
        env_manager=env_manager,
    )
    run_plan(plan, master=master, trust=trust, verbose=verbose, overwrite=overwrite)
