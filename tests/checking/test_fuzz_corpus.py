"""Fuzz: real MLmodel files from the public corpus, mutated, through all four commands.

Each example takes one corpus file and applies a few mutations (hostile tokens inserted at
random places, bytes flipped, ranges deleted or repeated); the result must never end in an
internal error: no V199, no "rule ... failed", no exception other than the documented
:class:`ParseError`/:class:`UsageError`. Examples are bounded (about 30 s in all).
Skipped when ``../shared/corpus`` is absent.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import corpus_files

FILES = corpus_files()[:120]

#: fragments that once broke a command, and their neighbours
TOKENS = [
    b"\t",
    b"\x12",
    b"\x7f",
    b"\x00",
    b"\x85",
    b"\xe2\x80\xa8",
    b"\xff",
    b"\xef\xbb\xbf",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"<<: [*a]\n",
    b"&a\n<<: *a\n",
    b"!!int",
    b"!!float",
    b"!!bool",
    b"!!timestamp",
    b"!!binary",
    b"!!python/object:os.system",
    b"!foo",
    b'"\\ud800"',
    b'"\\U00110000"',
    b"0x" + b"f" * 3600,
    b"9" * 4400,
    b"[" * 80,
    b"{" * 80,
    b"]",
    b"}",
    b": ",
    b"- ",
    b"? ",
    b"'",
    b'"',
    b"#",
    b"---\n",
    b"...\n",
    b"\n  ",
    b"%YAML 1.1\n",
    b"'" + b"[" * 1200 + b"'",
    b"../" * 3,
    b"a" * 300,
    b"/etc/passwd",
]


#: values that keep the document valid YAML but have broken a command
VALUES = [
    b"!!int",
    b"!!float",
    b"!!bool",
    b"!!timestamp",
    b"!!int abc",
    b"!!binary 'a'",
    b"!!timestamp 2020-13-45",
    b'"\\ud800"',
    b'"\\U00110000"',
    b"0x" + b"f" * 3600,
    b"9" * 4400,
    b"1" + b":59" * 1500,
    b'"a\\0b"',
    b"a" * 300,
    b"d/" * 2100,
    b"'" + b"[" * 1200 + b"]" * 1200 + b"'",
    b"'" + b'{"a":' * 600 + b"1" + b"}" * 600 + b"'",
    b"&a {b: 1, <<: *a}",
    b"&a [*a]",
    b"\x12",
    b"[" * 70 + b"]" * 70,
    b"~",
    b"",
    b"{}",
]


def _replace_value(data: bytearray, draw: st.DrawFn) -> bytearray:
    """A random ``key: value`` line's value replaced by one of :data:`VALUES`."""
    lines = bytes(data).split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b": " in line or line.rstrip().endswith(b":")]
    if not keyed:
        return data
    index = draw(st.sampled_from(keyed))
    key = lines[index].split(b":", 1)[0]
    lines[index] = key + b": " + draw(st.sampled_from(VALUES))
    return bytearray(b"\n".join(lines))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FILES)).read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(
            st.sampled_from(["value", "value", "value", "token", "flip", "delete", "repeat"])
        )
        if kind == "value":
            data = _replace_value(data, draw)
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 60))])
            data[at:at] = piece * draw(st.integers(1, 20))
    return bytes(data)


@pytest.mark.skipif(not FILES, reason="../shared/corpus not present")
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated())
def test_mutated_corpus_files_never_end_in_an_internal_error(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from mlmodel import LintOptions, convert_model, inspect_model, lint_paths, validate_paths
    from mlmodel.checking.validate import validate_bytes
    from mlmodel.core.errors import ParseError

    model = tmp_path_factory.mktemp("fuzz")
    (model / "MLmodel").write_bytes(data)
    for roundtrip in (False, True):
        codes = {d.code for d in validate_bytes(data, check_files=False, roundtrip=roundtrip)}
        assert "V199" not in codes
    validated = validate_paths([model])
    assert "V199" not in {d.code for d in validated.diagnostics}
    linted = lint_paths([model], LintOptions())
    for d in linted.result.diagnostics:
        assert d.code != "V199" and not d.message.startswith("rule "), d
    try:
        inspect_model(model).to_json()
    except ParseError as exc:
        assert exc.diagnostics and "V199" not in {d.code for d in exc.diagnostics}
    try:
        convert_model(model)
    except ParseError as exc:
        assert exc.diagnostics and "V199" not in {d.code for d in exc.diagnostics}
