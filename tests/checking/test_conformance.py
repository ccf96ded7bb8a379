"""The corpus conformance rule, and agreement between the fast and round-trip parsers."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_bytes
from mlmodel.core.diagnostics import Diagnostic
from tests.conftest import CORPUS_MUST_FAIL, corpus_mlflow_loads, corpus_params, requires_corpus


def _verdict(found: list[Diagnostic]) -> list[tuple[str, str, int | None, int | None]]:
    return [(d.code, d.severity.value, d.line, d.column) for d in found]


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_conformance(path: Path) -> None:
    found = validate_bytes(path.read_bytes(), check_files=False)
    errors = [d for d in found if d.is_error]
    expected = CORPUS_MUST_FAIL.get(path.name)
    if expected is None:
        assert not errors, [(d.code, d.line, d.message) for d in errors]
    else:
        assert expected in {d.code for d in errors}


@pytest.mark.parametrize("path", corpus_params())
def test_fast_and_roundtrip_parsers_agree(path: Path) -> None:
    data = path.read_bytes()
    fast = validate_bytes(data, check_files=False)
    slow = validate_bytes(data, check_files=False, roundtrip=True)
    assert _verdict(fast) == _verdict(slow)


@requires_corpus
def test_every_file_mlflow_loads_is_error_free() -> None:
    loads = corpus_mlflow_loads()
    assert len(loads) == 268
    from tests.conftest import CORPUS

    failing = []
    for name, ok in loads.items():
        found = validate_bytes((CORPUS / name).read_bytes(), check_files=False)
        has_error = any(d.is_error for d in found)
        if ok and name not in CORPUS_MUST_FAIL and has_error:
            failing.append(name)
        if not ok and not has_error:
            failing.append(name)
    assert failing == []
