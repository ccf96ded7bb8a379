"""``skops_trusted_types`` trusts more types than the skops file needs.

MLflow's loader trusts every listed type: each one is one more thing a tampered file may
construct on load. mlmodel treats the list as a request and grants nothing from it (its
loaders trust the allowlist and what the loader trusts). The types the model needs are read
from the ``schema.json`` inside the ``.skops`` zip (as text: nothing is loaded). The types
MLflow's ``lightgbm`` flavor writes into every skops model (``LGBMClassifier``,
``LGBMRegressor``, ``Booster``, ``OrderedDict``, whatever the model's class) are MLflow's
default, not the author's choice, and are not reported. Fix (unsafe: a type this reading
misses would stop the model loading): trust only the types the file uses.

Fails: ``skops_trusted_types: [sklearn.linear_model._logistic.LogisticRegression,
sklearn.svm._classes.SVC]`` for a file holding only a LogisticRegression.

Passes: ``skops_trusted_types: [sklearn.linear_model._logistic.LogisticRegression]``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from mlmodel.checking.lint.model import Finding, Fix, LintContext
from mlmodel.modeldir.sidefiles import loads_json
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

CODE = "MLM502"
MAX_SCHEMA_BYTES = 50 * 1024 * 1024

#: what MLflow writes into ``skops_trusted_types`` by itself, per flavor, for any model
#: (``mlflow.lightgbm._LIGHTGBM_SKLEARN_SKOPS_TRUSTED_TYPES``, MLflow 3.x)
MLFLOW_DEFAULTS: Final[dict[str, frozenset[str]]] = {
    "lightgbm": frozenset(
        [
            "collections.OrderedDict",
            "lightgbm.basic.Booster",
            "lightgbm.sklearn.LGBMClassifier",
            "lightgbm.sklearn.LGBMRegressor",
        ]
    )
}


def needed_types(path: Path) -> set[str] | None:
    """``module.Class`` of every object in a skops file's schema, or None if unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("schema.json")
            if info.file_size > MAX_SCHEMA_BYTES:
                return None
            schema = loads_json(archive.read(info).decode("utf-8"), max_depth=500)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return schema_types(schema)


def schema_types(schema: Any) -> set[str]:
    """``module.Class`` of every object node of a parsed skops ``schema.json``."""
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            module, cls = node.get("__module__"), node.get("__class__")
            if isinstance(module, str) and isinstance(cls, str):
                found.add(f"{module}.{cls}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _fix(path: KeyPath, old: list[Any], keep: list[str]) -> Fix:
    def fix(document: MLmodelDocument) -> None:
        document.set(path, keep)

    return Fix(dotted(path), "set", json.dumps(old), json.dumps(keep), fix)


def check(ctx: LintContext) -> Iterator[Finding]:
    for flavor in ("sklearn", "lightgbm"):
        config = ctx.flavors().get(flavor)
        if not isinstance(config, dict) or config.get("serialization_format") != "skops":
            continue
        trusted = config.get("skops_trusted_types")
        model_file = config.get("pickled_model") or config.get("data")
        if not isinstance(trusted, list) or not isinstance(model_file, str):
            continue
        located = ctx.file(model_file)
        needed = needed_types(located) if located is not None else None
        if needed is None:
            continue
        defaults = MLFLOW_DEFAULTS.get(flavor, frozenset())
        extra = [t for t in trusted if isinstance(t, str) and t not in needed | defaults]
        if extra:
            path: KeyPath = ("flavors", flavor, "skops_trusted_types")
            keep = [t for t in trusted if t not in extra]
            yield Finding(
                path,
                f"skops_trusted_types trusts {len(extra)} type(s) the model file does not use: "
                + ", ".join(extra[:5])
                + (" ..." if len(extra) > 5 else "")
                + "; MLflow's loader trusts every listed type (mlmodel treats the list as a "
                "request and grants nothing from it)",
                hint="trust only what the model needs",
                at_key=True,
                fix=_fix(path, trusted, keep),
            )
