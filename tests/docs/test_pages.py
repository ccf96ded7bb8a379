"""What the documentation pages promise about the command line matches the code."""

from __future__ import annotations

import re

import pytest
import yaml

from mlmodel.cli.app import COMMAND_MODULES, run
from mlmodel.flavors.builtin import BUILTIN_FLAVORS
from mlmodel.report import FORMATTERS, INSPECT_FORMATTERS
from tests.conftest import ROOT

CHECK = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
CI = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _usage(command: str) -> str:
    """The page's usage block of ``mlmodel COMMAND`` (up to the closing fence)."""
    start = CHECK.index(f"mlmodel {command} PATH...")
    return CHECK[start : CHECK.index("```", start)]


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_usage_lines_list_every_output_format(command: str) -> None:
    formats = re.search(r"--format ([a-z|]+)", _usage(command))
    assert formats is not None
    assert formats.group(1).split("|") == list(FORMATTERS)


def test_inspect_formats() -> None:
    formats = re.search(r"mlmodel inspect PATH\.\.\. \[--format ([a-z|]+)\]", CHECK)
    assert formats is not None
    assert formats.group(1).split("|") == list(INSPECT_FORMATTERS)


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_every_option_in_a_usage_line_exists(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([command, "--help"]) == 0
    help_text = capsys.readouterr().out
    for option in set(re.findall(r"--[a-z-]+", _usage(command))):
        assert option in help_text, option


def test_flavor_count() -> None:
    counts = re.findall(r"\((\d+) built-ins\)", CHECK)
    assert counts == [str(len(BUILTIN_FLAVORS))]


def test_pre_commit_snippets_are_valid_hook_configs() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", CI, flags=re.DOTALL)
    snippets = [b for b in blocks if "mlmodel-validate" in b]
    assert len(snippets) == 2
    repo = yaml.safe_load(snippets[0])[0]
    assert "commit" in repo["rev"]  # no release is tagged yet: pin a commit
    assert [h["id"] for h in repo["hooks"]] == ["mlmodel-validate", "mlmodel-lint"]
    hook = yaml.safe_load(snippets[1])[0]
    assert hook["args"] == ["--no-check-files"]


def test_h_is_documented_and_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert "`-h` is `--help`" in CHECK
    for command in COMMAND_MODULES:
        assert run([command, "-h"]) == 0
    capsys.readouterr()


def test_a_saved_predict_fn_has_the_signature_of_its_output() -> None:
    """Every ``save_model`` example that picks ``pyfunc_predict_fn`` infers its signature
    from that method's output: a signature of ``predict``'s labels on a ``predict_proba``
    model makes ``spark_udf`` (and schema enforcement of outputs) fail on the result type.
    The README and every page under docs/ are read (examples may move between them)."""
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    pages = [path.read_text(encoding="utf-8") for path in files]
    calls = [c for page in pages for c in re.findall(r"save_model\((.*?)\n\)", page, re.DOTALL)]
    checked = 0
    for call in calls:
        method = re.search(r'pyfunc_predict_fn="(\w+)"', call)
        inferred = re.search(r"infer_signature\([^,]+,\s*\w+\.(\w+)\(", call)
        if method is not None and inferred is not None:
            assert inferred.group(1) == method.group(1), call
            checked += 1
    assert checked
