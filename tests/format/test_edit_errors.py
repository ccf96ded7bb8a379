"""Edits that cannot be written raise EditError (exported from mlmodel), never a YAML
library error, and leave the document unchanged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import mlmodel
from mlmodel.yamlio.document import MLmodelDocument

TEXT = "flavors:\n  python_function:\n    loader_module: m  # note\n"


def _self_referencing() -> list[Any]:
    items: list[Any] = []
    items.append(items)
    return items


@pytest.mark.parametrize(
    "value",
    [object(), {"a": [object()]}, {("k",): 1}, b"bytes", {1, 2}, _self_referencing()],
    ids=["object", "nested-object", "tuple-key", "bytes", "set", "cycle"],
)
def test_unwritable_values_raise_edit_error(value: Any) -> None:
    doc = MLmodelDocument.from_text(TEXT)
    with pytest.raises(mlmodel.EditError):
        doc["metadata"] = value
    with pytest.raises(mlmodel.EditError):
        doc["flavors"]["python_function"]["x"] = value
    assert doc.text == TEXT


def test_plain_values_are_still_written() -> None:
    doc = MLmodelDocument.from_text(TEXT)
    doc["metadata"] = {"n": 1, "f": 0.5, "ok": True, "none": None, "items": ["a", "b"]}
    doc["utc_time_created"] = datetime.date(2024, 1, 2)
    assert doc.data["metadata"]["items"] == ["a", "b"]
    assert "# note" in doc.text


def test_the_exceptions_are_exported() -> None:
    assert issubclass(mlmodel.EditError, mlmodel.MLModelError)
    assert issubclass(mlmodel.ParseError, mlmodel.MLModelError)
    assert issubclass(mlmodel.UsageError, mlmodel.MLModelError)
    assert {"EditError", "MLModelError", "ParseError", "UsageError"} <= set(mlmodel.__all__)
