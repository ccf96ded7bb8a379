"""One finding pipeline: the catalogue, validate + lint as one stream, suppressions,
selectors, the typed fix contract, the rule docstrings' examples, ``mlmodel rule``."""

from __future__ import annotations

import importlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlmodel.checking.lint import engine
from mlmodel.checking.lint.docs import examples
from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.checking.lint.model import Finding, Fix, FixNotApplicable, LintContext, Rule
from mlmodel.checking.lint.rules import FIXER_MODULES, RULE_MODULES
from mlmodel.checking.validate import validate_bytes, validate_file
from mlmodel.cli.app import run
from mlmodel.core.codes import CODES, FAMILIES, resolve_selectors
from mlmodel.core.errors import EditError, UsageError
from mlmodel.generators.rules_doc import TARGET
from mlmodel.yamlio.document import MLmodelDocument
from tests.conftest import EXAMPLES, corpus_files

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "cases").glob("*/*/MLmodel"))

PYFUNC = "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: m.pkl\n"

#: one file holding the three problems validate and lint used to report under two codes each
ONCE_DUPLICATED = (
    "flavors:\n"
    "  python_function:\n"
    "    loader_module: mlflow.pyfunc.model\n"
    "    python_model: m.pkl\n"
    "    python_version: 3.10\n"
    "  mleap:\n"
    "    model_data: mleap/model\n"
    "utc_time_created: 2024-01-31 12:00:00\n"
)


def _model(folder: Path, text: str, files: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_text(text)
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return folder


def _pairs(path: Path) -> tuple[set[tuple[int | None, str, str]], set[tuple[int | None, str, str]]]:
    validated = {
        (d.line, d.key, d.code) for d in validate_file(path, check_files=False).diagnostics
    }
    linted = lint_paths([path], LintOptions(select=(), check_files=False)).result.diagnostics
    return validated, {(d.line, d.key, d.code) for d in linted}


def _one_code_per_problem(path: Path) -> None:
    validated, linted = _pairs(path)
    # lint is one stream: every validate finding, under the same code
    assert validated <= linted, path
    by_place: dict[tuple[int | None, str], set[str]] = {}
    for line, key, code in validated | linted:
        by_place.setdefault((line, key), set()).add(code)
    for place, codes in by_place.items():
        families = {CODES[c].family for c in codes}
        assert families != set(FAMILIES), f"{path}: {place} reported as {sorted(codes)}"


# -- one code per problem -----------------------------------------------------------------


def test_the_once_duplicated_problems_have_one_code_each(tmp_path: Path) -> None:
    model = _model(tmp_path / "m", ONCE_DUPLICATED)
    validated, linted = _pairs(model / "MLmodel")
    assert {(line, code) for line, _, code in validated} >= {(5, "V402"), (6, "V209"), (8, "V400")}
    assert not {c for _, _, c in linted} & {"MLM101", "MLM103", "MLM202"}
    _one_code_per_problem(model / "MLmodel")


@pytest.mark.parametrize("path", GOLDEN, ids=[p.parent.name for p in GOLDEN])
def test_golden_cases_one_code_per_problem(path: Path) -> None:
    _one_code_per_problem(path)


def test_corpus_one_code_per_problem() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("../shared/corpus not present")
    for path in files:
        _one_code_per_problem(path)


# -- the catalogue ------------------------------------------------------------------------


def _code_literals() -> set[str]:
    found: set[str] = set()
    for source in (ROOT / "mlmodel").rglob("*.py"):
        found.update(re.findall(r"[\"'](V\d{3}|MLM\d{3})[\"']", source.read_text()))
    return found


def test_every_code_in_the_source_is_in_the_catalogue_and_the_docs() -> None:
    literals = _code_literals()
    assert {"V108", "V402", "MLM001", "MLM501"} <= literals
    assert literals <= set(CODES), sorted(literals - set(CODES))
    docs = TARGET.read_text(encoding="utf-8")
    for code, entry in CODES.items():
        assert f"\n## {code} {entry.name}\n" in docs, code
    for family in FAMILIES:
        assert family in docs


def test_every_code_reported_on_the_corpus_and_goldens_is_catalogued() -> None:
    reported: set[str] = set()
    for path in [*corpus_files(), *GOLDEN]:
        validated, linted = _pairs(path)
        reported.update(code for _, _, code in validated | linted)
    assert reported <= set(CODES), sorted(reported - set(CODES))


def test_rules_and_fixers_match_the_catalogue() -> None:
    for code in RULE_MODULES:
        assert CODES[code].family == "lint" and not CODES[code].retired
    for code in FIXER_MODULES:
        assert CODES[code].fix is not None
    for entry in CODES.values():
        if entry.replaced_by:
            assert entry.code not in RULE_MODULES and not CODES[entry.replaced_by].retired
        elif entry.family == "lint" and entry.code != "MLM001":
            assert entry.code in RULE_MODULES, entry.code
        if entry.fix is not None:
            assert entry.code in RULE_MODULES or entry.code in FIXER_MODULES, entry.code


# -- docstring examples -------------------------------------------------------------------


def _documented() -> Iterator[tuple[str, str, dict[str, str]]]:
    modules = {
        **{c: f"mlmodel.checking.lint.rules.{m}" for c, m in RULE_MODULES.items()},
        **{c: f"mlmodel.checking.lint.fixers.{m}" for c, m in FIXER_MODULES.items()},
    }
    for code, name in modules.items():
        found = examples(importlib.import_module(name).__doc__ or "")
        for kind, sets in found.items():
            for files in sets:
                yield code, kind, files


DOCUMENTED = list(_documented())
#: rules whose examples need binary files (a 5 MB model, a pickle, a skops zip): their
#: golden cases in test_lint_rules build those
PROSE_EXAMPLES = {"MLM405", "MLM501", "MLM502", "MLM503", "MLM506"}


@pytest.mark.parametrize(
    ("code", "kind", "files"), DOCUMENTED, ids=[f"{c}-{k}" for c, k, _ in DOCUMENTED]
)
def test_docstring_examples(tmp_path: Path, code: str, kind: str, files: dict[str, str]) -> None:
    model = tmp_path / "m"
    model.mkdir()
    for name, text in files.items():
        (model / name).write_text(text)
    found = lint_paths([model], LintOptions(select=(code,))).result
    codes = [d.code for d in found.diagnostics]
    assert codes == ([code] if kind == "Fails" else []), files


def test_every_rule_and_fixer_has_running_examples() -> None:
    documented = {(code, kind) for code, kind, _ in DOCUMENTED}
    for code in [*RULE_MODULES, *FIXER_MODULES]:
        if code in PROSE_EXAMPLES:
            assert (code, "Fails") not in documented, f"{code}: drop it from PROSE_EXAMPLES"
            continue
        assert (code, "Fails") in documented and (code, "Passes") in documented, code


def test_fixer_examples_fix_into_their_passes(tmp_path: Path) -> None:
    for code in FIXER_MODULES:
        blocks = {k: files["MLmodel"] for c, k, files in DOCUMENTED if c == code}
        model = _model(tmp_path / code, blocks["Fails"])
        lint_paths([model], LintOptions(select=(code,), fix=True, check_files=False))
        assert (model / "MLmodel").read_text() == blocks["Passes"], code


# -- suppressions -------------------------------------------------------------------------


def test_validate_honours_suppressions_unless_isolated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PYFUNC + "    python_version: 3.10  # mlmodel: disable=V402\n"
    model = _model(tmp_path / "m", text)
    assert validate_bytes(text.encode(), check_files=False) == []
    assert [d.code for d in validate_bytes(text.encode(), isolated=True)] == ["V402"]
    assert run(["validate", "--strict", "--no-check-files", str(model)]) == 0
    assert run(["validate", "--strict", "--no-check-files", "--isolated", str(model)]) == 1
    assert "V402" in capsys.readouterr().out


def test_a_suppression_validate_honours_is_not_unused_in_lint(tmp_path: Path) -> None:
    model = _model(tmp_path / "m", PYFUNC + "    python_version: 3.10  # mlmodel: disable=V402\n")
    found = lint_paths([model], LintOptions(select=("V4", "MLM0"), check_files=False))
    assert found.result.diagnostics == []


def test_a_retired_code_suppresses_its_replacement(tmp_path: Path) -> None:
    text = PYFUNC + "    python_version: 3.10  # mlmodel: disable=MLM101\n"
    model = _model(tmp_path / "m", text)
    assert validate_bytes(text.encode(), check_files=False) == []
    assert (
        lint_paths([model], LintOptions(check_files=False, select=("V", "MLM0"))).result.diagnostics
        == []
    )


def test_no_unused_suppression_for_codes_not_selected(tmp_path: Path) -> None:
    model = _model(
        tmp_path / "m", PYFUNC + "    conda_env: c.yaml  # mlmodel: disable=MLM104,V402\n"
    )
    only = LintOptions(select=("MLM0", "MLM104"), check_files=False)
    assert lint_paths([model], only).result.diagnostics == []
    both = LintOptions(select=("MLM0", "MLM104", "V402"), check_files=False)
    (unused,) = lint_paths([model], both).result.diagnostics
    assert unused.code == "MLM001" and "V402" in unused.message and "MLM104" not in unused.message


def test_security_findings_are_never_silenced_inside_the_model(tmp_path: Path) -> None:
    import os
    import pickle

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo pwned",))

    text = (
        "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n"
        "    python_model: m.pkl  # mlmodel: disable=MLM501,MLM5\n"
    )
    model = _model(tmp_path / "m", text, {"m.pkl": pickle.dumps(Evil())})
    found = lint_paths([model], LintOptions(select=("MLM5", "MLM0"))).result.diagnostics
    assert sorted(d.code for d in found) == ["MLM001", "MLM501"]
    assert "security" in next(d for d in found if d.code == "MLM001").message


def test_isolated_lint_ignores_inline_suppressions(tmp_path: Path) -> None:
    model = _model(tmp_path / "m", PYFUNC + "    python_version: 3.10  # mlmodel: disable=V402\n")
    options = LintOptions(select=("V402", "MLM0"), check_files=False, isolated=True)
    assert [d.code for d in lint_paths([model], options).result.diagnostics] == ["V402"]


# -- selectors ----------------------------------------------------------------------------


def test_selectors() -> None:
    assert resolve_selectors(("ALL",)) == {c for c, e in CODES.items() if not e.retired}
    assert resolve_selectors(("MLM101",)) == {"V402"}
    assert "MLM104" in resolve_selectors(("MLM1",)) and "V402" not in resolve_selectors(("MLM1",))
    with pytest.raises(UsageError, match=r"XYZ.*known: ALL"):
        resolve_selectors(("XYZ",))


def test_unknown_selectors_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(tmp_path / "p" / "m", PYFUNC)
    assert run(["lint", "--select", "XYZ", str(model)]) == 2
    err = capsys.readouterr().err
    assert "XYZ" in err and "MLM104" in err and "Traceback" not in err
    assert run(["lint", "--ignore", "NOPE", str(model)]) == 2
    assert run(["lint", "--select", "ALL", "--no-check-files", str(model)]) == 0
    (tmp_path / "p" / ".mlmodel.toml").write_text('select = ["NOPE"]\n')
    capsys.readouterr()
    assert run(["lint", str(model)]) == 2
    assert ".mlmodel.toml" in capsys.readouterr().err
    with pytest.raises(UsageError):
        lint_paths([model], LintOptions(select=("MLM999",)))


def test_unsafe_fixes_without_fix_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(tmp_path / "m", PYFUNC)
    assert run(["lint", "--unsafe-fixes", str(model)]) == 2
    assert "--unsafe-fixes only applies with --fix" in capsys.readouterr().err


# -- the fix contract ---------------------------------------------------------------------


def _rule_with_fix(apply_error: BaseException) -> Rule:
    def apply(document: MLmodelDocument) -> None:
        raise apply_error

    def check(ctx: LintContext) -> Iterator[Finding]:
        fix = Fix("run_id", "set", None, "x", apply)
        yield Finding(("run_id",), "a finding with a fix", fix=fix)

    return Rule("MLM104", "unknown-key", CODES["MLM104"].severity, "safe", "", "", check)


@pytest.mark.parametrize("error", [KeyError("k"), IndexError("i"), TypeError("t")])
def test_a_broken_fix_is_an_internal_error_naming_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setattr(engine, "all_rules", lambda: (_rule_with_fix(error),))
    model = _model(tmp_path / "m", PYFUNC + "run_id: abc\n")
    before = (model / "MLmodel").read_text()
    found = lint_paths([model], LintOptions(select=("MLM104",), fix=True)).result.diagnostics
    assert (model / "MLmodel").read_text() == before
    internal = [d for d in found if d.code == "V199"]
    assert len(internal) == 1 and "MLM104" in internal[0].message
    assert type(error).__name__ in internal[0].message
    assert "MLM104" in [d.code for d in found]


def test_a_fix_that_does_not_apply_is_skipped_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = _rule_with_fix(FixNotApplicable("changed"))
    monkeypatch.setattr(engine, "all_rules", lambda: (rule,))
    model = _model(tmp_path / "m", PYFUNC + "run_id: abc\n")
    found = lint_paths([model], LintOptions(select=("MLM104",), fix=True)).result.diagnostics
    assert [(d.code, d.fix) for d in found] == [("MLM104", "safe")]


def test_a_broken_rule_is_an_internal_error_naming_the_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(ctx: LintContext) -> Iterator[Finding]:
        raise KeyError("oops")

    broken = Rule("MLM104", "unknown-key", CODES["MLM104"].severity, None, "", "", check)
    monkeypatch.setattr(engine, "all_rules", lambda: (broken,))
    model = _model(tmp_path / "m", PYFUNC)
    (found,) = lint_paths([model], LintOptions(select=("MLM104",))).result.diagnostics
    assert found.code == "V199" and "MLM104" in found.message and "KeyError" in found.message


# -- rename keeps place and comment -------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "path", "new", "value", "after"),
    [
        (
            "a: 1\nflavors:\n  python_function:  # c\n    conda_env: conda.yaml  # note\n    x: 1\n",
            ("flavors", "python_function", "conda_env"),
            "env",
            None,
            "a: 1\nflavors:\n  python_function:  # c\n    env: conda.yaml  # note\n    x: 1\n",
        ),
        (
            "time_created: 2018-05-25T17:28:53.35  # legacy\nflavors: {}\n",
            ("time_created",),
            "utc_time_created",
            "2018-05-25 17:28:53.350000",
            "utc_time_created: '2018-05-25 17:28:53.350000'  # legacy\nflavors: {}\n",
        ),
        ('{"old": 1, "b": 2}\n', ("old",), "new", None, '{"new": 1, "b": 2}\n'),
        ("'old': 1\nb: 2\n", ("old",), "new", None, "'new': 1\nb: 2\n"),
        ("old:\n  - 1\n  - 2\nb: 2\n", ("old",), "new", None, "new:\n  - 1\n  - 2\nb: 2\n"),
    ],
    ids=["comment", "with-value", "flow", "quoted", "block"],
)
def test_rename_keeps_place_and_comment(
    before: str, path: tuple[str, ...], new: str, value: str | None, after: str
) -> None:
    document = MLmodelDocument.from_text(before)
    if value is None:
        document.rename(path, new)
    else:
        document.rename(path, new, value)
    assert document.text == after


def test_rename_refusals_leave_the_document_unchanged() -> None:
    document = MLmodelDocument.from_text("a: 1\nb: 2\n")
    for path, new in ((("a",), "b"), (("zz",), "c"), ((), "c")):
        with pytest.raises(EditError):
            document.rename(path, new)
    assert document.text == "a: 1\nb: 2\n"


def test_lint_fix_keeps_the_comment_of_a_renamed_key(tmp_path: Path) -> None:
    model = _model(tmp_path / "m", PYFUNC + "    conda_env: conda.yaml  # note\n    x: 1\n")
    options = LintOptions(select=("MLM104",), fix=True, unsafe_fixes=True, check_files=False)
    lint_paths([model], options)
    assert (model / "MLmodel").read_text() == PYFUNC + "    env: conda.yaml  # note\n    x: 1\n"


# -- tags -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "flavors: !!python/object:os.system {}\n",
        "flavors:\n  python_function: !!python/object/apply:os.system ['ls']\n",
        "flavors:\n  python_function:\n    loader_module: !!python/name:os.system\n",
    ],
)
@pytest.mark.parametrize("roundtrip", [False, True])
def test_a_python_tag_yields_only_v108(text: str, roundtrip: bool) -> None:
    found = validate_bytes(text.encode(), check_files=False, roundtrip=roundtrip)
    assert [d.code for d in found] == ["V108"]


# -- fixable marker, mlmodel rule, convert through the engine -------------------------------


def test_fixable_marker_in_json_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(tmp_path / "m", PYFUNC + "    python_version: 3.10\n    conda_env: c.yaml\n")
    run(["lint", "--no-check-files", "--select", "V402,MLM104", "-f", "json", str(model)])
    found = {d["code"]: d["fix"] for d in json.loads(capsys.readouterr().out)}
    assert found == {"V402": "safe", "MLM104": "unsafe"}
    run(["lint", "--no-check-files", "--select", "V402,MLM104", str(model)])
    out = capsys.readouterr().out
    assert "V402 [*]" in out and "MLM104 [*]" not in out
    assert "[*] 1 fixable with --fix (1 more with --fix --unsafe-fixes)" in out
    run(["validate", "--no-check-files", "-f", "json", str(model)])
    assert {d["fix"] for d in json.loads(capsys.readouterr().out)} == {None}


def test_rule_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rule", "V402"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("V402 version-format\nfamily:   validate") and "Fails:" in out
    assert run(["rule", "mlm101"]) == 0
    assert "reported as V402" in capsys.readouterr().out
    assert run(["rule", "MLM501"]) == 0
    assert "never silenced" in capsys.readouterr().out
    assert run(["rule", "--all"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(CODES)
    assert run(["rule", "NOPE"]) == 2


#: reStructuredText markup no reader should see: inline literals, roles, ``::`` headings
RST_MARKUP = re.compile(r"``|:[a-z]+:`|::$", re.MULTILINE)


def test_rule_text_is_rendered_for_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    for code in CODES:
        assert run(["rule", code]) == 0
        out = capsys.readouterr().out
        assert not RST_MARKUP.search(out), (code, out)
        assert "\x1b[" not in out  # no colour when not a terminal
        assert not [line for line in out.splitlines() if line != line.rstrip()], code
    assert run(["rule", "V201"]) == 0
    out = capsys.readouterr().out
    assert "summary:  A required key is missing\n" in out
    assert "neither model_path nor data" in out
    assert "Fails:\n\n    flavors:\n      python_function:\n" in out
    assert run(["rule", "MLM102", "--color", "always"]) == 0
    styled = capsys.readouterr().out
    assert "\x1b[36mutc_time_created\x1b[0m" in styled  # an inline literal in code style
    assert "``" not in styled


def test_rule_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    from mlmodel.checking.lint.rule_doc import rule_markdown

    assert run(["rule", "v201", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {k: record[k] for k in ("code", "name", "severity", "fix", "title")} == {
        "code": "V201",
        "name": "missing-key",
        "severity": "error",
        "fix": "safe",
        "title": "A required key is missing",
    }
    assert "`model_path`" in record["description"] and "``" not in record["description"]
    assert [e["kind"] for e in record["examples"]] == ["fails", "passes"]
    assert record["examples"][0]["files"]["MLmodel"].startswith("flavors:\n  python_function:")
    assert run(["rule", "--all", "-f", "json"]) == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == list(CODES)

    page = rule_markdown("MLM402")
    assert page.startswith("# MLM402 unpinned-requirement\n\nA requirement not pinned")
    assert "**Fails, `requirements.txt`:**\n\n```text\nmlflow==3.18.0\nscikit-learn\n```" in page
    assert run(["rule", "MLM402", "-f", "markdown"]) == 0
    assert capsys.readouterr().out == page
    for code in CODES:
        prose = re.sub(r"```.*?```", "", rule_markdown(code), flags=re.DOTALL)
        assert not RST_MARKUP.search(prose), code
    with pytest.raises(UsageError, match="unknown code 'NOPE'"):
        rule_markdown("NOPE")


def test_convert_upgrade_is_lint_fix_of_the_upgrade_codes(tmp_path: Path) -> None:
    from mlmodel.checking.convert import UPGRADE_CODES, convert

    upgraded = convert(EXAMPLES / "mlflow-docs-2018", upgrade=True).output
    model = tmp_path / "m"
    shutil.copytree(EXAMPLES / "mlflow-docs-2018", model)
    options = LintOptions(select=UPGRADE_CODES, fix=True, unsafe_fixes=True)
    lint_paths([model], options)
    assert (model / "MLmodel").read_bytes() == upgraded
