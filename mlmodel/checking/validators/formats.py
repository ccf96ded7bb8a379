"""Formats MLflow tolerates but should not see: timestamps, ids and versions. All warnings."""

from __future__ import annotations

import datetime
import re
from typing import Any

from mlmodel.checking.validators.context import CheckContext, get_path
from mlmodel.core.timestamps import MLFLOW_FORMAT
from mlmodel.flavors.registry import default_registry
from mlmodel.yamlio.tree import KeyPath

_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")
_VERSION = re.compile(
    r"^v?\d+(\.\d+)*((a|b|rc|c|alpha|beta|pre|preview)\.?\d*)?(\.?post\d*)?(\.?dev\d*)?(\+[0-9A-Za-z.]+)?$"
)
_PYTHON_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?([abc]|rc)?\d*\+?$")


def version_fields(data: dict[str, Any]) -> list[tuple[KeyPath, str]]:
    """``mlflow_version`` and the ``*_version`` settings of built-in flavors (library versions;
    other flavors may use such names for plain numbers)."""
    found: list[tuple[KeyPath, str]] = [(("mlflow_version",), "mlflow_version")]
    flavors = data.get("flavors")
    builtins = default_registry().builtins()
    if isinstance(flavors, dict):
        for name, config in flavors.items():
            if name not in builtins or not isinstance(config, dict):
                continue
            for key in config:
                if key.endswith("_version") and key != "python_version":
                    found.append((("flavors", name, key), f"{name} {key}"))
    return found


def version_paths(data: dict[str, Any]) -> list[KeyPath]:
    """Every key that holds a version string: those of :func:`version_fields`, plus
    ``databricks_runtime`` and python_function's ``python_version``."""
    paths = [path for path, _ in version_fields(data)]
    return [*paths, ("databricks_runtime",), ("flavors", "python_function", "python_version")]


def _number_hint(ctx: CheckContext, path: KeyPath) -> str:
    raw = ctx.source_of(path) or ""
    return f"quote it: '{raw}'" if raw else "quote it"


def _check_timestamp(ctx: CheckContext, key: str) -> None:
    value = ctx.data.get(key)
    if value is None:
        return
    path: KeyPath = (key,)
    if isinstance(value, datetime.datetime | datetime.date):
        if key == "utc_time_created":
            ctx.report(
                "V400",
                f"{key} is an unquoted timestamp; YAML reads it as a date-time object, "
                "MLflow writes a quoted string",
                path,
                hint=f"write it as '{ctx.source_of(path)}' in quotes",
            )
        return
    if not isinstance(value, str):
        return
    if key == "utc_time_created":
        ok = bool(MLFLOW_FORMAT.match(value)) and _parses(value)
        expected = "'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC)"
    else:
        ok = _parses(value.replace("T", " ").removesuffix("Z"))
        expected = "an ISO 8601 timestamp"
    if not ok:
        ctx.report(
            "V400",
            f"{key} {value!r} is not a valid timestamp; expected {expected}",
            path,
            hint="MLflow keeps the string but tools that parse it will fail",
        )


def _parses(value: str) -> bool:
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_version(ctx: CheckContext, path: KeyPath, label: str, pattern: re.Pattern[str]) -> None:
    value = get_path(ctx.data, path)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return
    if not isinstance(value, str):
        ctx.report(
            "V402",
            f"{label} is read as the number {value!r}, not a version string",
            path,
            hint=_number_hint(ctx, path),
        )
    elif not pattern.match(value):
        ctx.report("V402", f"{label} {value!r} is not a version number", path)


def _check_id(ctx: CheckContext, key: str, code: str, ok: Any, expected: str) -> None:
    value = ctx.data.get(key)
    if isinstance(value, str) and not ok(value):
        ctx.report(code, f"{key} {value!r} is not {expected}", (key,))


def check_formats(ctx: CheckContext) -> None:
    data = ctx.data
    _check_timestamp(ctx, "utc_time_created")
    _check_timestamp(ctx, "time_created")
    model_id = data.get("model_id")
    _check_id(ctx, "run_id", "V401", _HEX32.match, "32 lowercase hex digits")
    _check_id(
        ctx,
        "model_uuid",
        "V403",
        lambda v: _HEX32.match(v) or (v == model_id and _MODEL_ID.match(v)),
        "32 lowercase hex digits (or the model_id)",
    )
    _check_id(ctx, "model_id", "V404", _MODEL_ID.match, "'m-' and 32 lowercase hex digits")
    for path, label in version_fields(data):
        _check_version(ctx, path, label, _VERSION)
    _check_version(
        ctx, ("flavors", "python_function", "python_version"), "python_version", _PYTHON_VERSION
    )
    runtime = data.get("databricks_runtime")
    if isinstance(runtime, int | float) and not isinstance(runtime, bool):
        ctx.report(
            "V402",
            f"databricks_runtime is read as the number {runtime!r}, not a string",
            ("databricks_runtime",),
            hint=_number_hint(ctx, ("databricks_runtime",)),
        )
