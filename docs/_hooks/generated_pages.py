"""MkDocs hook: the pages generated from the code when the site is built, never committed,
so they cannot drift: the CLI reference (from the typer application) and one page per code
(from the catalogue), with the codes' index.

Listed under ``hooks:`` in ``mkdocs.yml``; :func:`generated_pages` is what the tests read.
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files


def generated_pages() -> dict[str, str]:
    """Docs-relative path -> Markdown of every generated page."""
    from mlmodel.cli.reference import cli_reference
    from mlmodel.core.codes import CODES
    from mlmodel.generators.rules_doc import rule_index, rule_page, rule_page_path

    pages = {"reference/cli.md": cli_reference(), "rules/index.md": rule_index()}
    pages.update({rule_page_path(code): rule_page(code) for code in CODES})
    return pages


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site's files (a committed file of the same path would
    be a mistake: the generated one replaces it)."""
    for path, text in generated_pages().items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, path, content=text))
    return files
