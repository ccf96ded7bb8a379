"""``mlmodel serve``: MLflow's scoring protocol and the Open Inference Protocol over HTTP.

``app`` (routes: a Starlette application over :mod:`mlmodel.scoring`), ``middleware``
(body limit, access log, metrics recording), ``metrics`` (Prometheus names, buckets and
text exposition), ``server`` (loading the model, then uvicorn with graceful shutdown).
uvicorn and starlette are imported only when a server is built.
"""
