"""The span table: every key and value of a parse keeps its exact position.

The oracle is PyYAML's own composer (``yaml.compose``), which keeps a start and end mark
on every node: each node of the composed tree must have a span with the same offsets,
line, column, style and key position, through both parsers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmodel.yamlio.parse import parse_fast, parse_roundtrip
from mlmodel.yamlio.spans import SpanTable
from mlmodel.yamlio.tree import KeyPath, ParsedYaml
from tests.conftest import CORPUS_MUST_FAIL, corpus_params

PARSERS = [pytest.param(parse_fast, id="libyaml"), pytest.param(parse_roundtrip, id="ruamel")]


def _expected(
    node: yaml.Node, path: KeyPath, key: yaml.Node | None, out: dict[KeyPath, Any]
) -> None:
    """What the span at ``path`` must hold, from the composed node (the last of duplicate
    keys wins, as in the data)."""
    style = node.style if isinstance(node, yaml.ScalarNode) else None
    out[path] = {
        "start": node.start_mark.index,
        "end": node.end_mark.index,
        "line": node.start_mark.line + 1,
        "column": node.start_mark.column + 1,
        "style": style or None,
        "flow": bool(getattr(node, "flow_style", False)),
        "kind": {"ScalarNode": "scalar", "MappingNode": "mapping", "SequenceNode": "sequence"}[
            type(node).__name__
        ],
        "key_line": None if key is None else key.start_mark.line + 1,
        "key_column": None if key is None else key.start_mark.column + 1,
        "key_start": None if key is None else key.start_mark.index,
        "key_end": None if key is None else key.end_mark.index,
        "key_style": None if key is None else (getattr(key, "style", None) or None),
    }
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _expected(value_node, (*path, key_node.value), key_node, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _expected(item, (*path, index), None, out)


def _actual(parsed: ParsedYaml) -> dict[KeyPath, Any]:
    fields = ["start", "end", "line", "column", "style", "flow", "kind", "key_line"]
    fields += ["key_column", "key_start", "key_end", "key_style"]
    return {path: {f: getattr(span, f) for f in fields} for path, span in parsed.spans.items()}


def _check_against_composer(text: str, parse: Any) -> None:
    expected: dict[KeyPath, Any] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None
    _expected(root, (), None, expected)
    parsed = parse(text)
    assert parsed.ok
    actual = _actual(parsed)
    assert actual == expected
    assert list(parsed.spans) == list(expected)  # parents first, children in written order
    assert len(parsed.spans) == len(expected)
    for path, want in expected.items():  # lookups agree with the walk
        assert path in parsed.spans
        span = parsed.spans[path]
        assert (span.line, span.column, span.key_line) == (
            want["line"],
            want["column"],
            want["key_line"],
        )


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("path", corpus_params())
def test_every_corpus_node_has_the_composers_position(path: Path, parse: Any) -> None:
    if path.name in CORPUS_MUST_FAIL and CORPUS_MUST_FAIL[path.name] == "V100":
        pytest.skip("not YAML")
    text = path.read_bytes().decode("utf-8-sig")
    _check_against_composer(text, parse)


KEYS = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=6)
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
TREES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("flow", [False, True])
@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(KEYS, TREES, min_size=1, max_size=5))
def test_generated_documents_have_the_composers_positions(
    data: dict[str, Any], flow: bool, parse: Any
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    _check_against_composer(text, parse)


@pytest.mark.parametrize("parse", PARSERS)
def test_a_duplicate_key_points_at_the_value_that_wins(parse: Any) -> None:
    text = "a: 1\nb: {x: 1}\na: 2\nb:\n  y: 3\n"
    parsed = parse(text)
    codes = [(d.code, d.line, d.column) for d in parsed.diagnostics]
    assert codes == [("V102", 3, 1), ("V102", 4, 1)]
    assert "first at line 1" in parsed.diagnostics[0].message
    assert "first at line 2" in parsed.diagnostics[1].message
    assert parsed.data == {"a": 2, "b": {"y": 3}}
    assert (parsed.spans[("a",)].line, parsed.spans[("a",)].key_line) == (3, 3)
    assert parsed.spans[("b", "y")].line == 5
    assert ("b", "x") not in parsed.spans  # the losing value's keys are gone with it
    assert parsed.spans[()].children == ["a", "b"]  # each key once, in first-written order


@pytest.mark.parametrize("parse", PARSERS)
def test_merged_keys_point_into_the_mapping_they_come_from(parse: Any) -> None:
    text = "base: &b\n  x: 1\n  y: {z: 2}\nm:\n  <<: *b\n  x: 9\n"
    parsed = parse(text)
    assert parsed.ok
    assert parsed.data["m"] == {"x": 9, "y": {"z": 2}}
    assert parsed.spans[("m", "x")].line == 6  # written in m: wins over the merge
    assert parsed.spans[("m", "y")].key_line == 3  # merged: where the anchor wrote it
    assert parsed.spans[("m", "y", "z")].line == 3
    assert parsed.spans[("m",)].children == ["x"]  # only the keys written in m
    assert ("m", "y", "z") in list(parsed.spans)


def test_a_skipped_value_has_no_span_but_its_key_stays() -> None:
    parsed = parse_fast("a: !!python/object:os.system x\nb: 1\n")
    assert [d.code for d in parsed.diagnostics] == ["V108"]
    assert ("a",) in parsed.spans  # a scalar with a bad tag keeps its position
    parsed = parse_fast("a: !!python/object {x: 1}\nb: 1\n")
    assert [d.code for d in parsed.diagnostics] == ["V108"]
    assert ("a",) not in parsed.spans and parsed.spans.get(("a",)) is None
    assert parsed.spans[()].children == ["a", "b"]
    assert list(parsed.spans) == [(), ("b",)]


def test_lookups_that_miss() -> None:
    parsed = parse_fast("a: [1, 2]\nb: {c: 3}\n")
    for path in [("z",), ("a", 2), ("a", -1), ("a", "0"), ("b", 0), ("b", "c", "d"), ("a", True)]:
        assert path not in parsed.spans
        assert parsed.spans.get(path) is None
        with pytest.raises(KeyError):
            parsed.spans[path]
    empty = SpanTable()
    assert not empty and len(empty) == 0 and list(empty.items()) == [] and () not in empty


def test_offsets_beyond_32_bits_take_64_bit_numbers() -> None:
    table = SpanTable(text_size=2**31)
    node = table.add(0, 2**32, 2**32 + 5, 2**31 + 7, 1, 2**31 + 7)
    table.root = node
    assert (table[()].start, table[()].end, table[()].line) == (2**32, 2**32 + 5, 2**31 + 7)
    assert SpanTable(text_size=100).numbers.typecode == "i"
