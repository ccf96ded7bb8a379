"""Flavors: their schema, the paths their settings point to, and where they come from.

Flavors come from the entry-point group ``mlmodel.flavors``; mlmodel's own
built-in flavors are registered through that group too (see ``pyproject.toml``).
An entry point names a :class:`FlavorSpec`, an iterable of them, or a callable
returning either.

Order, fixed and documented: built-in flavors first, then plugins sorted by
distribution name and entry-point name. The first to register a name keeps it;
a later claim is ignored with a warning (V211), so a plugin can add flavors but
never change how MLflow's own flavors are checked. A plugin that fails to load
is named in a warning (V210) and every other flavor still works. Plugins are
only looked up when a document uses a flavor the built-ins do not know, so
they cost nothing to a document of built-in flavors.

Schemas are named as ``"module:Class"`` and imported only when a document
uses that flavor, so a cold ``mlmodel validate`` builds only what it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.flavors.spec import DOCUMENT_PATHS, FlavorSpec, PathKind, PathRef, loader_is

__all__ = [
    "BUILTIN_ENTRY_POINT",
    "DOCUMENT_PATHS",
    "ENTRY_POINT_GROUP",
    "FlavorRegistry",
    "FlavorSpec",
    "PathKind",
    "PathRef",
    "default_registry",
    "get_flavor",
    "loader_is",
]

ENTRY_POINT_GROUP = "mlmodel.flavors"
BUILTIN_ENTRY_POINT = "mlmodel.flavors.builtin:BUILTIN_FLAVORS"


def _as_specs(loaded: Any) -> list[FlavorSpec]:
    if callable(loaded) and not isinstance(loaded, FlavorSpec):
        loaded = loaded()
    if isinstance(loaded, FlavorSpec):
        return [loaded]
    if isinstance(loaded, Mapping):
        loaded = loaded.values()
    specs = list(loaded)
    if not all(isinstance(s, FlavorSpec) for s in specs):
        raise TypeError("an mlmodel.flavors entry point must give FlavorSpec objects")
    return specs


class FlavorRegistry:
    """Flavors by name: built-ins first, plugins looked up on demand."""

    def __init__(
        self,
        builtins: Iterable[FlavorSpec],
        entry_points: Callable[[], Iterable[Any]] | None = None,
    ) -> None:
        self._builtins = {spec.name: spec for spec in builtins}
        self._entry_points = entry_points
        self._plugins: dict[str, FlavorSpec] | None = None
        self.problems: list[Diagnostic] = []

    def get(self, name: str) -> FlavorSpec | None:
        spec = self._builtins.get(name)
        if spec is None:
            spec = self._load_plugins().get(name)
        return spec

    def builtins(self) -> dict[str, FlavorSpec]:
        return dict(self._builtins)

    def all(self) -> dict[str, FlavorSpec]:
        return {**self._load_plugins(), **self._builtins}

    def for_loader(self, module: str) -> list[FlavorSpec]:
        """The built-in flavors MLflow ties to a python_function loader module."""
        return [spec for spec in self._builtins.values() if module in spec.loader_modules]

    def _load_plugins(self) -> dict[str, FlavorSpec]:
        if self._plugins is not None:
            return self._plugins
        self._plugins = {}
        if self._entry_points is None:
            return self._plugins
        owners: dict[str, str] = dict.fromkeys(self._builtins, "mlmodel (built-in)")
        found = sorted(
            self._entry_points(),
            key=lambda ep: (getattr(getattr(ep, "dist", None), "name", "") or "", ep.name),
        )
        for entry in found:
            if entry.value == BUILTIN_ENTRY_POINT:
                continue
            dist = getattr(getattr(entry, "dist", None), "name", None) or "unknown distribution"
            label = f"{entry.name} ({dist})"
            try:
                specs = _as_specs(entry.load())
            except Exception as exc:  # noqa: BLE001 - any plugin failure is reported, not raised
                self.problems.append(
                    diagnostic(
                        "V210",
                        f"flavor plugin {label} failed to load: {type(exc).__name__}: {exc}",
                        hint="its flavors are checked as unknown flavors; fix or uninstall it",
                    )
                )
                continue
            for spec in specs:
                if spec.name in owners:
                    self.problems.append(
                        diagnostic(
                            "V211",
                            f"flavor plugin {label} defines {spec.name!r}, already defined by "
                            f"{owners[spec.name]}; the first definition is kept",
                        )
                    )
                    continue
                owners[spec.name] = label
                self._plugins[spec.name] = replace(spec, origin=f"plugin {label}")
        return self._plugins


def _installed_entry_points() -> Iterable[Any]:
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


@cache
def default_registry() -> FlavorRegistry:
    from mlmodel.flavors.builtin import BUILTIN_FLAVORS

    return FlavorRegistry(BUILTIN_FLAVORS, _installed_entry_points)


def get_flavor(name: str) -> FlavorSpec | None:
    return default_registry().get(name)
