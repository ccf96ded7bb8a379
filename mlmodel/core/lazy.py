"""Lazy exports: a package's public names, imported from their modules on first use.

A subpackage lists ``name -> "module"`` (where the same name is defined) and sets
``__getattr__ = lazy_getattr(__name__, globals(), table)``: it stays light to import, and a
name resolved once is kept in its namespace. ``mlmodel`` itself keeps its own (``import
mlmodel`` loads no other module), and so does ``mlmodel.pickle_scan`` (the scanner imports
no computed module name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    package: str, namespace: dict[str, Any], table: Mapping[str, str]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``table``'s names on first use."""

    def __getattr__(name: str) -> Any:
        home = table.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    return __getattr__
