"""What a code means at length: its rule's or fixer's docstring (``mlmodel rule CODE``,
``docs/rules.md``) and the runnable examples in it."""

from __future__ import annotations

import importlib
import re
import textwrap

from mlmodel.core.codes import CODES


def details(code: str) -> str:
    """The long text of a code: its rule's or fixer's docstring, or what replaced it."""
    from mlmodel.checking.lint.rules import FIXER_MODULES, RULE_MODULES

    entry = CODES[code]
    if entry.replaced_by is not None:
        return (
            f"Retired: this problem is reported as {entry.replaced_by} "
            f"({CODES[entry.replaced_by].name}). Selecting or suppressing {code} acts on "
            f"{entry.replaced_by}.\n"
        )
    if code in RULE_MODULES:
        module = importlib.import_module(f"mlmodel.checking.lint.rules.{RULE_MODULES[code]}")
    elif code in FIXER_MODULES:
        module = importlib.import_module(f"mlmodel.checking.lint.fixers.{FIXER_MODULES[code]}")
    else:
        return entry.summary[:1].upper() + entry.summary[1:] + ".\n"
    return (module.__doc__ or entry.summary).strip() + "\n"


EXAMPLE_HEADING = re.compile(r"^(Fails|Passes)(?:, ``([^`]+)``)?::$")


def examples(doc: str) -> dict[str, list[dict[str, str]]]:
    """The examples of a docstring, each a set of files: ``Fails::`` and ``Passes::`` blocks
    hold an MLmodel file, ``Fails, ``requirements.txt``::`` blocks another file of the same
    example (dedented)."""
    found: dict[str, list[dict[str, str]]] = {"Fails": [], "Passes": []}
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        match = EXAMPLE_HEADING.match(line.strip())
        if match is None:
            continue
        kind, name = match.group(1), match.group(2) or "MLmodel"
        block: list[str] = []
        for following in lines[index + 1 :]:
            if following.strip() and not following.startswith(" "):
                break
            block.append(following)
        text = textwrap.dedent("\n".join(block)).strip("\n") + "\n"
        if name == "MLmodel" or not found[kind]:
            found[kind].append({})
        found[kind][-1][name] = text
    return found
