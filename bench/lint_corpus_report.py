"""Count lint findings per rule (and validation findings per code) over the public corpus.

    python bench/lint_corpus_report.py [--corpus ../shared/corpus/github]

The corpus holds lone MLmodel files, so rules that read the model directory's
other files (environment, examples, pickles, sizes) have nothing to read here.
Also checks the promise of ``--fix``: fixing never turns a valid file invalid.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.checking.lint.rules import all_rules
from mlmodel.checking.validate import validate_bytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "github")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.MLmodel"))
    if not files:
        print(f"no corpus at {args.corpus}")
        return 0
    lint_counts: Counter[str] = Counter()
    lint_files: Counter[str] = Counter()
    validate_counts: Counter[str] = Counter()
    fixed: Counter[str] = Counter()
    broke = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for path in files:
            copy = Path(folder) / path.stem / "MLmodel"
            copy.parent.mkdir()
            shutil.copyfile(path, copy)
            before = validate_bytes(copy.read_bytes(), check_files=False)
            validate_counts.update(d.code for d in before)
            found = lint_paths([copy], LintOptions(check_files=False)).result.diagnostics
            lint_counts.update(d.code for d in found)
            lint_files.update({d.code for d in found})
            result = lint_paths([copy], LintOptions(check_files=False, fix=True, unsafe_fixes=True))
            for codes in result.fixed.values():
                fixed.update(codes)
            after = validate_bytes(copy.read_bytes(), check_files=False)
            if {(d.code, d.key) for d in after if d.is_error} - {
                (d.code, d.key) for d in before if d.is_error
            }:
                broke += 1
    elapsed = time.perf_counter() - started
    print(f"{len(files)} corpus files, {elapsed:.1f} s (lint, fix, validate twice each)\n")
    print(f"{'rule':8} {'name':32} {'findings':>8} {'files':>6} {'fixed':>6}")
    for rule in all_rules():
        print(
            f"{rule.code:8} {rule.name:32} {lint_counts[rule.code]:8} {lint_files[rule.code]:6} "
            f"{fixed[rule.code]:6}"
        )
    other = {c: n for c, n in lint_counts.items() if not c.startswith("MLM") or c == "MLM001"}
    if other:
        print(f"validation findings in lint: {dict(sorted(other.items()))}")
    fixes = {c: n for c, n in fixed.items() if not c.startswith("MLM")}
    if fixes:
        print(f"validation findings fixed (lint.fixers): {dict(sorted(fixes.items()))}")
    print("\nvalidate findings per code:", dict(sorted(validate_counts.items())))
    print(f"files that --fix --unsafe-fixes turned invalid: {broke}")
    return 1 if broke else 0


if __name__ == "__main__":
    raise SystemExit(main())
