"""The python_function loader rules that JSON Schema can express, mirroring
:mod:`mlmodel.checking.validators.loaders` (whose lists they use)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmodel.flavors.registry import FlavorSpec

#: the flavor whose ``loader_module`` names the Python module that loads the model.
PYFUNC = "python_function"


def loader_rules() -> list[dict[str, Any]]:
    """The python_function loader rules that need only the flavor's own settings.

    They mirror :mod:`mlmodel.checking.validators.loaders` (its lists are used here), so a document
    JSON Schema accepts is one those checks accept too.
    """
    from mlmodel.checking.validators.loaders import (
        DOTTED_MODULE,
        MLFLOW_LOADERS,
        SKLEARN_PREDICT_FNS,
    )

    def when_loader(modules: dict[str, Any]) -> dict[str, Any]:
        return {"properties": {"loader_module": modules}, "required": ["loader_module"]}

    def unless_set(key: str, unset: dict[str, Any], fallback: str) -> dict[str, Any]:
        """When ``key`` is missing or ``unset``, ``fallback`` is required and not ``unset``."""
        return {
            "if": {"properties": {key: unset}},
            "then": {"properties": {fallback: {"not": unset}}, "required": [fallback]},
        }

    null = {"type": "null"}
    empty = {"not": {"type": "string", "minLength": 1}}  # falsy, as MLflow tests it

    return [
        {
            "$comment": "loader_module is a dotted Python module name",
            "properties": {"loader_module": {"pattern": DOTTED_MODULE.pattern}},
        },
        {
            "$comment": "a loader module under mlflow must be one MLflow has",
            "if": when_loader({"type": "string", "pattern": r"^mlflow(\.|$)"}),
            "then": {"properties": {"loader_module": {"enum": sorted(MLFLOW_LOADERS)}}},
        },
        {
            "$comment": "the mlflow.sklearn loader reads model_path (or the legacy data) "
            "and calls one of the estimator's methods",
            "if": when_loader({"const": "mlflow.sklearn"}),
            "then": {
                **unless_set("data", null, "model_path"),
                "properties": {"predict_fn": {"enum": [*SKLEARN_PREDICT_FNS, None]}},
            },
        },
        {
            "$comment": "the mlflow.pyfunc.model loader needs python_model or model_code_path",
            "if": when_loader({"const": "mlflow.pyfunc.model"}),
            "then": unless_set("model_code_path", empty, "python_model"),
        },
    ]


def required_flavor_rules(specs: Sequence[FlavorSpec]) -> list[dict[str, Any]]:
    """A python_function loader module that reads a flavor's settings needs that flavor.

    A loader module tied to several flavors is satisfied by any of them, and needs one
    only when one of them says its loader needs it (as the loader checks do).
    """
    owners: dict[str, list[FlavorSpec]] = {}
    for spec in specs:
        for module in spec.loader_modules:
            owners.setdefault(module, []).append(spec)
    groups: dict[tuple[str, ...], list[str]] = {}  # flavors (any one will do) -> loaders
    for module, tied in sorted(owners.items()):
        if any(spec.loader_needs_flavor for spec in tied):
            groups.setdefault(tuple(sorted(spec.name for spec in tied)), []).append(module)
    rules: list[dict[str, Any]] = []
    for names, modules in groups.items():
        loader = {"properties": {"loader_module": {"enum": modules}}}
        need: dict[str, Any] = (
            {"required": [names[0]]}
            if len(names) == 1
            else {"anyOf": [{"required": [name]} for name in names]}
        )
        rules.append(
            {
                "$comment": f"these loader modules read the {' or '.join(names)} flavor's settings",
                "if": {
                    "properties": {PYFUNC: {**loader, "required": ["loader_module"]}},
                    "required": [PYFUNC],
                },
                "then": need,
            }
        )
    return rules
