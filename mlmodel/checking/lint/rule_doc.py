"""One code's documentation as data, and as Markdown for the documentation site.

A code's long text is its rule's or fixer's docstring (:func:`~mlmodel.checking.lint.docs.details`),
written in the small part of reStructuredText the docstrings use: paragraphs, inline
literals (````key````), emphasis (``*word*``), roles (``:mod:`name```) and literal blocks
introduced by a line ending in ``::`` (``Fails::``, ``Passes::``,
``Fails, ``requirements.txt``::``). :func:`blocks` parses it once; ``mlmodel rule`` renders
the blocks for a terminal (:mod:`mlmodel.report.rule_text`), :func:`rule_record` for JSON and
:func:`rule_markdown` as one Markdown page, so no reader ever sees reStructuredText.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, Literal

from mlmodel.checking.lint.docs import EXAMPLE_HEADING, details, examples
from mlmodel.core.codes import CODES, FAMILIES, Code
from mlmodel.core.errors import UsageError

__all__ = [
    "Block",
    "RuleDoc",
    "blocks",
    "inline_parts",
    "rule_doc",
    "rule_markdown",
    "rule_record",
]

#: how each ``fix`` value of the catalogue is applied
FIX_HOW: dict[str, str] = {
    "safe": "safe (lint --fix)",
    "unsafe": "unsafe (lint --fix --unsafe-fixes)",
}

#: inline markup: ``literal``, :role:`target`, *emphasis*
_INLINE = re.compile(r"``(.+?)``|:[a-z]+:`([^`]+)`|(?<![\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])")

Style = Literal["", "code", "emphasis"]


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (its text with inline markup, lines joined) or a literal block (its
    text dedented; ``language``: yaml, toml or text; ``example``: the block is a
    ``Fails``/``Passes`` example)."""

    kind: Literal["paragraph", "literal"]
    text: str
    language: str | None = None
    example: bool = False


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A code's catalogue entry and its parsed long text."""

    entry: Code
    title: str
    blocks: tuple[Block, ...]
    #: ``{"kind": "fails"|"passes", "files": {file name: text}}``, in the docstring's order
    examples: tuple[dict[str, Any], ...]

    @property
    def description(self) -> str:
        """The prose (every paragraph but the examples' headings) as Markdown."""
        prose = [b for b in _without_examples(self.blocks) if b.kind == "paragraph"]
        return "\n\n".join(inline_markdown(b.text) for b in prose)


def blocks(doc: str) -> list[Block]:
    """Paragraphs and literal blocks of a docstring, in order. A paragraph ending in ``::``
    keeps one colon (``Fails::`` -> ``Fails:``) and the indented lines after it form a
    literal block; a bare ``::`` paragraph introduces the block alone."""
    lines = doc.strip("\n").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        paragraph: list[str] = []
        while index < len(lines) and lines[index].strip():
            paragraph.append(lines[index].strip())
            index += 1
        text = " ".join(paragraph)
        if not text.endswith("::"):
            found.append(Block("paragraph", text))
            continue
        heading = EXAMPLE_HEADING.match(text)
        if text != "::":
            found.append(Block("paragraph", text[:-1], example=heading is not None))
        literal: list[str] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
            literal.append(lines[index])
            index += 1
        name = heading.group(2) if heading is not None else None
        found.append(
            Block(
                "literal",
                textwrap.dedent("\n".join(literal)).strip("\n"),
                _language(name, yaml=heading is not None),
                example=heading is not None,
            )
        )
    return found


def _language(name: str | None, *, yaml: bool) -> str:
    if name is None:
        return "yaml" if yaml else "text"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".toml"):
        return "toml"
    if name.endswith(".json"):
        return "json"
    return "text"


def _without_examples(found: tuple[Block, ...] | list[Block]) -> list[Block]:
    return [b for b in found if not b.example]


def inline_parts(text: str) -> list[tuple[Style, str]]:
    """A paragraph's text cut at its inline markup: ``("code", "model_path")`` for
    ````model_path```` and ``:mod:`mlmodel.pickle_scan```, ``("emphasis", ...)`` for
    ``*word*``, ``("", ...)`` between them."""
    parts: list[tuple[Style, str]] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            parts.append(("", text[position : match.start()]))
        literal, role, emphasis = match.groups()
        if emphasis is not None:
            parts.append(("emphasis", emphasis))
        else:
            parts.append(("code", literal if literal is not None else role))
        position = match.end()
    if position < len(text):
        parts.append(("", text[position:]))
    return parts


def inline_markdown(text: str) -> str:
    """A paragraph's inline markup as Markdown (```code```, ``*emphasis*``)."""
    out: list[str] = []
    for style, part in inline_parts(text):
        if style == "code":
            fence = "``" if "`" in part else "`"
            pad = " " if part.startswith("`") or part.endswith("`") else ""
            out.append(f"{fence}{pad}{part}{pad}{fence}")
        elif style == "emphasis":
            out.append(f"*{part}*")
        else:
            out.append(part)
    return "".join(out)


def inline_plain(text: str) -> str:
    """A paragraph's text without any markup."""
    return "".join(part for _, part in inline_parts(text))


def rule_doc(code: str) -> RuleDoc:
    """The documentation of ``code`` (any case: ``v201``). A code not in the catalogue is a
    :class:`~mlmodel.core.errors.UsageError`."""
    entry = CODES.get(code.strip().upper())
    if entry is None:
        raise UsageError(f"unknown code {code!r}; see mlmodel rule --all")
    doc = details(entry.code)
    title = (
        f"Retired: reported as {entry.replaced_by}"
        if entry.retired
        else entry.summary[:1].upper() + entry.summary[1:]
    )
    found = examples(doc)
    listed = tuple(
        {"kind": kind.lower(), "files": files}
        for kind in ("Fails", "Passes")
        for files in found[kind]
    )
    return RuleDoc(entry, title, tuple(blocks(doc)), listed)


def rule_record(code: str) -> dict[str, Any]:
    """``mlmodel rule CODE --format json``: code, name, family, severity, fix, security,
    replaced_by, title, description (Markdown) and examples (``kind``, ``files``)."""
    documented = rule_doc(code)
    entry = documented.entry
    return {
        "code": entry.code,
        "name": entry.name,
        "family": entry.family,
        "severity": entry.severity.value,
        "fix": entry.fix,
        "security": entry.security,
        "replaced_by": entry.replaced_by,
        "title": documented.title,
        "description": documented.description,
        "examples": [dict(example) for example in documented.examples],
    }


def rule_markdown(code: str) -> str:
    """One Markdown page for ``code`` (the documentation site's page per rule, and
    ``mlmodel rule CODE --format markdown``): a ``# CODE name`` heading, the title, a
    table of family, severity and fix, then the text with every example as a fenced block."""
    documented = rule_doc(code)
    entry = documented.entry
    fix = FIX_HOW[entry.fix] if entry.fix else "none"
    rows = [
        ("family", f"{entry.family}: {FAMILIES[entry.family]}"),
        ("severity", entry.severity.value),
        ("fix", fix),
    ]
    if entry.security:
        rows.append(("security", "never silenced by a suppression inside the model"))
    if entry.replaced_by:
        rows.append(("reported as", f"{entry.replaced_by} ({CODES[entry.replaced_by].name})"))
    parts = [
        f"# {entry.code} {entry.name}",
        f"{documented.title}.",
        "| | |\n|---|---|\n"
        + "\n".join(f"| {key} | {value.replace('|', chr(92) + '|')} |" for key, value in rows),
    ]
    for block in documented.blocks:
        if block.kind == "paragraph":
            text = inline_markdown(block.text)
            parts.append(f"**{text}**" if block.example else text)
        else:
            parts.append(f"```{block.language}\n{block.text}\n```")
    return "\n\n".join(parts) + "\n"
