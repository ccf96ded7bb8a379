"""Save a scikit-learn model with mlmodel, check it, and load it back with mlmodel and MLflow.

Run from the repository root:  python examples/save_and_load_sklearn.py

Needs the ``sklearn`` extra (scikit-learn, skops, pandas); the MLflow part runs when MLflow is
installed (``mlflow-skinny``) and is skipped otherwise. Everything is written under a temporary
directory that is removed at the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlmodel
import mlmodel.sklearn
from mlmodel.cli.app import run


def main() -> None:
    frame = pd.DataFrame({"hours": [0.5, 1.0, 2.0, 3.5, 4.0, 5.5], "visits": [1, 0, 2, 3, 5, 4]})
    target = np.array([0, 0, 0, 1, 1, 1])
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, target)

    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "model"
        # skops is the default format; the signature is inferred from the input example
        saved = mlmodel.sklearn.save_model(model, path, input_example=frame.head(2))
        print(f"saved {sorted(p.name for p in path.iterdir())}")
        print(saved.to_yaml())

        # validate and lint: zero findings (exit 0 even with --strict)
        assert run(["validate", "--strict", str(path)]) == 0
        assert run(["lint", "--strict", str(path)]) == 0

        # load back with mlmodel: the MLmodel document and the estimator
        document = mlmodel.Model.load(path)
        print("input schema:", document.get_input_schema())
        estimator = mlmodel.sklearn.load_model(path)
        expected = model.predict(frame)
        assert (estimator.predict(frame) == expected).all()
        print("mlmodel predictions:", estimator.predict(frame).tolist())

        try:
            import mlflow.pyfunc
            import mlflow.sklearn
        except ImportError:
            print("MLflow is not installed: skipping the MLflow half")
            return
        # MLflow 3.17 deserialises sklearn models only with this opt-in
        os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
        by_mlflow = mlflow.pyfunc.load_model(str(path)).predict(frame)
        assert (np.asarray(by_mlflow) == expected).all()
        assert (mlflow.sklearn.load_model(str(path)).predict(frame) == expected).all()
        print("MLflow predictions: ", np.asarray(by_mlflow).tolist())


if __name__ == "__main__":
    main()
