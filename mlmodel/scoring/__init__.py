"""The scoring protocols as codecs, without HTTP: what ``mlmodel serve`` and ``mlmodel predict``
share.

``errors`` (MLflow's error JSON and status mapping), ``content_type`` (the ``Content-Type``
rules of ``/invocations``), ``jsonio`` (a fast JSON codec with MLflow's encoder rules),
``payload`` (MLflow's JSON bodies -> pyfunc input and params), ``tabular`` (CSV and parquet,
whole or in chunks), ``predictions`` (pyfunc output -> ``{"predictions": ...}``), ``v2`` (the
Open Inference Protocol's tensors and model metadata) and ``dataplane`` (the one predict path
every endpoint calls). numpy, pandas and orjson are imported on first use.
"""
