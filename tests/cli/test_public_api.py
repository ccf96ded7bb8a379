"""The public API: every name in ``mlmodel.__all__`` resolves, lazily, to a typed callable or a
dataclass, and each command's function returns its dataclass."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

import mlmodel
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"
RESULTS = ("ConversionResult", "FileReport", "Inspection", "LintResult", "ValidationResult")


@pytest.mark.parametrize("name", [n for n in mlmodel.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(mlmodel, name)
    assert value is not None
    if name in RESULTS:
        assert dataclasses.is_dataclass(value)
    assert name in dir(mlmodel)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = mlmodel.no_such_name


def test_public_names_load_nothing_until_used() -> None:
    code = "import mlmodel, sys; print(sorted(m for m in sys.modules if m.startswith('mlmodel')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['mlmodel']"


def test_each_command_returns_its_dataclass() -> None:
    assert isinstance(mlmodel.validate_paths([GOOD]), mlmodel.ValidationResult)
    linted = mlmodel.lint_paths([GOOD], mlmodel.LintOptions())
    assert isinstance(linted, mlmodel.LintResult)
    assert linted.exit_code() == 0
    inspected = mlmodel.inspect_model(GOOD)
    assert isinstance(inspected, mlmodel.Inspection)
    assert inspected.header["mlflow_version"] == "3.17.2"
    converted = mlmodel.convert_model(GOOD, to="json")
    assert isinstance(converted, mlmodel.ConversionResult)
    assert converted.target_format == "json"
    assert mlmodel.document_schema()["$id"] == "urn:mlmodel:schema:mlmodel"
    assert "sklearn" in {f.name for f in mlmodel.list_flavors()}
    assert mlmodel.flavor_schema("sklearn")["title"] == "MLmodel flavor sklearn"
    with pytest.raises(mlmodel.UsageError):
        mlmodel.flavor_schema("no-such-flavor")
    document = mlmodel.read_mlmodel(GOOD)
    assert mlmodel.validate_document(document) == []
    assert issubclass(mlmodel.EditError, mlmodel.MLModelError)


def test_all_lists_exactly_the_lazy_names() -> None:
    assert sorted(mlmodel.__all__) == sorted(["__version__", *mlmodel._LAZY])
