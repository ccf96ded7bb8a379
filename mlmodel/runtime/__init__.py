"""The runtime half of mlmodel: saving and loading models (internals, one concern per module).

The public names live in thin modules that mirror MLflow's: :mod:`mlmodel.models`,
:mod:`mlmodel.sklearn` (and :mod:`mlmodel.pyfunc`).

Loading and calling (behind :mod:`mlmodel.pyfunc`): ``loading`` (dispatch to a loader),
``sklearn_loader``/``xgboost_loader``/``lightgbm_loader`` (native loaders; ``sklearn_loader``
is the one home of scikit-learn deserialisation), ``mlflow_fallback`` (other loader modules),
``safety`` (the pickle gate), ``pyfunc_model`` (``PyFuncModel``), ``inputs``/``enforcement``/
``casting`` (input schema), ``params`` (params schema), ``signature_spec`` (the signature as
enforced), ``errors`` (typed errors with MLflow's error codes).
"""
