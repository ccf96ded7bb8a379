"""Hypothesis: generated documents round-trip through write/read unchanged, and edits are exact."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmodel import read_mlmodel
from mlmodel.yamlio.document import MLmodelDocument

KEYS = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)
TRICKY = st.sampled_from(
    [
        "3.10",
        "yes",
        "no",
        "on",
        "null",
        "~",
        "",
        " lead",
        "trail ",
        "a: b",
        "#x",
        "x #y",
        "- item",
        "1e3",
        "0123",
        "2018-06-01",
        "2024-01-01 10:00:00",
        "@at",
        "'q'",
        '"dq"',
        "{a}",
        "[b]",
        "tab\there",
        "é",
        "line\nbreak",
        "*star",
        "&amp",
        "!bang",
        "%pct",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    TRICKY,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=6).map(
    lambda d: {"flavors": {"python_function": {"loader_module": "mlflow.sklearn"}}, **d}
)


def mlflow_style(data: dict[str, Any]) -> str:
    """The way MLflow writes MLmodel files (yaml.safe_dump, block style, sorted keys)."""
    return yaml.safe_dump(data, default_flow_style=False)


COMMON = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(DOCUMENTS, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_documents_round_trip_byte_identical(
    data: dict[str, Any], newline: str, final_newline: bool
) -> None:
    text = mlflow_style(data).replace("\n", newline)
    if not final_newline:
        text = text.rstrip("\r\n")
    document = MLmodelDocument.from_bytes(text.encode())
    assert document.to_bytes() == text.encode()
    assert document.data == yaml.safe_load(text)


@COMMON
@given(DOCUMENTS)
def test_write_then_read_gives_the_same_document(data: dict[str, Any]) -> None:
    import tempfile

    text = mlflow_style(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "MLmodel"
        MLmodelDocument.from_bytes(text.encode()).write(path)
        again = read_mlmodel(path)
        assert again.to_bytes() == text.encode()
        assert again.data == data


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((*prefix, key))
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append((*prefix, index))
            out.extend(_paths(child, (*prefix, index)))
    return out


@COMMON
@given(DOCUMENTS, st.data())
def test_edits_read_back_exactly_as_asked(data: dict[str, Any], draw: st.DataObject) -> None:
    text = mlflow_style(data)
    document = MLmodelDocument.from_bytes(text.encode())
    path = draw.draw(st.sampled_from(_paths(data)))
    value = draw.draw(VALUES)
    document.set(path, value)
    expected = yaml.safe_load(text)
    node = expected
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert document.data == expected
    assert yaml.safe_load(document.text) == expected
    if not isinstance(path[-1], int):
        new_key = draw.draw(KEYS)
        parent: Any = document.data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            document.set((*path[:-1], new_key), "added")
            node[new_key] = "added"
            assert yaml.safe_load(document.text) == expected
            document.delete((*path[:-1], new_key))
            del node[new_key]
            assert yaml.safe_load(document.text) == expected


@COMMON
@given(DOCUMENTS, st.data())
def test_unrelated_lines_are_untouched_by_a_scalar_edit(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    text = mlflow_style(data)
    document = MLmodelDocument.from_bytes(text.encode())
    scalars = [
        p
        for p, span in document.parsed.spans.items()
        if p and span.kind == "scalar" and span.line == span.end_line
    ]
    if not scalars:
        return
    path = draw.draw(st.sampled_from(scalars))
    line = document.position(*path).line
    document.set(path, draw.draw(SCALARS.filter(lambda v: not isinstance(v, str) or "\n" not in v)))
    before = text.splitlines()
    after = document.text.splitlines()
    assert len(before) == len(after)
    assert [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] in (
        [],
        [line],
    )
