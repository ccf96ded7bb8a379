"""mlmodel's own reading of versions, specifiers and markers against ``packaging`` (the
reference pip vendors), on a table of the cases requirement files hold."""

from __future__ import annotations

import itertools

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from mlmodel.environments.specifiers import (
    MarkerError,
    evaluate_marker,
    parse_clauses,
    parse_version,
)

VERSIONS = [
    "0.9", "1.0", "1.0.0", "1.0.1", "1.0rc1", "1.0.post1", "1.0.dev0", "1.1", "2.0", "2.0a1",
    "1.4.2", "1.4.10", "1.5.2", "1.5.2+cpu", "1!1.0", "1.0b2.post3.dev4", "1.0-1", "1.0.0.0",
]  # fmt: skip
SPECIFIERS = [
    "==1.0", "==1.0.*", "!=1.0", "~=1.4.2", "~=1.4", ">=1.0,<2", ">1.0", "<1.0", "<=1.0",
    ">=1.5.2", "==1.5.2", "==1.*", "!=1.5.*", ">=2.0a1", "<2.0", "===1.0", ">=1!0.5",
]  # fmt: skip
MARKERS = [
    'python_version >= "3.8"',
    'python_version < "3.11"',
    'python_version == "3.11"',
    'python_full_version != "3.11.0"',
    "sys_platform == 'win32'",
    'sys_platform == "linux" and python_version >= "3.11"',
    '(os_name == "nt" or platform_system == "Linux") and implementation_name == "cpython"',
    '"linux" in sys_platform',
    'platform_machine not in "x86_64 aarch64"',
    'extra == "gpu"',
    'python_version > "3.10" or python_version < "3"',
]


@pytest.mark.parametrize(("version", "specifier"), list(itertools.product(VERSIONS, SPECIFIERS)))
def test_specifiers_as_packaging_reads_them(version: str, specifier: str) -> None:
    expected = SpecifierSet(specifier).contains(Version(version), prereleases=True)
    parsed = parse_version(version)
    clauses = parse_clauses(specifier)
    assert parsed is not None and clauses is not None
    assert all(clause.allows(parsed) for clause in clauses) is expected


def test_versions_order_as_packaging_orders_them() -> None:
    ours = sorted(VERSIONS, key=lambda v: parse_version(v).key)  # type: ignore[union-attr]
    theirs = sorted(VERSIONS, key=Version)
    assert [Version(v) for v in ours] == [Version(v) for v in theirs]


@pytest.mark.parametrize("marker", MARKERS)
def test_markers_as_packaging_evaluates_them(marker: str) -> None:
    assert evaluate_marker(marker) is Marker(marker).evaluate({"extra": ""})


@pytest.mark.parametrize("marker", ['python_version >= "3.8" and', "nonsense == '1'", "(a"])
def test_a_marker_that_is_not_pep_508_is_an_error(marker: str) -> None:
    with pytest.raises(MarkerError):
        evaluate_marker(marker)


def test_what_is_not_a_version_or_a_specifier() -> None:
    assert parse_version("latest") is None
    assert parse_clauses("@ https://example.invalid/x.whl") is None
    assert parse_clauses("") == []
