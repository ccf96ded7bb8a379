"""An unknown key that looks like a known one (``conda_env`` for ``env``).

MLflow keeps unknown keys and ignores them, so a misspelt key silently does
nothing. Checked at the top level and in the settings of built-in flavors.
Fix (unsafe: the meaning may differ): rename it in place (its comment kept) when
the intended key is free.

Fails::

    flavors:
      python_function:
        conda_env: conda.yaml

Passes::

    flavors:
      python_function:
        env: conda.yaml
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from typing import Any

from mlmodel.checking.lint.model import Finding, Fix, LintContext
from mlmodel.flavors.registry import default_registry
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

CODE = "MLM104"

#: names people write for a known key, beyond what difflib finds
ALIASES = {
    "conda_env": "env",
    "conda": "env",
    "requirements": "env",
    "created": "utc_time_created",
    "timestamp": "utc_time_created",
    "model_signature": "signature",
}


@cache
def _known_top_level() -> frozenset[str]:
    from mlmodel.schema.model import MLmodel

    return frozenset(MLmodel.model_fields)


@cache
def _known_flavor_keys(name: str) -> frozenset[str]:
    spec = default_registry().builtins().get(name)
    if spec is None:
        return frozenset()
    return frozenset(spec.load_schema().model_fields)


def _suggest(key: str, known: frozenset[str]) -> str | None:
    alias = ALIASES.get(key)
    if alias in known:
        return alias
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def _rename(path: KeyPath, new: str) -> Fix:
    def fix(document: MLmodelDocument) -> None:
        document.rename(path, new)

    return Fix(dotted((*path[:-1], new)), "rename", str(path[-1]), new, fix)


def _check(mapping: dict[str, Any], prefix: KeyPath, known: frozenset[str]) -> Iterator[Finding]:
    for key in mapping:
        if key in known:
            continue
        target = _suggest(key, known)
        if target is None:
            continue
        path = (*prefix, key)
        taken = target in mapping
        yield Finding(
            path,
            f"unknown key {key!r}: MLflow ignores it; did you mean {target!r}?",
            at_key=True,
            fix=None if taken else _rename(path, target),
        )


def check(ctx: LintContext) -> Iterator[Finding]:
    yield from _check(ctx.data, (), _known_top_level())
    for name, config in ctx.flavors().items():
        if isinstance(config, dict):
            known = _known_flavor_keys(name)
            if known:
                yield from _check(config, ("flavors", name), known)
