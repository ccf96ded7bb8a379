"""Recreate the example models in this folder.

Run by hand (not by CI) from the repository root; the outputs are committed::

    python examples/make_examples.py

It needs scikit-learn, pandas and MLflow (``mlflow-skinny==3.17.2``). They are dev/bench-only
dependencies: the ``mlmodel`` package itself never imports them. ``mlflow-skinny`` does not pull
in pandas, so install it beside it (``pip install pandas``) before running this script.

Every model is trained on a tiny synthetic dataset drawn from a fixed seed, so the model
files come out identical on every run with the same library versions. Two fields that MLflow
writes itself change on every run and are kept as MLflow wrote them: ``utc_time_created``
(the current time) and ``model_uuid`` (a random UUID).

Examples:

``mlflow-docs-2018/``
    The model shown in MLflow's models documentation since 2018: an ``MLmodel`` with a legacy
    top-level ``time_created`` key (unquoted ISO-8601 timestamp, never written by any MLflow
    release), unsorted keys, and only ``sklearn`` and ``python_function`` flavors. The
    ``MLmodel`` text is written verbatim; ``model.pkl`` is a real LogisticRegression written
    with plain :mod:`pickle` (the format the ``sklearn`` flavor assumes when
    ``serialization_format`` is missing). The file was pickled by the scikit-learn installed
    here, not by the 0.19.1 the ``MLmodel`` names.

``sklearn-3x/``
    A current model saved for real by ``mlflow.sklearn.save_model`` with
    ``serialization_format="cloudpickle"``, a signature inferred from a two-column pandas
    DataFrame and an input example. Every file MLflow writes is kept. The script checks that
    no absolute path of this machine ends up in the files.
"""

from __future__ import annotations

import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20180525

DOCS_2018_MLMODEL = """\
time_created: 2018-05-25T17:28:53.35

flavors:
  sklearn:
    sklearn_version: 0.19.1
    pickled_model: model.pkl
  python_function:
    loader_module: mlflow.sklearn
"""


def _tiny_classification(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Two features (a float and a small integer) and a 0/1 label that depends on both."""
    hours = np.round(rng.uniform(0.0, 10.0, size=rows), 2)
    visits = rng.integers(0, 20, size=rows)
    noise = rng.normal(0.0, 1.0, size=rows)
    label = (0.8 * hours + 0.3 * visits + noise > 7.0).astype(np.int64)
    return np.column_stack([hours, visits]), label


def make_docs_2018(out: Path) -> None:
    """``mlflow-docs-2018/``: the documentation MLmodel plus a plain-pickle sklearn model."""
    from sklearn.linear_model import LogisticRegression

    features, label = _tiny_classification(np.random.default_rng(SEED), rows=40)
    model = LogisticRegression(random_state=SEED).fit(features, label)

    _reset_dir(out)
    (out / "MLmodel").write_text(DOCS_2018_MLMODEL, encoding="ascii", newline="\n")
    with (out / "model.pkl").open("wb") as fh:
        pickle.dump(model, fh, protocol=pickle.DEFAULT_PROTOCOL)


def make_sklearn_3x(out: Path) -> None:
    """``sklearn-3x/``: a real ``mlflow.sklearn.save_model`` output (cloudpickle format)."""
    import mlflow
    import mlflow.sklearn
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    features, label = _tiny_classification(np.random.default_rng(SEED + 1), rows=60)
    frame = pd.DataFrame(
        {"hours": features[:, 0].astype(np.float64), "visits": features[:, 1].astype(np.int64)}
    )
    model = LogisticRegression(random_state=SEED).fit(frame, label)
    example = frame.head(3)
    signature = infer_signature(example, model.predict(example))

    # save_model refuses an existing directory: save into a scratch folder, then move the
    # files in, so that the scratch path is also what we look for when checking for leaks.
    with tempfile.TemporaryDirectory(prefix="mlmodel-examples-") as scratch:
        saved = Path(scratch) / "model"
        mlflow.sklearn.save_model(
            model,
            str(saved),
            serialization_format="cloudpickle",
            signature=signature,
            input_example=example,
        )
        _check_no_local_paths(saved, [Path(scratch), HERE.parent, Path.home(), Path(sys.prefix)])
        _reset_dir(out)
        for item in sorted(saved.iterdir()):
            shutil.move(str(item), out / item.name)
    print(f"mlflow {mlflow.__version__} wrote: {', '.join(p.name for p in sorted(out.iterdir()))}")


def _reset_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _check_no_local_paths(model_dir: Path, roots: list[Path]) -> None:
    """Fail if a file MLflow wrote (pickles included) mentions a path of this machine."""
    needles = {str(root.resolve()) for root in roots} | {str(root) for root in roots}
    for item in sorted(model_dir.rglob("*")):
        if not item.is_file():
            continue
        data = item.read_bytes()
        leaked = sorted(n for n in needles if n.encode() in data)
        if leaked:
            raise SystemExit(f"{item.name} contains a local path: {leaked}")


def main() -> None:
    make_docs_2018(HERE / "mlflow-docs-2018")
    make_sklearn_3x(HERE / "sklearn-3x")
    for folder in ("mlflow-docs-2018", "sklearn-3x"):
        for item in sorted((HERE / folder).iterdir()):
            print(f"{folder}/{item.name}: {item.stat().st_size} bytes")


if __name__ == "__main__":
    main()
