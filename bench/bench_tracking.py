"""Time to load a registered model by URI: mlmodel against MLflow, side by side, one run.

A scikit-learn model is logged and registered in MLflow's embedded sqlite store under a
temporary folder (``MLFLOW_TRACKING_URI`` points there; nothing is written elsewhere), an
alias is set, then ``mlflow.pyfunc.load_model`` and ``mlmodel.pyfunc.load_model`` load it
by ``models:/<name>/<version>`` and ``models:/<name>@<alias>`` alternately, ``--repeat``
times each. mlmodel's first load fetches into its cache (reported apart: ``cold``); MLflow
downloads on every load. Target: mlmodel <= 0.6x MLflow (warm).

    python bench/bench_tracking.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET = 0.6


def _median(load: Callable[[str], Any], uri: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load(uri)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        root = Path(tmp)
        uri = f"sqlite:///{root / 'mlflow.db'}"
        os.environ["MLFLOW_TRACKING_URI"] = uri
        os.environ["MLMODEL_CACHE_DIR"] = str(root / "cache")
        import mlflow
        import mlflow.pyfunc
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        import mlmodel.pyfunc
        import mlmodel.sklearn

        mlflow.set_tracking_uri(uri)
        experiment = mlflow.create_experiment("bench", (root / "artifacts").as_uri())
        mlflow.set_experiment(experiment_id=experiment)
        rng = np.random.default_rng(0)
        x = rng.random((200, 8))
        y = (x[:, 0] > 0.5).astype(int)
        with mlflow.start_run():
            mlmodel.sklearn.log_model(
                LogisticRegression().fit(x, y), name="model", registered_model_name="bench"
            )
        mlflow.MlflowClient().set_registered_model_alias("bench", "champion", "1")
        print(f"{'URI':32} {'MLflow':>10} {'mlmodel':>10} {'cold':>10} {'ratio':>7}")
        worst = 0.0
        for model_uri in ("models:/bench/1", "models:/bench@champion"):
            # one untimed load each: imports and the store's connection are paid once
            mlflow.pyfunc.load_model(model_uri)
            start = time.perf_counter()
            mlmodel.pyfunc.load_model(model_uri)
            cold = time.perf_counter() - start
            theirs = _median(mlflow.pyfunc.load_model, model_uri, args.repeat)
            ours = _median(mlmodel.pyfunc.load_model, model_uri, args.repeat)
            ratio = ours / theirs
            worst = max(worst, ratio)
            print(
                f"{model_uri:32} {theirs * 1e3:9.1f}ms {ours * 1e3:9.1f}ms "
                f"{cold * 1e3:9.1f}ms {ratio:6.2f}x"
            )
        verdict = "meets" if worst <= TARGET else "misses"
        print(f"worst ratio {worst:.2f}x: {verdict} the target <= {TARGET}x")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
