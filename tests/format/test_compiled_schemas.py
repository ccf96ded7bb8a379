"""The precompiled core schemas match the pydantic models they come from."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from pydantic_core import SchemaValidator, ValidationError

from mlmodel.generators.core_schemas import TARGET, generate
from mlmodel.schema.compiled import from_models, is_current, sources, validator
from tests.conftest import ROOT, corpus_files
from tests.format.test_roundtrip_properties import DOCUMENTS, VALUES


@cache
def _model_validator(name: str) -> SchemaValidator:
    """Built once per schema name: building one from the pydantic models is the slow part."""
    return from_models(name)


def test_checked_in_schemas_are_what_the_models_generate() -> None:
    if not is_current():
        pytest.skip("installed pydantic-core differs from the one the schemas were made with")
    assert TARGET.read_text(encoding="utf-8") == generate(), (
        "the pydantic models changed: run `python -m mlmodel.generators.core_schemas`"
    )


def _errors(name: str, value: Any, *, compiled: bool) -> list[tuple[str, tuple[Any, ...]]]:
    checker = validator(name) if compiled else _model_validator(name)
    try:
        checker.validate_python(value)
    except ValidationError as exc:
        return [(e["type"], tuple(e["loc"])) for e in exc.errors()]
    return []


def _inputs_for(data: Any) -> list[tuple[str, Any]]:
    """(schema name, value) pairs the validators would check for one document."""
    found: list[tuple[str, Any]] = [("MLmodel", data)]
    if not isinstance(data, dict):
        return found
    flavors = data.get("flavors")
    if isinstance(flavors, dict):
        for flavor, config in flavors.items():
            if f"flavor:{flavor}" in sources():
                found.append((f"flavor:{flavor}", config))
    signature = data.get("signature")
    if isinstance(signature, dict):
        for part in ("inputs", "outputs", "params"):
            text = signature.get(part)
            if isinstance(text, str):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    continue
                kind = "signature:params" if part == "params" else "signature:specs"
                found.append((kind, parsed))
    return found


def _documents() -> list[Path]:
    cases = sorted((ROOT / "tests" / "cases").glob("*/*/MLmodel"))
    return corpus_files() + cases


@pytest.mark.parametrize("path", _documents(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_compiled_and_model_validators_agree_on_real_documents(path: Path) -> None:
    try:
        data = yaml.safe_load(path.read_bytes())
    except (yaml.YAMLError, RecursionError):
        pytest.skip("PyYAML cannot load it")
    for name, value in _inputs_for(data):
        assert _errors(name, value, compiled=True) == _errors(name, value, compiled=False)


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS, VALUES)
def test_compiled_and_model_validators_agree_on_generated_values(
    document: dict[str, Any], value: Any
) -> None:
    for name in sources():
        for candidate in (document, value, [value], [{"type": "array", "items": value}]):
            assert _errors(name, candidate, compiled=True) == _errors(
                name, candidate, compiled=False
            )
