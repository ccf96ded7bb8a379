"""The README is a landing page: short, and its quick start is the one the docs show and CI runs."""

from __future__ import annotations

import re

from tests.docs.blocks import DOCS, ROOT, blocks

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
MAX_CHARS = 8000


def quick_start(text: str, page: str) -> list[str]:
    """The install commands (```sh blocks) of a page's "Quick start" section."""
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.code.strip() for block in blocks(page, section) if block.tag == "sh"]


def test_the_readme_is_a_landing_page() -> None:
    assert len(README) <= MAX_CHARS, len(README)


def test_the_quick_start_is_the_docs_and_the_original() -> None:
    commands = quick_start(README, "README.md")
    assert commands == [
        "pip install . && mlmodel validate examples/sklearn-3x",
        'pip install -e ".[dev]" && pytest',
    ]
    assert quick_start((DOCS / "index.md").read_text(encoding="utf-8"), "index.md") == commands


def test_ci_runs_the_quick_start() -> None:
    main_job, dev = quick_start(README, "README.md")
    install, job = (part.strip() for part in main_job.split("&&"))
    assert install == "pip install ."
    # CI installs the wheel built from `.` in a fresh venv, then runs the job verbatim
    assert re.search(r"^.*pip install dist/\*\.whl$", CI, flags=re.MULTILINE)
    assert re.search(rf"^PATH=\S+ {re.escape(job)}$", CI, flags=re.MULTILINE)
    for part in (part.strip() for part in dev.split("&&")):
        assert re.search(rf"^{re.escape(part)}(\s+#.*)?$", CI, flags=re.MULTILINE), part


def test_the_readme_links_to_pages_that_exist() -> None:
    links = re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", README)
    assert {"docs/check.md", "docs/ci.md", "docs/architecture.md"} <= set(links)
    for link in links:
        assert (ROOT / link).is_file(), link
