"""Golden cases: one valid and one invalid model directory per check.

Layout (see ``tests/cases``)::

    cases/valid/<name>/MLmodel      (+ the files it references; optional expected.txt of warnings)
    cases/invalid/<name>/MLmodel    (+ expected.txt: one ``LINE CODE SEVERITY`` line per finding)

``LINE`` is ``-`` for a finding about the whole file; ``#`` starts a comment line. A case may
hold ``symlinks.txt`` (``LINK TARGET`` per line): the case is copied to a temporary directory
and the links are made there, so no symlink is committed. Cases that need odd bytes (NUL,
non-UTF-8, BOMs, huge files, YAML bombs) are built below as :data:`INLINE` cases.

Every case runs three ways: ``validate_file`` against the expectation, both parsers
(``roundtrip=False``/``True``) against each other, and the CLI (``mlmodel validate``, text
and JSON output) against the expectation. Cases the validator currently gets wrong are
listed in :data:`XFAIL` with the expectation that is right per the spec.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_bytes, validate_file
from mlmodel.cli.app import run
from mlmodel.core.diagnostics import Diagnostic, Severity
from mlmodel.yamlio.tree import Limits

CASES = Path(__file__).parents[1] / "cases"

Finding = tuple[int | None, str, str]

#: The test kinds a known validator bug breaks.
FILE = "file"  # validate_file (and the CLI, which calls it) against expected.txt
PARSERS = "parsers"  # roundtrip=False and roundtrip=True agree

_TABS = (
    "MLflow reads MLmodel with yaml.safe_load (pure-Python PyYAML), which refuses tabs used "
    "as separation whitespace"
)

#: case id -> (reason, test kinds that fail). strict: a fix makes the test fail until removed.
XFAIL: dict[str, tuple[str, frozenset[str]]] = {}


# -- expectations ---------------------------------------------------------------------------


def parse_expected(text: str) -> list[Finding]:
    found: list[Finding] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where, code, severity = line.split()
        Severity(severity)  # a typo in expected.txt fails loudly
        found.append((None if where == "-" else int(where), code, severity))
    return sorted(found, key=_order)


def _order(item: Finding) -> tuple[int, str, str]:
    return (item[0] if item[0] is not None else 0, item[1], item[2])


def actual(diagnostics: list[Diagnostic]) -> list[Finding]:
    return sorted(((d.line, d.code, d.severity.value) for d in diagnostics), key=_order)


def positions(diagnostics: list[Diagnostic]) -> list[tuple[int | None, int | None, str, str]]:
    return [(d.line, d.column, d.code, d.severity.value) for d in diagnostics]


# -- committed cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    path: Path

    @property
    def valid(self) -> bool:
        return self.id.split("/")[-2] == "valid"

    def expected(self) -> list[Finding]:
        file = self.path / "expected.txt"
        return parse_expected(file.read_text()) if file.is_file() else []


def _discover() -> list[Case]:
    return [
        Case(f"{kind}/{d.name}", d)
        for kind in ("valid", "invalid")
        for d in sorted((CASES / kind).iterdir())
        if d.is_dir()
    ]


DISCOVERED = _discover()


def _params(cases: list[Case], kind: str) -> list[object]:
    params: list[object] = []
    for case in cases:
        marks = []
        if case.id in XFAIL and kind in XFAIL[case.id][1]:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[case.id][0]))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def materialize(case: Case, tmp_path: Path) -> Path:
    """The case directory, or a temporary copy with the links of ``symlinks.txt`` made."""
    links = case.path / "symlinks.txt"
    if not links.is_file():
        return case.path
    model = tmp_path / "model"
    shutil.copytree(case.path, model)
    for raw in links.read_text().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        name, target = raw.split()
        link = model / name
        destination = link.parent / target
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(b"")
        try:
            os.symlink(target, link)
        except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
            pytest.skip(f"cannot create symlinks here: {exc}")
    return model


def test_cases_are_present() -> None:
    ids = {c.id for c in DISCOVERED}
    assert len([i for i in ids if i.startswith("valid/")]) >= 10
    assert len([i for i in ids if i.startswith("invalid/")]) >= 40
    unknown = {k for k in XFAIL if not k.startswith("inline/")} - ids
    unknown |= {k for k in XFAIL if k.startswith("inline/")} - {f"inline/{c.id}" for c in INLINE}
    assert not unknown, f"XFAIL names cases that do not exist: {sorted(unknown)}"


def test_expected_files_are_well_formed() -> None:
    for case in DISCOVERED:
        mlmodel = case.path / "MLmodel"
        assert mlmodel.is_file(), f"{case.id}: no MLmodel file"
        expected = case.expected()
        if case.valid:
            assert all(s != "error" for _, _, s in expected), f"{case.id}: errors in a valid case"
        else:
            assert expected, f"{case.id}: an invalid case needs an expected.txt"


@pytest.mark.parametrize("case", _params(DISCOVERED, FILE))
def test_golden_file(case: Case, tmp_path: Path) -> None:
    report = validate_file(materialize(case, tmp_path))
    got = actual(report.diagnostics)
    assert got == case.expected(), "\n".join(
        f"{d.location()} {d.code} {d.severity.value}: {d.message}" for d in report.diagnostics
    )
    if case.valid:
        assert report.errors == 0


@pytest.mark.parametrize("case", _params(DISCOVERED, PARSERS))
def test_golden_parsers_agree(case: Case, tmp_path: Path) -> None:
    model = materialize(case, tmp_path)
    data = (model / "MLmodel").read_bytes()
    fast = validate_bytes(data, model_dir=model, roundtrip=False)
    roundtrip = validate_bytes(data, model_dir=model, roundtrip=True)
    assert positions(fast) == positions(roundtrip)


# -- inline cases (bytes built here) ---------------------------------------------------------

_FLAVORS = (
    b"flavors:\n"
    b"  python_function:\n"
    b"    loader_module: mlflow.pyfunc.model\n"
    b"    python_model: python_model.pkl\n"
)
_RUN_ID = b"run_id: 2d9f4b6a8c0e4f1a9b3c5d7e9f1a2b3c\n"


def _bomb_lines() -> list[bytes]:
    """Billion laughs: nine levels of nine aliases each (9**9 'lol's once expanded)."""
    lines = [b"  a: &a [" + b",".join([b'"lol"'] * 9) + b"]"]
    previous = "a"
    for name in "bcdefghi":
        lines.append(
            f"  {name}: &{name} [".encode() + b",".join([f"*{previous}".encode()] * 9) + b"]"
        )
        previous = name
    return lines


def _bomb_one_line() -> bytes:
    parts = [b"a: &a [" + b",".join([b"lol"] * 9) + b"]"]
    previous = "a"
    for name in "bcdefghi":
        parts.append(
            f"{name}: &{name} [".encode() + b",".join([f"*{previous}".encode()] * 9) + b"]"
        )
        previous = name
    return b"metadata: {" + b", ".join(parts) + b"}\n"


def _too_large_default() -> bytes:
    filler = b"# " + b"x" * 1000 + b"\n"
    count = (Limits().max_bytes - len(_FLAVORS)) // len(filler) + 1
    return _FLAVORS + filler * count


@dataclass(frozen=True)
class Inline:
    id: str
    make: Callable[[], bytes]
    expected: str = ""
    limits: Limits | None = None
    files: tuple[str, ...] = ("python_model.pkl",)

    @property
    def valid(self) -> bool:
        return self.id.startswith("valid/")


INLINE: list[Inline] = [
    Inline("valid/utf8_bom", lambda: b"\xef\xbb\xbf" + _FLAVORS + _RUN_ID),
    Inline(
        "valid/utf8_bom_positions",
        lambda: b"\xef\xbb\xbf" + _FLAVORS + b"run_id: not-hex\n",
        "5 V401 warning",
    ),
    Inline(
        "valid/non_ascii_utf8",
        lambda: _FLAVORS + "metadata:\n  author: Renée Ødegård\n".encode(),
    ),
    Inline(
        "valid/size_at_limit",
        lambda: _FLAVORS,
        limits=Limits(max_bytes=len(_FLAVORS)),
    ),
    Inline("valid/nel_line_breaks", lambda: (_FLAVORS + _RUN_ID).replace(b"\n", "\x85".encode())),
    Inline(
        "valid/crlf_inline",
        lambda: (_FLAVORS + b"run_id: x\n").replace(b"\n", b"\r\n"),
        "5 V401 warning",
    ),
    Inline("invalid/nul_byte", lambda: _FLAVORS + b"metadata:\n  note: a\x00b\n", "6 V105 error"),
    Inline(
        "invalid/nul_byte_cr_line_endings",
        lambda: (_FLAVORS + b"metadata:\n  note: a\x00b\n").replace(b"\n", b"\r"),
        "6 V105 error",
    ),
    Inline(
        "invalid/not_utf8_latin1",
        lambda: _FLAVORS + "metadata:\n  author: Renée\n".encode("latin-1"),
        "6 V104 error",
    ),
    Inline("invalid/utf16_bom", lambda: _FLAVORS.decode().encode("utf-16"), "1 V104 error"),
    Inline("invalid/utf32_bom", lambda: _FLAVORS.decode().encode("utf-32"), "1 V104 error"),
    Inline(
        "invalid/file_too_large",
        lambda: _FLAVORS + _RUN_ID,
        "- V112 error",
        limits=Limits(max_bytes=64),
    ),
    Inline("invalid/file_too_large_default_limit", _too_large_default, "- V112 error"),
    Inline(
        "invalid/alias_bomb",
        lambda: _FLAVORS + b"metadata:\n" + b"\n".join(_bomb_lines()) + b"\n",
        "10 V110 error",
    ),
    Inline("invalid/alias_bomb_one_line", lambda: _FLAVORS + _bomb_one_line(), "5 V110 error"),
    Inline(
        "invalid/alias_bomb_before_flavors",
        lambda: _bomb_one_line() + _FLAVORS,
        "1 V110 error",
    ),
]


def _inline_params(kind: str) -> list[object]:
    params: list[object] = []
    for case in INLINE:
        key = f"inline/{case.id}"
        marks = []
        if key in XFAIL and kind in XFAIL[key][1]:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[key][0]))
        params.append(pytest.param(case, id=key, marks=marks))
    return params


def _write_inline(case: Inline, tmp_path: Path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    for name in case.files:  # a model file holds a (harmless) pickle: 0 bytes is V505
        (model / name).write_bytes(b"\x80\x04N." if name.endswith(".pkl") else b"")
    (model / "MLmodel").write_bytes(case.make())
    return model


@pytest.mark.parametrize("case", _inline_params(FILE))
def test_inline_file(case: Inline, tmp_path: Path) -> None:
    report = validate_file(_write_inline(case, tmp_path), limits=case.limits)
    assert actual(report.diagnostics) == parse_expected(case.expected), "\n".join(
        f"{d.location()} {d.code} {d.severity.value}: {d.message}" for d in report.diagnostics
    )
    if case.valid:
        assert report.errors == 0


@pytest.mark.parametrize("case", _inline_params(PARSERS))
def test_inline_parsers_agree(case: Inline, tmp_path: Path) -> None:
    model = _write_inline(case, tmp_path)
    data = (model / "MLmodel").read_bytes()
    fast = validate_bytes(data, model_dir=model, limits=case.limits, roundtrip=False)
    roundtrip = validate_bytes(data, model_dir=model, limits=case.limits, roundtrip=True)
    assert positions(fast) == positions(roundtrip)


def test_inline_expectations_are_well_formed() -> None:
    ids = [c.id for c in INLINE]
    assert len(ids) == len(set(ids))
    for case in INLINE:
        expected = parse_expected(case.expected)
        if case.valid:
            assert all(s != "error" for _, _, s in expected), case.id
        else:
            assert expected, case.id


# -- the CLI ---------------------------------------------------------------------------------


def _check_cli(
    model: Path,
    expected: list[Finding],
    capsys: pytest.CaptureFixture[str],
    limits: Limits | None = None,
) -> None:
    """Text output: the exit code and every expected code; JSON output: the exact findings."""
    options = [] if limits is None else ["--max-bytes", str(limits.max_bytes)]
    capsys.readouterr()
    code = run(["validate", *options, str(model)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == (1 if any(s == "error" for _, _, s in expected) else 0), text
    for _, expected_code, _ in expected:
        assert expected_code in text, text
    code = run(["validate", "--format", "json", *options, str(model)])
    out = capsys.readouterr()
    found = json.loads(out.out)
    got = sorted(((d["line"], d["code"], d["severity"]) for d in found), key=_order)
    assert got == expected, out.out


@pytest.mark.parametrize("case", _params(DISCOVERED, FILE))
def test_golden_cli(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check_cli(materialize(case, tmp_path), case.expected(), capsys)


@pytest.mark.parametrize("case", _inline_params(FILE))
def test_inline_cli(case: Inline, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _write_inline(case, tmp_path)
    _check_cli(model, parse_expected(case.expected), capsys, case.limits)
