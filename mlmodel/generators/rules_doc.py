"""Generate the code reference (``docs/rules.md``) from the catalogue (:mod:`mlmodel.core.codes`)
and the rule and fixer modules' docstrings, and the documentation site's page per code
(:func:`rule_page`, :func:`rule_index`; written by the site's build hook, never committed).

    python -m mlmodel.generators.rules_doc --write
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from mlmodel.checking.lint.docs import EXAMPLE_HEADING, details
from mlmodel.core.codes import CODES, FAMILIES, Code

TARGET = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
REGENERATE = "python -m mlmodel.generators.rules_doc --write"


def _row(entry: Code) -> str:
    summary = entry.summary.replace("|", "\\|")
    if entry.replaced_by:
        summary = f"retired: reported as {entry.replaced_by}"
    return (
        f"| [{entry.code}](#{entry.code.lower()}-{entry.name}) | {entry.name} | {entry.family} | "
        f"{entry.severity.value} | {entry.fix or ''} | {summary} |"
    )


def render() -> str:
    split = "\n".join(f"* **{family}**: {text}." for family, text in FAMILIES.items())
    parts = [
        "# mlmodel codes\n",
        f"Generated from the catalogue (`mlmodel/core/codes.py`) by `{REGENERATE}`; do not edit.\n",
        "Every finding of every command has one code. The two families split one question each:\n",
        f"{split}\n",
        (
            "`mlmodel lint` reports both families, so one problem never has two codes. "
            "Select or ignore codes by code or prefix (`--select MLM1`, `--select ALL`, "
            '`ignore = ["MLM301"]` in `[tool.mlmodel]`); silence one with '
            "`# mlmodel: disable=CODE` at the end of a line or on the line before an entry "
            "(its whole block), in `validate` and `lint` alike. Security findings (MLM5xx) "
            "are never silenced by a comment inside the model; `--isolated` ignores every "
            "inline suppression. Fixes marked *safe* run with `lint --fix`, *unsafe* ones "
            "need `--unsafe-fixes` too. `mlmodel rule CODE` prints a code's entry.\n"
        ),
        "| code | name | family | severity | fix | summary |",
        "|---|---|---|---|---|---|",
    ]
    parts.extend(_row(entry) for entry in CODES.values())
    for entry in CODES.values():
        parts.append(f"\n## {entry.code} {entry.name}\n")
        parts.append(_markdown(details(entry.code)))
    return "\n".join(parts) + "\n"


#: where the site's page of a code lives, relative to the docs folder
def rule_page_path(code: str) -> str:
    """``rules/V201.md``: the site's page of ``code``."""
    return f"rules/{code}.md"


def rule_page(code: str) -> str:
    """One code's page for the documentation site: ``mlmodel rule CODE --format markdown``
    (:func:`mlmodel.checking.lint.rule_doc.rule_markdown`: its catalogue facts, its rule's or
    fixer's description and the examples in it) and a link to the index."""
    from mlmodel.checking.lint.rule_doc import rule_markdown

    footer = (
        f"`mlmodel rule {code}` prints this page in a terminal; "
        "[every code](index.md) is listed in the index."
    )
    return rule_markdown(code) + "\n" + footer + "\n"


def rule_index() -> str:
    """The site's index of codes: one row per code, linking to its page."""
    rows = [
        "# Rules",
        "",
        (
            "One page per code, generated from the catalogue (`mlmodel/core/codes.py`) when "
            "the site is built. The two families split one question each:"
        ),
        "",
        *(f"* **{family}**: {text}." for family, text in FAMILIES.items()),
        "",
        "| code | name | family | severity | fix | summary |",
        "|---|---|---|---|---|---|",
    ]
    for entry in CODES.values():
        summary = entry.summary.replace("|", "\\|")
        if entry.replaced_by:
            summary = f"retired: reported as {entry.replaced_by}"
        rows.append(
            f"| [{entry.code}]({entry.code}.md) | {entry.name} | {entry.family} | "
            f"{entry.severity.value} | {entry.fix or ''} | {summary} |"
        )
    return "\n".join(rows) + "\n"


def _markdown(doc: str) -> str:
    """reST literal blocks (``Fails::`` + indented lines) as fenced YAML blocks."""
    out: list[str] = []
    lines = doc.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.endswith("::"):
            out.append(line)
            continue
        heading = EXAMPLE_HEADING.match(line.strip())
        name = heading.group(2) if heading is not None else None
        language = "yaml" if name is None or name.endswith((".yaml", ".yml")) else "text"
        out.extend([line[:-1], "", f"```{language}"])
        block: list[str] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
            block.append(lines[index])
            index += 1
        out.extend(textwrap.dedent("\n".join(block)).strip("\n").splitlines())
        out.extend(["```", ""])
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--write" in argv:
        TARGET.parent.mkdir(exist_ok=True)
        from mlmodel.core.fsio import write_file

        write_file(TARGET, text.encode("utf-8"))
        print(f"wrote {TARGET}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
