"""Generate the rule reference (``docs/rules.md``) from the rules' own docstrings.

    python -m mlmodel.lint.docs --write
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from mlmodel.lint.rules import UNUSED_SUPPRESSION, all_rules

TARGET = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
REGENERATE = "python -m mlmodel.lint.docs --write"


def render() -> str:
    parts = [
        "# mlmodel lint rules\n",
        f"Generated from the rule modules by `{REGENERATE}`; do not edit.\n",
        (
            "Select or ignore rules by code or prefix (`--select MLM1`, `ignore = [\"MLM301\"]` "
            "in `[tool.mlmodel]`), silence one with `# mlmodel: disable=CODE` at the end of a "
            "line or on the line before an entry (its whole block). Fixes marked *safe* run with "
            "`--fix`, *unsafe* ones need `--unsafe-fixes` too.\n"
        ),
        "| code | name | severity | fix | summary |",
        "|---|---|---|---|---|",
        (
            f"| {UNUSED_SUPPRESSION} | unused-suppression | warning | | a suppression comment "
            "that silences nothing |"
        ),
    ]
    rules = all_rules()
    for rule in rules:
        summary = rule.summary.replace("|", "\\|")
        parts.append(
            f"| {rule.code} | {rule.name} | {rule.severity.value} | {rule.fix_safety or ''} | "
            f"{summary} |"
        )
    for rule in rules:
        parts.append(f"\n## {rule.code} {rule.name}\n")
        parts.append(_markdown(rule.doc))
    return "\n".join(parts) + "\n"


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
        out.extend([line[:-1], "", "```yaml"])
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
        from mlmodel.fsio import write_file

        write_file(TARGET, text.encode("utf-8"))
        print(f"wrote {TARGET}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
