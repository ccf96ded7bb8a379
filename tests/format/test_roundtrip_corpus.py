"""Every corpus file that parses round-trips byte-identical; one scalar edit changes one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlmodel.core.errors import ParseError
from mlmodel.yamlio.document import MLmodelDocument
from tests.conftest import CORPUS_MUST_FAIL, corpus_params


def _single_line_scalars(document: MLmodelDocument) -> list[tuple[str | int, ...]]:
    paths = []
    for path, span in document.parsed.spans.items():
        if path and span.kind == "scalar" and span.end_line == span.line and span.key_line:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_round_trip_and_one_line_edits(path: Path) -> None:
    raw = path.read_bytes()
    if path.name in CORPUS_MUST_FAIL and CORPUS_MUST_FAIL[path.name] == "V100":
        with pytest.raises(ParseError):
            MLmodelDocument.from_bytes(raw)
        return
    document = MLmodelDocument.from_bytes(raw)
    assert document.to_bytes() == raw
    assert document.data == yaml.safe_load(raw)  # what MLflow's reader sees
    candidates = _single_line_scalars(document)
    assert candidates
    picks = {candidates[0], candidates[len(candidates) // 2], candidates[-1]}
    before = raw.decode("utf-8").splitlines(keepends=True)
    for target in picks:
        edited = MLmodelDocument.from_bytes(raw)
        edited.set(target, "edited value")
        after = edited.to_bytes().decode("utf-8").splitlines(keepends=True)
        assert len(after) == len(before)
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert len(changed) == 1, (target, changed)
        assert changed[0] + 1 == edited.position(*target).line
        reread = MLmodelDocument.from_bytes(edited.to_bytes())
        assert reread.data == edited.data
