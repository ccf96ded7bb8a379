"""The code blocks of the documentation pages, and the convention every block follows.

Each fenced block carries a tag saying what it is, and the tests treat it accordingly
(``tests/docs/test_code_blocks.py``; the convention is written down in
``docs/contributing.md``):

* ``python``: runs. The blocks of one page run in order, in one namespace, in a fresh
  folder holding ``my_model`` (a copy of ``examples/sklearn-3x``) and ``examples/``.
* ``bash``: runs with ``bash -euo pipefail`` in that same folder (``mlmodel`` on the PATH).
* ``yaml``, ``toml``, ``json``: data; each must parse.
* ``sh``: installs: every line starts with ``pip install`` (and may go on with ``&&`` to
  what the install is for); not run by the tests, which run in the installed project. CI
  (``.ci/run``) runs the quick start's two, the first against the built wheel.
* ``text``, ``console``: what a command prints or its synopsis; not run.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

RUN = frozenset({"python", "bash"})
DATA = frozenset({"yaml", "toml", "json"})
SHOWN = frozenset({"text", "console"})
INSTALL = frozenset({"sh"})
KNOWN = RUN | DATA | SHOWN | INSTALL

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced block: its tag (the first word of the info string), its text, its line."""

    page: str
    line: int
    tag: str
    code: str


def blocks(page: str, text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, dedented to their fence's indentation."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        indent, fence = opening.group("indent"), opening.group("fence")
        tag = opening.group("info").strip().split(" ")[0] if opening.group("info").strip() else ""
        start = index
        body: list[str] = []
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index])
            index += 1
        index += 1
        code = textwrap.dedent("\n".join(line.removeprefix(indent) for line in body))
        found.append(Block(page=page, line=start, tag=tag, code=code + "\n"))
    return found


def committed_pages() -> dict[str, str]:
    """Docs-relative path -> text of every Markdown page kept in ``docs/``."""
    return {
        str(path.relative_to(DOCS)): path.read_text(encoding="utf-8")
        for path in sorted(DOCS.rglob("*.md"))
        if "_hooks" not in path.parts
    }
