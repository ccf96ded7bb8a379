"""The parts beside the package stand on their own: ``bench/`` imports nothing from
``tests/``, ``tests/`` nothing from ``bench/``, and ``harness/`` (what both use) neither;
``mlmodel`` imports none of the three."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_MODULES = frozenset(p.stem for p in (ROOT / "bench").glob("*.py"))


def imported(path: Path) -> set[str]:
    """The top-level names of the modules ``path`` imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("bench", {"tests"}),
        ("harness", {"tests", "bench", *BENCH_MODULES}),
        ("tests", {"bench", *BENCH_MODULES}),
        ("mlmodel", {"tests", "bench", "harness", *BENCH_MODULES}),
    ],
)
def test_no_part_imports_another_it_must_not(part: str, forbidden: set[str]) -> None:
    files = [p for p in (ROOT / part).rglob("*.py") if "cases" not in p.relative_to(ROOT).parts]
    assert files
    wrong = {
        f"{path.relative_to(ROOT)}: {name}" for path in files for name in imported(path) & forbidden
    }
    assert not wrong, sorted(wrong)
