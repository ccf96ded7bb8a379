"""Signing and verifying a large model: seconds, MB/s and peak memory, at 100 MB and 1 GB.

A model directory (an MLmodel file and four files of random bytes) is written under a
temporary directory at each size, with an EC P-256 key made for the run. Each operation
runs in a child process of its own, which reports its peak RSS (``ru_maxrss``) and the RSS
it had before the operation (after its imports): the growth is what the operation itself
took. Operations: ``sign`` (:func:`mlmodel.signing.sign_model`: model-signing hashes the
files), ``verify`` (:func:`mlmodel.signing.verify_model`: model-signing checks the
signature, mlmodel hashes the files), ``digests`` (:func:`mlmodel.signing.file_digests`
alone) and ``model-signing verify`` (its public ``verifying.Config().verify``, for
comparison). The last lines give each operation's peak RSS at 1 GB over its peak at
100 MB: near 1.0 when hashing streams (memory does not grow with the files).

Files are read from the page cache (just written): the figures are hashing, not disk.

    python bench/bench_signing.py [--sizes-mb 100,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.signing_keys import write_key_pair

OPERATIONS = ("sign", "verify", "digests", "model-signing verify")
FILES = 4
WRITE_CHUNK = 4 * 1024 * 1024


def _rss_mb() -> float:
    """This process's current RSS (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _child(operation: str, model: Path, key: Path, public: Path) -> None:
    """Run one operation in this (child) process; print JSON: seconds, RSS before, peak."""
    import model_signing.verifying  # imports first, so that "before" counts them

    from mlmodel.signing import file_digests, sign_model, verify_model

    before = _rss_mb()
    start = time.perf_counter()
    if operation == "sign":
        sign_model(model, key)
    elif operation == "verify":
        verify_model(model, public_keys=[public])
    elif operation == "digests":
        file_digests(model)
    else:
        config = model_signing.verifying.Config()  # type: ignore[no-untyped-call]
        config.use_elliptic_key_verifier(public_key=public).verify(model, model / "model.sig")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB on Linux
    print(json.dumps({"seconds": seconds, "before_mb": before, "peak_mb": peak}))


def _write_model(folder: Path, total_bytes: int) -> None:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: x\n")
    per_file = total_bytes // FILES
    for index in range(FILES):
        with (folder / f"weights-{index}.bin").open("wb") as handle:
            left = per_file
            while left:
                chunk = min(left, WRITE_CHUNK)
                handle.write(os.urandom(chunk))
                left -= chunk


def _keys(folder: Path) -> tuple[Path, Path]:
    pair = write_key_pair(folder, "key")
    return pair.private, pair.public


def _run(operation: str, model: Path, private: Path, public: Path) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", operation, str(model), str(private), str(public)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", default="100,1000")
    parser.add_argument("--child", nargs=4, metavar=("OP", "MODEL", "KEY", "PUBLIC"))
    args = parser.parse_args()
    if args.child:
        operation, model, key, public = args.child
        _child(operation, Path(model), Path(key), Path(public))
        return 0
    sizes = [int(s) for s in args.sizes_mb.split(",")]
    peaks: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as tmp:
        private, public = _keys(Path(tmp))
        for size_mb in sizes:
            model = Path(tmp) / f"model-{size_mb}mb"
            _write_model(model, size_mb * 1_000_000)
            for operation in OPERATIONS:
                result = _run(operation, model, private, public)
                peaks[(operation, size_mb)] = result["peak_mb"]
                grown = result["peak_mb"] - result["before_mb"]
                print(
                    f"{size_mb:>5} MB  {operation:<21} {result['seconds']:7.2f} s  "
                    f"{size_mb / result['seconds']:7.0f} MB/s  peak RSS "
                    f"{result['peak_mb']:6.1f} MB (+{grown:4.1f} MB over the "
                    f"{result['before_mb']:.1f} MB after imports)",
                    flush=True,
                )
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        for operation in OPERATIONS:
            ratio = peaks[(operation, large)] / peaks[(operation, small)]
            print(f"peak RSS {large} MB / {small} MB  {operation:<21} {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
