"""The signature's JSON strings and the input example description."""

from __future__ import annotations

import re
from typing import Any

from mlmodel.checking.validators.context import CheckContext
from mlmodel.checking.validators.pydantic_errors import describe, translate
from mlmodel.modeldir.sidefiles import SideFileError, loads_json
from mlmodel.schema.core import SchemaValidator, ValidationError
from mlmodel.yamlio.tree import KeyPath, dotted

_PARTS = ("inputs", "outputs", "params")

# numpy dtype names (what MLflow writes: ``np.dtype(...).name``) and common aliases numpy accepts.
_DTYPES = frozenset(
    [
        "bool",
        "bool_",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "float128",
        "longdouble",
        "complex64",
        "complex128",
        "complex256",
        "str",
        "str_",
        "bytes",
        "bytes_",
        "object",
        "object_",
        "int",
        "float",
        "complex",
        "double",
        "single",
        "half",
        "byte",
        "ubyte",
        "short",
        "ushort",
        "intc",
        "uintc",
        "intp",
        "uintp",
        "longlong",
        "ulonglong",
        "unicode",
        "O",
        "U",
        "S",
        "b1",
        "i1",
        "i2",
        "i4",
        "i8",
        "u1",
        "u2",
        "u4",
        "u8",
        "f2",
        "f4",
        "f8",
        "f16",
        "c8",
        "c16",
        "c32",
        "?",
        "b",
        "B",
        "h",
        "H",
        "i",
        "I",
        "l",
        "L",
        "q",
        "Q",
        "e",
        "f",
        "d",
        "g",
        "F",
        "D",
        "G",
    ]
)
_TIME_DTYPE = re.compile(
    r"^(datetime64|timedelta64|M8|m8)(\[(Y|M|W|D|h|m|s|ms|us|ns|ps|fs|as)\])?$"
)
# as mlmodel.schema.signature's ParamSpec allows; spelled out here so that validating does
# not import the pydantic models
_PARAM_TYPES = ("boolean", "integer", "long", "float", "double", "string", "datetime", "object")


def _spec_list() -> SchemaValidator:
    from mlmodel.schema.compiled import validator

    return validator("signature:specs")


def _param_list() -> SchemaValidator:
    from mlmodel.schema.compiled import validator

    return validator("signature:params")


def _json_where(part: str, path: KeyPath) -> str:
    return f"signature.{part}{dotted(path) if not path or isinstance(path[0], int) else '.' + dotted(path)}"


def check_signature(ctx: CheckContext) -> None:
    block = ctx.data.get("signature")
    if not isinstance(block, dict):
        return
    present = 0
    for part in _PARTS:
        text = block.get(part)
        if not isinstance(text, str) or not text:
            continue
        present += 1
        yaml_path: KeyPath = ("signature", part)
        try:
            value = loads_json(text)
        except SideFileError as exc:
            ctx.report(
                "V309",
                f"signature.{part} is {exc}: JSON readers (MLflow's too) give up on it",
                yaml_path,
                hint="MLflow signatures nest a few levels; is this the right value?",
            )
            continue
        except ValueError as exc:
            ctx.report(
                "V300",
                f"signature.{part} is not valid JSON: {exc}",
                yaml_path,
                hint="MLflow stores each signature part as a JSON string",
            )
            continue
        if part == "params":
            _check_params(ctx, value, yaml_path)
        else:
            _check_specs(ctx, part, value, yaml_path)
    if present == 0 and all(k in (None, "") for k in (block.get(p) for p in _PARTS)):
        ctx.report(
            "V303",
            "the signature has no inputs, outputs or params; MLflow cannot build it",
            ("signature",),
            at_key=True,
            hint="remove the signature block or fill in inputs",
        )


def _reporter(ctx: CheckContext, part: str, yaml_path: KeyPath) -> Any:
    base_len = 2

    def report(code: str, message: str, path: KeyPath, at_key: bool) -> None:
        inner = path[base_len:]
        ctx.report(code, f"{_json_where(part, inner)}: {message}", yaml_path)

    return report


def _check_specs(ctx: CheckContext, part: str, value: Any, yaml_path: KeyPath) -> None:
    report = _reporter(ctx, part, yaml_path)
    try:
        _spec_list().validate_python(value)
    except ValidationError as exc:
        translate(exc.errors(include_url=False), value, yaml_path, report, fallback="V301")
        return
    kinds = {"tensor" if spec["type"] == "tensor" else "column" for spec in value}
    if len(kinds) > 1:
        ctx.report(
            "V302",
            f"signature.{part} mixes column specs and tensor specs",
            yaml_path,
        )
        return
    named = [spec.get("name") is not None for spec in value]
    if any(named) and not all(named):
        ctx.report("V302", f"signature.{part} mixes named and unnamed specs", yaml_path)
    if not any(named) and any(spec.get("required") is False for spec in value):
        ctx.report(
            "V301",
            f'signature.{part}: unnamed specs cannot be optional ("required": false); '
            "MLflow refuses the schema",
            yaml_path,
            hint="name the columns or make them required",
        )
    if kinds == {"tensor"}:
        if len(value) > 1 and not all(named):
            ctx.report(
                "V302", f"signature.{part}: several tensor specs must all be named", yaml_path
            )
        for index, spec in enumerate(value):
            dtype = spec["tensor-spec"]["dtype"]
            if dtype not in _DTYPES and not _TIME_DTYPE.match(dtype):
                ctx.report(
                    "V306",
                    f"{_json_where(part, (index,))}: {dtype!r} is not a numpy dtype name "
                    "MLflow accepts (sized types such as '<U10' are refused)",
                    yaml_path,
                )
    else:
        odd = [
            spec["name"]
            for spec in value
            if spec.get("name") is not None and not isinstance(spec["name"], str)
        ]
        if odd:
            shown = ", ".join(repr(n) for n in odd[:5]) + (", ..." if len(odd) > 5 else "")
            ctx.report(
                "V307",
                f"signature.{part}: {len(odd)} column name(s) are not strings ({shown})",
                yaml_path,
                hint="tools matching columns by name may not find them; quote the names",
            )


def _default_fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("string", "datetime"):
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _check_params(ctx: CheckContext, value: Any, yaml_path: KeyPath) -> None:
    report = _reporter(ctx, "params", yaml_path)
    try:
        _param_list().validate_python(value)
    except ValidationError as exc:
        translate(exc.errors(include_url=False), value, yaml_path, report, fallback="V304")
        return
    seen: set[str] = set()
    for index, spec in enumerate(value):
        where = _json_where("params", (index,))
        kind = spec.get("type", spec.get("dtype"))
        if kind is None:
            ctx.report("V304", f"{where}: missing required key 'type'", yaml_path)
            continue
        if kind not in _PARAM_TYPES:
            ctx.report(
                "V304",
                f"{where}: param type {kind!r} is not allowed; expected one of "
                + ", ".join(_PARAM_TYPES),
                yaml_path,
            )
            continue
        if spec["name"] in seen:
            ctx.report("V304", f"{where}: duplicate param name {spec['name']!r}", yaml_path)
        seen.add(spec["name"])
        shape = spec.get("shape")
        if shape is not None and shape != [-1]:
            ctx.report("V304", f"{where}: shape must be null or [-1], got {shape!r}", yaml_path)
            continue
        default = spec["default"]
        if default is None:
            continue
        values = default if shape == [-1] and isinstance(default, list) else [default]
        if shape == [-1] and not isinstance(default, list):
            ctx.report("V304", f"{where}: default must be a list when shape is [-1]", yaml_path)
        elif not all(_default_fits(kind, item) for item in values):
            ctx.report(
                "V304",
                f"{where}: default {describe(default)} does not match type {kind!r}",
                yaml_path,
            )
