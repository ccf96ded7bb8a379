"""``mlmodel serve``: MLflow's scoring protocol and the Open Inference Protocol over HTTP.

``app`` (routes: a Starlette application over :mod:`mlmodel.scoring`), ``pool`` (the
prediction threads, which a timed-out prediction cannot clog), ``middleware`` (access log,
metrics recording), ``metrics`` (Prometheus names, buckets and text exposition),
``transport`` (uvicorn's server and protocol with header timeout and a shutdown that answers
what had arrived), ``server`` (loading the model, then serving it). uvicorn and starlette
are imported only when a server is built.
"""
