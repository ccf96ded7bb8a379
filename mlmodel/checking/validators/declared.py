"""Flavors a project declares as JSON Schema (see :mod:`mlmodel.checking.config`).

A declared schema adds checks: for a built-in or plugin flavor both apply; for
any other flavor it is the only schema. Findings carry the position of the
offending key or value like every other diagnostic.
"""

from __future__ import annotations

from mlmodel.checking.validators.context import CheckContext


def check_declared(ctx: CheckContext) -> None:
    flavors = ctx.data.get("flavors")
    if not ctx.declared or not isinstance(flavors, dict):
        return
    from referencing.exceptions import Unresolvable

    for name, config in flavors.items():
        declared = ctx.declared.get(name)
        if declared is None:
            continue
        try:
            errors = sorted(declared.validator().iter_errors(config), key=lambda e: list(e.path))
        except (Unresolvable, RecursionError) as exc:  # a $ref is never fetched
            ctx.report(
                "V212",
                f"the {name} flavor: the declared schema {declared.source.name} cannot be "
                f"applied: {type(exc).__name__}: {exc}",
                ("flavors", name),
                at_key=True,
            )
            continue
        for error in errors:
            path = ("flavors", name, *error.absolute_path)
            ctx.report(
                "V212",
                f"the {name} flavor: {error.message} (schema {declared.source.name})",
                path,
                at_key=False,
            )
