"""``--mlflow-version``: what the document uses that the target MLflow release cannot load
(V213). Removed flavors (V209) and the legacy ColSpec ``optional`` (V308) are judged
against the same target where they are reported."""

from __future__ import annotations

import json
from typing import Any

from mlmodel.checking.validators.context import CheckContext
from mlmodel.core.releases import (
    COLSPEC_OPTIONAL_SINCE,
    COLSPEC_REQUIRED_SINCE,
    COLUMN_TYPES_SINCE,
    FLAVORS_SINCE,
    LOADER_MODULES_SINCE,
    ORIGINAL_TOP_LEVEL_KEYS,
    PYFUNC_KEYS_SINCE,
    SERIALIZATION_FORMATS_SINCE,
    TENSOR_SPEC_SINCE,
    UNKNOWN_KEYS_SINCE,
    Release,
)
from mlmodel.yamlio.tree import KeyPath


def check_release(ctx: CheckContext) -> None:
    target = ctx.mlflow_version
    if target is None or not isinstance(ctx.data, dict):
        return
    data: dict[str, Any] = ctx.data
    for key in data:
        if key not in ORIGINAL_TOP_LEVEL_KEYS:
            _newer(
                ctx,
                (str(key),),
                f"the top-level key {key!r}",
                UNKNOWN_KEYS_SINCE,
                "MLflow before 1.7 passes every key to Model() and fails on others",
                at_key=True,
            )
    flavors = data.get("flavors")
    if isinstance(flavors, dict):
        _check_flavors(ctx, flavors)
    signature = data.get("signature")
    if isinstance(signature, dict):
        for part in ("inputs", "outputs"):
            text = signature.get(part)
            if isinstance(text, str) and text:
                _check_specs(ctx, target, part, text)


def _check_flavors(ctx: CheckContext, flavors: dict[str, Any]) -> None:
    for name, config in flavors.items():
        flavor: KeyPath = ("flavors", name)
        _newer(ctx, flavor, f"the {name} flavor", FLAVORS_SINCE.get(name), None, at_key=True)
        if not isinstance(config, dict):
            continue
        fmt = config.get("serialization_format")
        if isinstance(fmt, str):
            _newer(
                ctx,
                (*flavor, "serialization_format"),
                f"serialization_format {fmt!r} in the {name} flavor",
                SERIALIZATION_FORMATS_SINCE.get((name, fmt)),
                f"older {name} loaders fail with 'Unrecognized serialization format'",
            )
        if name != "python_function":
            continue
        for key in config.keys() & PYFUNC_KEYS_SINCE.keys():
            _newer(ctx, (*flavor, key), f"{name} {key}", PYFUNC_KEYS_SINCE[key], None, at_key=True)
        loader = config.get("loader_module")
        if isinstance(loader, str):
            _newer(
                ctx,
                (*flavor, "loader_module"),
                f"the loader module {loader}",
                LOADER_MODULES_SINCE.get(loader),
                "that release has no such module to import",
            )


def _check_specs(ctx: CheckContext, target: Release, part: str, text: str) -> None:
    """One finding a spec, naming everything in it the target release lacks."""
    try:
        specs = json.loads(text)
    except ValueError:
        return  # V300 says why
    if not isinstance(specs, list):
        return
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict):
            continue
        needs: list[tuple[str, Release]] = []
        if spec.get("type") == "tensor":
            needs.append(("a tensor spec", TENSOR_SPEC_SINCE))
        else:
            needs += [
                (f"the {t!r} column type", COLUMN_TYPES_SINCE[t]) for t in _column_types(spec)
            ]
            if "required" in spec:
                needs.append(("the 'required' key", COLSPEC_REQUIRED_SINCE))
            if "optional" in spec:
                needs.append(("the 'optional' key", COLSPEC_OPTIONAL_SINCE))
        missing = sorted((since, what) for what, since in needs if target < since)
        if missing:
            uses = " and ".join(f"{what} ({since}+)" for since, what in missing)
            _newer(
                ctx,
                ("signature", part),
                f"signature.{part}[{index}] uses {uses}, which",
                missing[-1][0],
                "older releases fail to read the signature",
            )


def _column_types(spec: Any) -> set[str]:
    """The ColSpec type names a spec uses, nested array items and object properties too."""
    found: set[str] = set()
    if not isinstance(spec, dict):
        return found
    kind = spec.get("type")
    if isinstance(kind, str) and kind in COLUMN_TYPES_SINCE:
        found.add(kind)
    for key in ("items", "values"):
        found |= _column_types(spec.get(key))
    properties = spec.get("properties")
    if isinstance(properties, dict):
        for value in properties.values():
            found |= _column_types(value)
    return found


def _newer(
    ctx: CheckContext,
    path: KeyPath,
    what: str,
    since: Release | None,
    why: str | None,
    *,
    at_key: bool = False,
) -> None:
    """Report V213 when ``what`` (which MLflow reads ``since`` that release) is newer than the
    target release."""
    target = ctx.mlflow_version
    if since is None or target is None or target >= since:
        return
    message = f"{what} needs MLflow {since} or newer: MLflow {target} cannot load this model"
    if why:
        message += f" ({why})"
    ctx.report(
        "V213",
        message,
        path,
        at_key=at_key,
        hint=f"judged against MLflow {target} (--mlflow-version); serve it with MLflow "
        f">= {since}, or re-save it with MLflow {target}",
    )
