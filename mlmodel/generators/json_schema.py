"""Write (or check) the published JSON Schema files in the repository's ``schema/`` folder::

python -m mlmodel.generators.json_schema --write     # or --check, or no option to print
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from mlmodel.checking.json_schema.documents import (
    REGENERATE,
    builtin_flavors,
    document_schema,
    dumps,
    flavor_document,
)
from mlmodel.core.fsio import write_file
from mlmodel.flavors.registry import FlavorSpec

__all__ = ["REGENERATE", "existing_files", "generate_files", "main", "stale_files", "write_files"]

#: the repository's ``schema/`` folder (meaningful in a source checkout only).
ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schema"
DOCUMENT_FILE = "mlmodel.schema.json"
FLAVOR_FOLDER = "flavors"


def generate_files(flavors: Iterable[FlavorSpec] | None = None) -> dict[str, str]:
    """Path under ``schema/`` (POSIX form) -> the text it must hold."""
    specs = sorted(builtin_flavors() if flavors is None else flavors, key=lambda s: s.name)
    files = {DOCUMENT_FILE: dumps(document_schema(specs))}
    for spec in specs:
        files[f"{FLAVOR_FOLDER}/{spec.name}.schema.json"] = dumps(flavor_document(spec))
    return files


def existing_files(folder: Path) -> dict[str, str]:
    """The schema files now in ``folder`` (the same paths :func:`generate_files` gives)."""
    found: dict[str, str] = {}
    candidates = [folder / DOCUMENT_FILE, *sorted((folder / FLAVOR_FOLDER).glob("*.schema.json"))]
    for path in candidates:
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return found


def stale_files(folder: Path, files: dict[str, str] | None = None) -> list[str]:
    """Paths under ``folder`` that are missing, different from the generated text, or extra."""
    wanted = generate_files() if files is None else files
    present = existing_files(folder)
    return sorted(p for p in {*wanted, *present} if wanted.get(p) != present.get(p))


def write_files(folder: Path, files: dict[str, str] | None = None) -> list[str]:
    """(Re)write the schema files in ``folder``; delete flavor files no longer generated."""
    wanted = generate_files() if files is None else files
    changed = stale_files(folder, wanted)
    for relative in changed:
        target = folder / relative
        if relative in wanted:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, wanted[relative].encode("utf-8"))
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlmodel.generators.json_schema",
        description="Print the MLmodel JSON Schema, or (re)write the published schema files.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="(re)write the files in --dir")
    action.add_argument(
        "--check", action="store_true", help="exit 1 when the files in --dir are out of date"
    )
    parser.add_argument(
        "--dir", type=Path, default=SCHEMA_DIR, help=f"schema folder (default {SCHEMA_DIR})"
    )
    args = parser.parse_args(argv)
    folder: Path = args.dir
    if not (args.write or args.check):
        sys.stdout.write(dumps(document_schema()))
        return 0
    if args.dir == SCHEMA_DIR and not (ROOT / "pyproject.toml").is_file():
        parser.error(f"{ROOT} is not a source checkout of mlmodel; name the folder with --dir")
    if args.check:
        stale = stale_files(folder)
        for relative in stale:
            print(f"out of date: {folder / relative}", file=sys.stderr)
        if stale:
            print(f"regenerate with: {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    changed = write_files(folder)
    print(f"{folder}: {len(changed)} file(s) changed" + "".join(f"\n  {c}" for c in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
