"""The paths an MLmodel document points to: its own keys (``saved_input_example_info``...)
and every known flavor's settings (:data:`mlmodel.flavors.registry.DOCUMENT_PATHS`, each
flavor's ``paths``), read from the parsed document only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlmodel.flavors.registry import DOCUMENT_PATHS, PathRef, get_flavor
from mlmodel.yamlio.tree import KeyPath

__all__ = ["referenced_paths"]


def _expand(config: Any, key: tuple[str, ...], prefix: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if not key:
        yield prefix, config
        return
    head, rest = key[0], key[1:]
    if head == "*":
        if isinstance(config, dict):
            for name, value in config.items():
                yield from _expand(value, rest, (*prefix, name))
        elif isinstance(config, list):
            for index, value in enumerate(config):
                yield from _expand(value, rest, (*prefix, index))
    elif isinstance(config, dict) and head in config:
        yield from _expand(config[head], rest, (*prefix, head))


def referenced_paths(data: Mapping[str, Any]) -> Iterator[tuple[KeyPath, str, PathRef]]:
    """Every (key path, value as written, reference) of a path the document points to,
    from the document's own keys and every known flavor's settings."""
    for key in DOCUMENT_PATHS:
        for path, value in _expand(data, key, ()):
            if isinstance(value, str):
                yield path, value, PathRef(key, "file")
    flavors = data.get("flavors")
    if not isinstance(flavors, dict):
        return
    for name, config in flavors.items():
        spec = get_flavor(name)
        if spec is None or not isinstance(config, dict):
            continue
        for ref in spec.paths:
            if ref.when is not None and not ref.when(config):
                continue
            for path, value in _expand(config, ref.key, ("flavors", name)):
                if isinstance(value, str):
                    yield path, value, ref
