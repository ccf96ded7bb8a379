"""The site's pages as the build sees them: the committed ones and the generated ones."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.docs.blocks import DOCS, committed_pages


def hook_module() -> ModuleType:
    """The site's build hook (``docs/_hooks/generated_pages.py``), imported from its file."""
    path = DOCS / "_hooks" / "generated_pages.py"
    spec = importlib.util.spec_from_file_location("mlmodel_docs_generated_pages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated_pages() -> dict[str, str]:
    """Docs-relative path -> Markdown of every page the build generates."""
    pages: dict[str, str] = hook_module().generated_pages()
    return pages


def all_pages() -> dict[str, str]:
    """Every page of the site: committed, then generated."""
    return {**committed_pages(), **generated_pages()}
