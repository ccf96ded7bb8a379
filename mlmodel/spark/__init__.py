"""``mlmodel.spark``: batch inference on Apache Spark, like ``mlflow.pyfunc.spark_udf``.

>>> predict = spark_udf(spark, "path/to/model")       # doctest: +SKIP
>>> df.withColumn("prediction", predict())             # doctest: +SKIP

Needs the ``spark`` extra (pyspark, pyarrow); pyspark is imported only when a function here
is called, never by ``import mlmodel`` or ``import mlmodel.pyfunc``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmodel.core.lazy import lazy_getattr

__all__ = ["SparkUDF", "predict_files", "spark_udf"]

_LAZY = {
    "SparkUDF": "mlmodel.spark.udf",
    "spark_udf": "mlmodel.spark.udf",
    "predict_files": "mlmodel.spark.batch",
}

if TYPE_CHECKING:
    from mlmodel.spark.batch import predict_files
    from mlmodel.spark.udf import SparkUDF, spark_udf


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
