"""Release hygiene: one version, a changelog, CI building and checking the release files."""

from __future__ import annotations

import re
import tomllib

import mlmodel
from tests.docs.blocks import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_version_has_one_home() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "mlmodel.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(\w+\d*)?", mlmodel.__version__)


def test_the_changelog_keeps_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in changelog
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.MULTILINE)
    assert sections and sections[0] == "Unreleased"
    unreleased = changelog.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    kinds = r"^### (Added|Changed|Fixed|Removed|Deprecated|Security)$"
    assert re.search(kinds, unreleased, flags=re.MULTILINE)


def test_the_docs_extra_is_in_dev() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"mkdocs", "mkdocs-material", "mkdocstrings[python]"} <= {
        re.split(r"[<>=]", spec)[0] for spec in extras["docs"]
    }
    assert "mlmodel[docs]" in extras["dev"]
    assert {"build", "twine"} <= {re.split(r"[<>=]", spec)[0] for spec in extras["dev"]}


def test_ci_builds_checks_and_runs_the_wheel() -> None:
    steps = [
        "mkdocs build --strict",
        "python -m build",
        "twine check --strict dist/*",
        'python3 -m venv "$wheel_env"',
        '"$wheel_env/bin/python" -m pip install dist/*.whl',
    ]
    positions = [CI.index(step) for step in steps]
    assert positions == sorted(positions)
