"""The runtime half of mlmodel: loading models and calling them, by concern.

``loading`` (validate, dispatch), ``sklearn_loader``/``xgboost_loader``/``lightgbm_loader``
(native loaders), ``mlflow_fallback`` (other loader modules), ``safety`` (the pickle gate),
``pyfunc_model`` (``PyFuncModel``), ``inputs``/``enforcement``/``casting`` (input schema),
``params`` (params schema), ``signature_spec`` (the signature as enforced), ``errors``.
Nothing heavy is imported until a model is loaded or called.
"""
