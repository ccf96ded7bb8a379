"""Every code block on the site runs as a test or is marked as what it is (the convention in
``tests/docs/blocks.py`` and ``docs/contributing.md``)."""

from __future__ import annotations

import json
import linecache
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.docs.blocks import DATA, INSTALL, KNOWN, ROOT, RUN, Block, blocks, committed_pages
from tests.docs.site_pages import all_pages

#: the README follows the site's convention too (its examples run)
COMMITTED = {**committed_pages(), "README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
PAGES = {**all_pages(), **COMMITTED}
RUNNABLE = sorted(
    page for page, text in COMMITTED.items() if any(b.tag in RUN for b in blocks(page, text))
)


def test_every_block_has_a_known_tag() -> None:
    untagged = [
        f"{b.page}:{b.line} ```{b.tag}"
        for page, text in PAGES.items()
        for b in blocks(page, text)
        if b.tag not in KNOWN
    ]
    assert not untagged, f"tag each block with one of {sorted(KNOWN)}: {untagged}"


def test_the_pages_hold_blocks_that_run() -> None:
    assert {"save-load.md", "check.md", "fix.md"} <= set(RUNNABLE)


def _parse(block: Block) -> None:
    if block.tag == "yaml":
        list(yaml.safe_load_all(block.code))
    elif block.tag == "toml":
        tomllib.loads(block.code)
    else:
        json.loads(block.code)


def test_data_blocks_parse() -> None:
    for page, text in PAGES.items():
        for block in blocks(page, text):
            if block.tag in DATA:
                try:
                    _parse(block)
                except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as error:
                    pytest.fail(f"{page}:{block.line} ```{block.tag} does not parse: {error}")


def test_install_blocks_only_install() -> None:
    for page, text in PAGES.items():
        for block in blocks(page, text):
            if block.tag not in INSTALL:
                continue
            for line in filter(None, block.code.splitlines()):
                assert line.startswith("pip install "), (page, block.line, line)


def _workspace(folder: Path) -> None:
    examples = ROOT / "examples"
    shutil.copytree(examples / "sklearn-3x", folder / "my_model")
    for name in ("sklearn-3x", "mlflow-docs-2018"):
        shutil.copytree(examples / name, folder / "examples" / name)


@pytest.mark.parametrize("page", RUNNABLE)
def test_page_blocks_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks(page, COMMITTED[page]):
        where = f"{page}:{block.line}"
        if block.tag == "python":
            # the page's own lines in a failure's traceback
            linecache.cache[where] = (len(block.code), None, block.code.splitlines(True), where)
            exec(compile(block.code, where, "exec"), namespace)  # noqa: S102 (the page's example)
        elif block.tag == "bash":
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block.code],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, f"{where}:\n{block.code}\n{done.stdout}{done.stderr}"
