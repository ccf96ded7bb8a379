"""Malicious pickle families: how many mlmodel's scan flags beside picklescan 1.0.5.

Every family of ``harness/pickle_payloads.py`` is written to its own model folder under a
temporary directory (bytes only: nothing is ever unpickled) and scanned by both tools the
way each scans a model directory: ``mlmodel.pickle_scan.scan_pickles`` (files selected by
content) and ``picklescan.scanner.scan_directory_path`` (files selected by suffix). A family
counts as flagged when the tool reports the folder unsafe (mlmodel: a dangerous import or a
scan error, which fails closed; picklescan: an infected file). Prints both counts and the
families each one misses.

    python bench/bench_pickle_scan.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.pickle_payloads import FAMILIES, build, write
from mlmodel.pickle_scan import scan_pickles


def main() -> int:
    from picklescan.scanner import scan_directory_path

    logging.disable(logging.CRITICAL)  # picklescan logs every finding
    ours: list[str] = []
    theirs: list[str] = []
    ours_seconds = theirs_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        canary = root / "canary"
        for index, family in enumerate(FAMILIES):
            folder = write(build(family, str(canary)), root / f"family-{index:03d}")
            start = time.perf_counter()
            result = scan_pickles(folder, [folder])
            ours_seconds += time.perf_counter() - start
            if result.scans and not result.safe:
                ours.append(family)
            start = time.perf_counter()
            found = scan_directory_path(str(folder))
            theirs_seconds += time.perf_counter() - start
            if found.infected_files > 0:
                theirs.append(family)
        assert not canary.exists(), "a payload ran"
    total = len(FAMILIES)
    print(f"payload families: {total}")
    print(f"mlmodel flags    {len(ours)}/{total}  ({ours_seconds * 1000:.0f} ms)")
    print(f"picklescan flags {len(theirs)}/{total}  ({theirs_seconds * 1000:.0f} ms)")
    for name, flagged in (("mlmodel", ours), ("picklescan", theirs)):
        missed = [f for f in FAMILIES if f not in flagged]
        print(f"{name} misses {len(missed)}: " + ("; ".join(missed) or "none"))
    return 0 if len(ours) == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
