"""MLmodel texts shared by the tests and the benchmarks."""

from __future__ import annotations

#: a valid scikit-learn model's MLmodel as MLflow 2.9.2 writes it (its files: model.pkl,
#: conda.yaml, python_env.yaml)
SKLEARN_MLMODEL = """\
artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.4
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.9.2
model_uuid: 0123456789abcdef0123456789abcdef
run_id: 0123456789abcdef0123456789abcdef
utc_time_created: '2023-12-01 10:00:00.000000'
"""
