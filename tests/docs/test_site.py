"""The documentation site builds with ``mkdocs build --strict`` and holds every CLI command and
option, every code and every public name of the public modules (built once per session)."""

from __future__ import annotations

import html
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlmodel.cli.reference import commands
from mlmodel.core.codes import CODES
from tests.docs.blocks import ROOT

PUBLIC_MODULES = ("mlmodel", "mlmodel.pyfunc", "mlmodel.sklearn", "mlmodel.models", "mlmodel.spark")


#: a site CI has just built from this tree with --strict (.ci/run), to test without building twice
BUILT_SITE = "MLMODEL_DOCS_SITE"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as CI builds it (strict: any warning fails), or the one CI built."""
    if os.environ.get(BUILT_SITE):
        return Path(os.environ[BUILT_SITE])
    target = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def _text(page: Path) -> str:
    """A built page's text: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_every_command_and_option_is_in_the_cli_reference(site: Path) -> None:
    text = _text(site / "reference" / "cli" / "index.html")
    for command in commands():
        title = "mlmodel" if command.name == "mlmodel" else f"mlmodel {command.name}"
        assert title in text, title
        for param in command.params:
            assert param.names in text, (command.name, param.names)
            if param.help:
                assert " ".join(param.help.split()) in text, (command.name, param.names)


def test_every_code_has_its_page(site: Path) -> None:
    index = _text(site / "rules" / "index.html")
    for code, entry in CODES.items():
        page = site / "rules" / code / "index.html"
        assert page.is_file(), code
        assert f"{code} {entry.name}" in _text(page), code
        assert code in index, code


def test_every_public_name_is_in_the_api_reference(site: Path) -> None:
    anchors = set(
        re.findall(r'id="([\w.]+)"', (site / "reference" / "api" / "index.html").read_text())
    )
    missing = [
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in importlib.import_module(module).__all__
        if f"{module}.{name}" not in anchors
    ]
    assert not missing, missing


def test_every_page_of_the_nav_is_built(site: Path) -> None:
    for page in (ROOT / "docs").glob("*.md"):
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.is_file(), page.name
