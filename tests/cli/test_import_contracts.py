"""Every module of mlmodel has a place in the import contracts of ``pyproject.toml``.

A module is placed when a ``layers`` contract whose container is its package names it in a
layer, or when a contract names it (or its package's ``.*`` wildcard) as a module of its
own. ``lint-imports`` (CI) then checks the places; this test checks nothing is left out, so
a new module cannot slip past the layering.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mlmodel"


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _modules() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        if len(parts) > 1:
            found.append(".".join(parts))
    return found


def _placed(contracts: list[dict[str, Any]]) -> set[str]:
    placed: set[str] = set()
    for contract in contracts:
        if contract["type"] == "layers":
            for container in contract["containers"]:
                for layer in contract["layers"]:
                    for name in re.split(r"[|:]", layer):
                        placed.add(f"{container}.{name.strip()}")
        for key in ("source_modules", "modules"):
            placed.update(contract.get(key, []))
    return placed


def _is_placed(module: str, placed: set[str]) -> bool:
    parent = module.rpartition(".")[0]
    return module in placed or f"{parent}.*" in placed


@pytest.mark.parametrize("module", _modules())
def test_every_module_has_a_place_in_the_contracts(module: str) -> None:
    assert _is_placed(module, _placed(_contracts())), (
        f"{module} is in no import-linter contract: add it to the layers of its package in "
        "pyproject.toml [tool.importlinter]"
    )


def test_a_module_left_out_is_found() -> None:
    contracts = [
        {"type": "layers", "containers": ["mlmodel"], "layers": ["cli", "core | yamlio"]},
        {"type": "independence", "modules": ["mlmodel.generators.*"]},
    ]
    placed = _placed(contracts)
    assert _is_placed("mlmodel.core", placed)
    assert _is_placed("mlmodel.yamlio", placed)
    assert _is_placed("mlmodel.generators.rules_doc", placed)
    assert not _is_placed("mlmodel.spark", placed)
    assert not _is_placed("mlmodel.core.lazy", placed)


def test_every_named_module_exists() -> None:
    """A contract naming a module that is gone places nothing: catch stale names."""
    modules = set(_modules())
    stale = sorted(
        name
        for name in _placed(_contracts())
        if name.startswith("mlmodel.") and not name.endswith(".*") and name not in modules
    )
    assert stale == []
