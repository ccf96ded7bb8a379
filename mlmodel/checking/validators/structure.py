"""Structure and types: the document and each known flavor against their schemas."""

from __future__ import annotations

from typing import Any

from mlmodel.checking.validators.context import CheckContext
from mlmodel.checking.validators.pydantic_errors import translate
from mlmodel.core.releases import removed_by
from mlmodel.flavors.registry import get_flavor
from mlmodel.schema.core import ValidationError
from mlmodel.yamlio.tree import KeyPath

#: findings about these keys get a more specific code than the generic structural one
_SPECIFIC_CODES: dict[tuple[KeyPath, str], str] = {
    (("saved_input_example_info", "type"), "V203"): "V305",
}


def _reporter(ctx: CheckContext) -> Any:
    def report(code: str, message: str, path: KeyPath, at_key: bool) -> None:
        code = _SPECIFIC_CODES.get((path, code), code)
        ctx.report(code, message, path, at_key=at_key)

    return report


def check_structure(ctx: CheckContext) -> None:
    from mlmodel.schema.compiled import validator

    data = ctx.data
    try:
        validator("MLmodel").validate_python(data)
    except ValidationError as exc:
        translate(exc.errors(include_url=False), data, (), _reporter(ctx))
    flavors = data.get("flavors")
    if "flavors" not in data:
        ctx.report(
            "V202",
            "no 'flavors' key: the model cannot be used as any flavor",
            (),
            hint="add a flavors mapping, e.g. python_function with a loader_module",
        )
        return
    if not isinstance(flavors, dict):
        return
    if not flavors:
        ctx.report(
            "V202", "'flavors' is empty: the model cannot be used as any flavor", ("flavors",)
        )
        return
    for name, config in flavors.items():
        spec = get_flavor(name)
        if spec is None:
            continue
        if removed_by(spec.removed_in, ctx.mlflow_version):
            target = ctx.mlflow_version
            judged = "current MLflow" if target is None else f"MLflow {target}"
            ctx.report(
                "V209",
                f"the {name} flavor was removed in MLflow {spec.removed_in}: {judged} "
                f"cannot load the model as {name}",
                ("flavors", name),
                at_key=True,
                hint=f"load it with MLflow older than {spec.removed_in}, or re-save it",
            )
        if not isinstance(config, dict):
            continue
        try:
            spec.validator().validate_python(config)
        except ValidationError as exc:
            translate(
                exc.errors(include_url=False),
                config,
                ("flavors", name),
                _reporter(ctx),
                what=f"the {name} flavor",
            )
