"""The extras install versions that work together: pandas within what the PySpark the spark
extra resolves supports (pyspark 4 refuses pandas < 2.2 and warns on every pandas UDF that
it "does not yet fully support pandas >= 3.0.0")."""

from __future__ import annotations

import importlib.metadata
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]
#: the first pandas PySpark warns about (pyspark.sql.pandas.utils.require_minimum_pandas_version)
PYSPARK_WARNS_FROM = "3.0.0"


def _pandas(extra: str) -> Requirement:
    [pandas] = [r for r in map(Requirement, EXTRAS[extra]) if r.name == "pandas"]
    return pandas


def _pyspark_minimum() -> str:
    """The pandas PySpark (as installed) requires at least, from its own metadata."""
    for text in importlib.metadata.requires("pyspark") or []:
        requirement = Requirement(text)
        if requirement.name == "pandas":
            [minimum] = [s.version for s in requirement.specifier if s.operator == ">="]
            return minimum
    raise AssertionError("pyspark declares no pandas requirement")


@pytest.mark.parametrize("extra", ["spark", "dev"])
def test_pandas_is_one_pyspark_supports(extra: str) -> None:
    allowed = _pandas(extra).specifier
    assert PYSPARK_WARNS_FROM not in allowed
    [lowest] = [Version(s.version) for s in allowed if s.operator == ">="]
    assert lowest >= Version(_pyspark_minimum())
