"""The globals pickled (and skops-saved) fitted scikit-learn estimators reference.

A helper for building the pickle allowlist, run by hand against the installed scikit-learn:
``python -m mlmodel.generators.sklearn_allowlist [OUT]``. It fits every estimator
``sklearn.utils.discovery.all_estimators()`` lists that can be built with defaults (or with a
small stand-in for a required sub-estimator) on iris-sized data, pickles it, and reads the
globals each pickle imports from its opcodes (``GLOBAL``, and ``STACK_GLOBAL`` with the two
strings pushed before it, memo reads included). Nothing is unpickled.

:func:`sklearn_types` is the list the allowlist needs for scikit-learn: every estimator class
plus every scikit-learn class a fitted estimator's pickle was seen to import.
"""

from __future__ import annotations

import importlib
import io
import json
import pickle
import pickletools
import sys
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

#: opcodes that push a string STACK_GLOBAL may consume
_STRING_OPS = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING"}
)
_MEMO_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_MEMO_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})


def pickle_globals(data: bytes) -> list[str]:
    """The ``module.qualname`` of every global a pickle imports, in order (repeats kept)."""
    found: list[str] = []
    recent: list[object] = []  # the values of the latest pushes (None: not a string)
    memo: dict[int, object] = {}
    for opcode, arg, _ in pickletools.genops(data):
        name = opcode.name
        if name in _STRING_OPS:
            recent.append(arg)
        elif name == "MEMOIZE":
            memo[len(memo)] = recent[-1] if recent else None
            continue
        elif name in _MEMO_PUTS:
            memo[int(str(arg))] = recent[-1] if recent else None
            continue
        elif name in _MEMO_GETS:
            recent.append(memo.get(int(str(arg))))
        elif name == "GLOBAL" or name == "INST":
            module, _, qualname = str(arg).partition(" ")
            found.append(f"{module}.{qualname}")
            recent.append(None)
        elif name == "STACK_GLOBAL":
            pushed = (recent[-2], recent[-1]) if len(recent) >= 2 else (None, None)
            if isinstance(pushed[0], str) and isinstance(pushed[1], str):
                found.append(f"{pushed[0]}.{pushed[1]}")
            else:
                found.append("<unresolved STACK_GLOBAL>")
            recent.append(None)
        else:
            recent.append(None)
        del recent[:-2]
    return found


def skops_types(data: bytes) -> set[str]:
    """The ``module.Class`` of every object in a skops file's schema."""
    from mlmodel.checking.lint.rules.mlm502_skops_trusted_types import schema_types

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return schema_types(json.loads(archive.read("schema.json")))


def _datasets() -> dict[str, Any]:
    import numpy as np
    from sklearn.datasets import load_iris

    x, y = load_iris(return_X_y=True)
    return {
        "X": x,
        "y": y,
        "y_reg": x[:, 0] * 1.5 + y,
        "Y2": np.c_[y, (x[:, 0] > 5.8).astype(int)],
        "texts": [f"sample {i} word{i % 7} class{c}" for i, c in enumerate(y)],
        "labels": y,
        "y_binary": (y > 0).astype(int),
        "Xc": np.c_[x, y * 2 + np.arange(len(y)) % 2],
    }


def _stand_ins(cls: type) -> dict[str, Any]:
    """Values for the required parameters of meta-estimators."""
    from sklearn.base import ClassifierMixin, RegressorMixin
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    regression = issubclass(cls, RegressorMixin) and not issubclass(cls, ClassifierMixin)
    model: Callable[[], Any] = Ridge if regression else (lambda: LogisticRegression(max_iter=500))
    tree: Callable[[], Any] = DecisionTreeRegressor if regression else DecisionTreeClassifier
    return {
        "estimator": model(),
        "base_estimator": model(),
        "estimators": [("model", model()), ("tree", tree())],
        "steps": [("scale", StandardScaler()), ("model", model())],
        "transformers": [("scale", StandardScaler(), [0, 1]), ("pca", PCA(1), [2, 3])],
        "transformer_list": [("scale", StandardScaler()), ("pca", PCA(2))],
    }


def _construct(cls: type) -> Any:
    try:
        return cls()
    except TypeError:
        pass
    import inspect

    stand_ins = _stand_ins(cls)
    required = {
        name: stand_ins[name]
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        and name in stand_ins
    }
    return cls(**required)


def _fit(cls: type, data: dict[str, Any]) -> Any | None:
    """``cls`` fitted on the first data that works, or None."""
    from sklearn.base import ClassifierMixin, RegressorMixin

    attempts: list[tuple[str, ...]]
    if issubclass(cls, ClassifierMixin):
        attempts = [("X", "y"), ("X", "Y2")]
    elif issubclass(cls, RegressorMixin):
        attempts = [("X", "y_reg"), ("X", "Y2")]
    else:
        attempts = [("X",), ("X", "y"), ("texts",), ("labels",), ("X", "Y2")]
    for names in attempts:
        try:
            return _construct(cls).fit(*(data[n] for n in names))
        except Exception:  # noqa: BLE001, S112 - an estimator this data does not suit: next
            continue
    return None


def _configured() -> list[tuple[str, Callable[[], Any], tuple[str, ...]]]:
    """Estimators in non-default configurations whose fitted state holds other types."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    def categorical() -> Any:
        return HistGradientBoostingRegressor(max_iter=3, categorical_features=[4])

    configured: list[tuple[str, Callable[[], Any], tuple[str, ...]]] = [
        ("HistGradientBoostingRegressor(categorical)", categorical, ("Xc", "y_reg")),
        (
            "HistGradientBoostingClassifier(binary)",
            lambda: HistGradientBoostingClassifier(max_iter=3),
            ("X", "y_binary"),
        ),
        (
            "GradientBoostingClassifier(binary)",
            lambda: GradientBoostingClassifier(n_estimators=3),
            ("X", "y_binary"),
        ),
        (
            "KNeighborsClassifier(ball_tree)",
            lambda: KNeighborsClassifier(algorithm="ball_tree"),
            ("X", "y"),
        ),
        ("NearestNeighbors(ball_tree)", lambda: NearestNeighbors(algorithm="ball_tree"), ("X",)),
        (
            "ColumnTransformer(remainder=passthrough)",
            lambda: ColumnTransformer([("s", StandardScaler(), [0])], remainder="passthrough"),
            ("X",),
        ),
        (
            "ColumnTransformer(remainder=drop)",
            lambda: ColumnTransformer([("s", StandardScaler(), [0])]),
            ("X",),
        ),
    ]
    for loss in (
        "log_loss",
        "modified_huber",
        "squared_hinge",
        "perceptron",
        "squared_error",
        "huber",
        "epsilon_insensitive",
    ):
        configured.append((f"SGDClassifier({loss})", partial(SGDClassifier, loss=loss), ("X", "y")))
    for loss in ("huber", "epsilon_insensitive", "squared_epsilon_insensitive"):
        configured.append(
            (f"SGDRegressor({loss})", partial(SGDRegressor, loss=loss), ("X", "y_reg"))
        )
    return configured


@dataclass
class Observation:
    estimators: list[str] = field(default_factory=list)  # every class all_estimators() lists
    fitted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # could not be built or fitted
    pickle_globals: Counter[str] = field(default_factory=Counter)  # pickles importing each
    skops_types: Counter[str] = field(default_factory=Counter)


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def observe() -> Observation:
    """Fit, pickle and skops-save every estimator that can be built; record what they use."""
    from sklearn.utils.discovery import all_estimators

    data = _datasets()
    seen = Observation()
    for _, cls in all_estimators():
        seen.estimators.append(_qualified(cls))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = _fit(cls, data)
        if model is None:
            seen.skipped.append(_qualified(cls))
            continue
        seen.fitted.append(_qualified(cls))
        _record(seen, model)
    for label, build, names in _configured():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = build().fit(*(data[n] for n in names))
        except Exception:  # noqa: BLE001 - reported as skipped
            seen.skipped.append(label)
            continue
        seen.fitted.append(label)
        _record(seen, model)
    return seen


def _record(seen: Observation, model: Any) -> None:
    seen.pickle_globals.update(set(pickle_globals(pickle.dumps(model))))
    try:
        import skops.io

        seen.skops_types.update(skops_types(skops.io.dumps(model)))
    except Exception:  # noqa: BLE001, S110 - skops cannot save every estimator
        pass


def sklearn_types(observation: Observation | None = None) -> list[str]:
    """Every estimator class plus the scikit-learn classes fitted estimators' pickles and
    skops files were seen to reference, sorted."""
    seen = observation or observe()
    names = set(seen.estimators)
    for name in (*seen.pickle_globals, *seen.skops_types):
        if name.startswith("sklearn.") and resolve_kind(name) == "class":
            names.add(name)
    return sorted(names)


def resolve_kind(name: str) -> str:
    """``class``, ``function`` (any other callable) or ``other``/``unresolved``."""
    import inspect

    module_name, _, attribute = name.rpartition(".")
    candidates = [(module_name, attribute)]
    parts = name.split(".")
    candidates += [(".".join(parts[:i]), ".".join(parts[i:])) for i in range(len(parts) - 1, 0, -1)]
    for module_name, path in candidates:
        try:
            value: Any = importlib.import_module(module_name)
            for piece in path.split("."):
                value = getattr(value, piece)
        except (ImportError, AttributeError):
            continue
        if inspect.isclass(value):
            return "class"
        return "function" if callable(value) else "other"
    return "unresolved"


def report(seen: Observation) -> Iterator[str]:
    estimators = set(seen.estimators)
    yield (
        f"# {len(seen.estimators)} estimators listed; {len(seen.fitted)} fitted and pickled "
        "(with the configured extras)"
    )
    yield f"# skipped (could not be built or fitted with defaults): {', '.join(seen.skipped)}"
    yield ""
    yield "## sklearn internal globals (pickles importing it / fitted estimators; kind)"
    for name, count in sorted(seen.pickle_globals.items()):
        if name.startswith("sklearn.") and name not in estimators:
            yield f"{name}\t{count}\t{resolve_kind(name)}"
    yield ""
    yield "## non-sklearn globals (pickles importing it; kind)"
    for name, count in sorted(seen.pickle_globals.items()):
        if not name.startswith("sklearn."):
            yield f"{name}\t{count}\t{resolve_kind(name)}"
    yield ""
    yield "## estimator classes seen in pickles (pickles importing it)"
    for name, count in sorted(seen.pickle_globals.items()):
        if name in estimators:
            yield f"{name}\t{count}"
    yield ""
    yield "## skops schema types outside the estimator list (files holding it; kind)"
    for name, count in sorted(seen.skops_types.items()):
        if name not in estimators:
            yield f"{name}\t{count}\t{resolve_kind(name)}"
    yield ""
    yield "## sklearn_types()"
    yield from sklearn_types(seen)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = "\n".join(report(observe())) + "\n"
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
