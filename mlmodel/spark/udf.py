"""``spark_udf``: a model as an iterator-style pandas UDF, validated on the driver.

Differences from ``mlflow.pyfunc.spark_udf`` (same call shape and results otherwise):

* the model is validated (``mlmodel validate``) and its params checked on the driver, before
  any job starts; a column the signature requires that is not among the named columns is one
  error naming it;
* executors load the model once per Python worker (cached across batches, tasks and jobs),
  not once per task, and only when a batch comes (an empty partition loads nothing);
* a one-value-per-row tensor output gives a scalar column, not one-element arrays;
* columns given by their names are matched to the signature by name, in any order (MLflow
  names them by position); other arguments are positional, as MLflow's;
* with ``env_manager="uv"|"virtualenv"`` each Python worker starts one scoring process in the
  model's environment, reused for all its batches, tasks and jobs (MLflow starts a scoring
  server per task), and talks to it over pipes in Arrow (MLflow: JSON over HTTP).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.core.errors import InvalidParameterError
from mlmodel.runtime.load.safety import TrustOptions
from mlmodel.runtime.predict.signature_spec import InputSchema, parse_inputs, parse_params
from mlmodel.spark.ddl import API, ResultTypeOption

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, SparkSession
    from pyspark.sql.types import DataType

    from mlmodel.runtime.gate import Admitted


@dataclass(frozen=True)
class _Shipped:
    """What every task needs: picklable, small."""

    archive: str
    document: dict[str, Any]
    result_type: DataType
    params: dict[str, Any] | None
    trust: TrustOptions
    model_config: dict[str, Any] | None
    #: how errors name the result-type setting (the CLI's option or spark_udf's argument)
    option: ResultTypeOption = API
    #: ``uv`` or ``virtualenv``: scored in the model's environment; None: in the worker
    env_manager: str | None = None
    #: the environment cache root the driver used (see :mod:`mlmodel.spark.environment`)
    env_root: str | None = None


class SparkUDF:
    """A model's predict as a Spark column function: ``df.select(udf("a", "b"))``.

    Called with no columns it uses the signature's input names. ``metadata`` is the model's
    parsed MLmodel, ``result_type`` the Spark type of its results.
    """

    def __init__(
        self, shipped: _Shipped, input_schema: InputSchema | None, document: dict[str, Any]
    ) -> None:
        self._shipped = shipped
        self._input_schema = input_schema
        self.metadata = document
        self.result_type = shipped.result_type

    def input_names(self, args: Sequence[Any]) -> list[Any]:
        """The DataFrame column names the model sees for these UDF arguments."""
        schema = self._input_schema
        if schema is None:
            return [str(index) for index in range(len(args))]
        names: list[Any] = schema.names() if schema.has_names else list(range(len(schema.names())))
        strings = all(isinstance(arg, str) for arg in args)
        if strings and schema.has_names and set(args) <= set(names):
            missing = [name for name in schema.required_names() if name not in args]
            if missing:
                raise InvalidParameterError(
                    f"the model needs the column(s) {', '.join(map(repr, missing))} "
                    f"(signature inputs: {', '.join(names)}); got {', '.join(map(repr, args))}"
                )
            return list(args)
        required = schema.required_names() if schema.has_names else names
        if len(args) < len(required):
            missing = required[len(args) :]
            raise InvalidParameterError(
                f"the model needs {len(required)} input column(s) {required}; got {len(args)} "
                f"positional column(s), so {', '.join(map(repr, missing))} is missing (columns "
                "given positionally are taken in the signature's order)"
            )
        return names[: len(args)]

    @staticmethod
    def input_names_of_one(schema: InputSchema) -> list[Any]:
        return [schema.names()[0] if schema.has_names else 0]

    def __call__(self, *args: str | Column) -> Column:
        if not args:
            schema = self._input_schema
            if schema is None or not schema.has_names:
                raise InvalidParameterError(
                    "the model's signature names no input columns: pass the columns to the udf"
                )
            args = tuple(schema.names())
        if len(args) == 1 and not isinstance(args[0], str):
            # one Column: a struct(...) brings its own field names; else the first input
            schema = self._input_schema
            names: list[Any] = ["0"] if schema is None else self.input_names_of_one(schema)
        else:
            names = self.input_names(args)
        return _pandas_udf(self._shipped, names)(*args)  # type: ignore[no-any-return]


def _pandas_udf(shipped: _Shipped, names: list[Any]) -> Any:
    import pandas as pd
    from pyspark.sql.pandas.functions import pandas_udf
    from pyspark.sql.types import StructType

    def predict(batches: Iterator[Any]) -> Iterator[Any]:
        import itertools

        batches = iter(batches)
        first = next(batches, None)
        if first is None:  # an empty partition: no model to load
            return iter(())
        model = _worker_scorer(shipped)
        return _predict_batches(model, itertools.chain([first], batches), names, shipped)

    # pandas_udf reads typing's spelling of these hints, not the builtin generics
    column: Any = typing.Union[pd.Series, pd.DataFrame]  # noqa: UP007
    columns: Any = typing.Tuple[column, ...]  # noqa: UP006
    result: Any = pd.DataFrame if isinstance(shipped.result_type, StructType) else pd.Series
    predict.__annotations__ = {"batches": Iterator[columns], "return": Iterator[result]}
    return pandas_udf(predict, shipped.result_type)  # type: ignore[call-overload]


def _worker_scorer(shipped: _Shipped) -> Any:
    """What scores batches in this Python worker: the model loaded here, or (with an
    environment manager) the worker's scoring process in the model's environment."""
    from mlmodel.spark.shipping import unpacked_model, worker_model

    if shipped.env_manager is None:
        return worker_model(
            shipped.archive,
            shipped.document,
            trust=shipped.trust,
            model_config=shipped.model_config,
        )
    from mlmodel.spark.scoring_process import worker_process

    assert shipped.env_root is not None
    return worker_process(
        shipped.archive,
        unpacked_model(shipped.archive),
        shipped.document,
        manager=shipped.env_manager,
        driver_root=shipped.env_root,
        trust=shipped.trust,
        model_config=shipped.model_config,
    )


def _predict_batches(
    model: Any, batches: Iterator[Any], names: list[Any], shipped: _Shipped
) -> Iterator[pd.Series | pd.DataFrame]:
    import pandas as pd

    from mlmodel.spark.result_types import to_spark_values

    for batch in batches:
        columns = (batch,) if isinstance(batch, (pd.Series, pd.DataFrame)) else tuple(batch)
        if len(columns) == 1 and isinstance(columns[0], pd.DataFrame):
            frame = columns[0]
        else:
            frame = pd.DataFrame(
                {
                    name: column
                    if isinstance(column, pd.Series)
                    else column.apply(lambda row: row.to_dict(), axis=1)
                    for name, column in zip(names, columns, strict=False)
                }
            )
        if len(frame) == 0:
            continue
        predictions = model.predict(frame, shipped.params)
        yield to_spark_values(predictions, shipped.result_type, shipped.option)


def resolve_result_type(
    result_type: DataType | str | None, outputs: Any, option: ResultTypeOption = API
) -> Any:
    """The Spark type of the UDF's results: ``result_type`` (a ``DataType`` or DDL text),
    else the type the output schema ``outputs`` implies; refused here when spark_udf cannot
    fill it. Parsed in Python, without asking the JVM."""
    from pyspark.sql.types import DataType

    from mlmodel.spark.ddl import parse_result_type
    from mlmodel.spark.result_types import check_result_type, infer_result_ddl

    if isinstance(result_type, DataType):
        parsed = result_type
    else:
        ddl = infer_result_ddl(outputs, option) if result_type is None else result_type
        parsed = parse_result_type(ddl, option)
    check_result_type(parsed, option)
    return parsed


def spark_udf(
    spark: SparkSession,
    model_uri: str | Path,
    result_type: DataType | str | None = None,
    params: dict[str, Any] | None = None,
    *,
    env_manager: str | None = None,
    model_config: dict[str, Any] | None = None,
    allow_unsafe: bool = False,
    strict: bool = False,
    trusted_types: Sequence[str] | None = None,
    trusted_keys: Sequence[str | os.PathLike[str]] | None = None,
    require_signature: bool = False,
    trust: TrustOptions | None = None,
) -> SparkUDF:
    """A Spark UDF that scores rows with the model at ``model_uri``.

    ``model_uri`` is a model directory (or its MLmodel file) or any model URI
    :func:`mlmodel.pyfunc.load_model` takes (``runs:/``, ``models:/``, ``file://``, an
    artifact store): it is fetched on the driver, validated, and shipped to the executors.
    ``result_type`` (a Spark ``DataType`` or DDL string) defaults to the type the output
    schema implies (``double`` without one). ``params`` go to every ``predict`` call, checked
    against the params schema here; ``model_config`` goes to the loader, as MLflow's.
    ``env_manager`` is ``None`` or ``"local"`` (the model is scored in the executors' own
    Python environment), or ``"uv"`` or ``"virtualenv"``: the model's environment is created
    from its ``python_env.yaml`` / ``requirements.txt`` (or reused from the cache) on the
    driver before any job, then on each executor, where every Python worker scores through
    one scoring process inside it (MLflow's ``conda`` is not supported). ``allow_unsafe``, ``strict``, ``trusted_types``, ``trusted_keys`` and
    ``require_signature`` are :func:`mlmodel.pyfunc.load_model`'s (``trust`` gives them all
    at once): the trust decision and the static check of every pickle are made here on the
    driver, and again on the executors, which load. Raises :class:`~mlmodel.core.errors.InvalidParameterError` when the
    model does not validate, is refused, or an argument is wrong, before any Spark job.
    """
    from mlmodel.runtime.gate import admit
    from mlmodel.spark.environment import check_env_manager

    check_env_manager(env_manager)
    if trust is None:
        trust = TrustOptions.of(
            allow_unsafe=allow_unsafe,
            strict=strict,
            trusted_types=trusted_types,
            trusted_keys=trusted_keys,
            require_signature=require_signature,
        )
    admitted = admit(model_uri, trust, scan=True)  # refused here, before any Spark job
    return admitted_udf(
        spark,
        admitted,
        result_type,
        params,
        trust=trust,
        model_config=model_config,
        env_manager=env_manager,
    )


def admitted_udf(
    spark: SparkSession,
    admitted: Admitted,
    result_type: DataType | str | None = None,
    params: dict[str, Any] | None = None,
    *,
    trust: TrustOptions,
    model_config: dict[str, Any] | None = None,
    option: ResultTypeOption = API,
    env_manager: str | None = None,
) -> SparkUDF:
    """:func:`spark_udf` for a model already admitted under ``trust`` (validated, its
    pickles judged): the result type and params are checked, the model's environment is
    prepared here when ``env_manager`` asks for one, then the model is shipped.
    ``option`` is how errors name the result-type setting."""
    from mlmodel.runtime.predict.params import enforce_params
    from mlmodel.spark.environment import check_env_manager, prepare_on_driver
    from mlmodel.spark.shipping import ship_model

    document = admitted.document
    signature = document.get("signature") or {}
    resolved = resolve_result_type(result_type, signature.get("outputs"), option)
    checked_params = enforce_params(params, parse_params(signature.get("params")))
    manager = check_env_manager(env_manager)
    root = prepare_on_driver(admitted.model_dir, manager) if manager is not None else None
    shipped = _Shipped(
        archive=ship_model(spark.sparkContext, admitted.model_dir),
        document=document,
        result_type=resolved,
        params=checked_params,
        trust=trust,
        model_config=dict(model_config) if model_config else None,
        option=option,
        env_manager=manager,
        env_root=root,
    )
    return SparkUDF(shipped, parse_inputs(signature.get("inputs")), document)
