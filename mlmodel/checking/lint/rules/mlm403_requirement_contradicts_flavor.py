"""``requirements.txt`` pins a library version that the MLmodel contradicts.

The flavor records the library version the model was saved with
(``sklearn_version``, ``xgb_version``, ...) and ``mlflow_version`` the MLflow
release; a different pin installs something else than what saved the model.

Fails::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
      sklearn:
        pickled_model: model.pkl
        sklearn_version: 1.5.2

Fails, ``requirements.txt``::

    scikit-learn==1.3.0

Passes::

    flavors:
      python_function:
        loader_module: mlflow.sklearn
        model_path: model.pkl
      sklearn:
        pickled_model: model.pkl
        sklearn_version: 1.5.2

Passes, ``requirements.txt``::

    scikit-learn==1.5.2
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.checking.lint.environment import normalise, requirements
from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.flavors.libraries import FLAVOR_LIBRARIES
from mlmodel.yamlio.tree import KeyPath

CODE = "MLM403"


def _same(recorded: str, pinned: str) -> bool:
    return recorded.split("+")[0] == pinned.split("+")[0]


def check(ctx: LintContext) -> Iterator[Finding]:
    found = requirements(ctx)
    if not found:
        return
    pins = {r.name: r for r in found if r.pinned_version is not None}
    expected: list[tuple[KeyPath, object, str]] = [
        (("mlflow_version",), ctx.data.get("mlflow_version"), "mlflow")
    ]
    for flavor, (key, library) in FLAVOR_LIBRARIES.items():
        config = ctx.flavors().get(flavor)
        if isinstance(config, dict):
            expected.append((("flavors", flavor, key), config.get(key), library))
    for path, recorded, library in expected:
        pin = pins.get(normalise(library))
        if not isinstance(recorded, str) or pin is None or pin.pinned_version is None:
            continue
        if library == "mlflow" and "dev" in recorded:
            continue  # dev builds pin the previous release on purpose
        if not _same(recorded, pin.pinned_version):
            yield Finding(
                path,
                f"{path[-1]} is {recorded} but requirements.txt line {pin.line} pins {pin.text}",
                hint="the environment would install another version than the one that saved "
                "the model",
            )
