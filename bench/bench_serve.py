"""Benchmark ``mlmodel serve`` against ``mlflow models serve``, and ``mlmodel predict`` against
scikit-learn on a pandas-read CSV, side by side in one run on the same machine.

Run with the dev venv's interpreter::

    python bench/bench_serve.py [--seconds 3] [--rows 1000000] [--skip-predict]

A LogisticRegression on four double columns is saved once by MLflow (with its signature) in
a temporary folder. Every server listens on 127.0.0.1 and is stopped before the next starts.

1. **Start-up**: wall time from launching the server command to the first ``/ping`` 200
   (median of ``--startups`` launches each, alternating). Target: mlmodel / MLflow <= 0.5.
2. **Load generator ceiling**: the built-in asyncio keep-alive HTTP/1.1 generator (raw
   sockets, no client library) against each server's ``/ping`` at concurrency 8: the
   generator's own ceiling, quoted so it is known not to be the bottleneck.
3. **Throughput and latency**: req/s, p50 and p99 for ``dataframe_split`` bodies of 1 row and
   1,000 rows at concurrency 1, 8 and 32, every response checked (200 and a predictions list
   of the right length). Targets at concurrency 8: req/s mlmodel / MLflow >= 2, p99 mlmodel /
   MLflow <= 0.5.
4. **Batch scoring**: ``mlmodel predict -t csv`` on a ``--rows`` CSV (fresh process, output
   to a file) against a fresh process that reads the CSV with pandas and calls the
   estimator's ``predict`` (loaded with skops, no MLflow): rows/s (target: mlmodel / sklearn
   >= 0.9) and peak RSS of each process against the input size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.servers import (
    COLUMNS,
    Server,
    env,
    free_port,
    launch,
    mlflow_cmd,
    mlmodel_cmd,
    save_classifier,
)


def start_server(kind: str, model: Path) -> tuple[Server, float]:
    """A server of ``kind`` (mlmodel or mlflow) on ``model``, and its start-up time: from
    the launch to the first ``/ping`` 200. Its output goes to a log beside the model."""
    port = free_port()
    if kind == "mlmodel":
        cmd = mlmodel_cmd(model, port, "--no-access-log")
    else:
        cmd = mlflow_cmd(model, port)
    began = time.perf_counter()
    server = launch(cmd, port, model.parent / f"{kind}.log").wait_ready(300, interval=0.02)
    return server, time.perf_counter() - began


# ---------------------------------------------------------------------------- load generator


def request_bytes(path: str, body: bytes | None) -> bytes:
    if body is None:
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def _client(
    port: int, payload: bytes, stop_at: float, latencies: list[float], check: Any, errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            writer.write(payload)
            status, body = await _read_response(reader)
            latencies.append(time.perf_counter() - began)
            if status != 200 or (check is not None and not check(body)):
                errors.append(f"{status} {body[:100]!r}")
    finally:
        writer.close()


def generate_load(
    port: int, payload: bytes, concurrency: int, seconds: float, check: Any = None
) -> dict[str, float]:
    """Closed-loop load: ``concurrency`` keep-alive connections for ``seconds``."""

    async def main() -> tuple[list[float], list[str], float]:
        latencies: list[float] = []
        errors: list[str] = []
        began = time.perf_counter()
        stop_at = began + seconds
        await asyncio.gather(
            *(_client(port, payload, stop_at, latencies, check, errors) for _ in range(concurrency))
        )
        return latencies, errors, time.perf_counter() - began

    latencies, errors, elapsed = asyncio.run(main())
    if errors:
        raise SystemExit(f"{len(errors)} bad responses, e.g. {errors[0]}")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "n": len(latencies),
    }


def body_for(rows: int) -> tuple[bytes, Any]:
    import numpy as np

    data = np.random.default_rng(rows).normal(size=(rows, 4)).round(6).tolist()
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": data}}).encode()

    def check(answer: bytes) -> bool:
        return len(json.loads(answer)["predictions"]) == rows

    return body, check


# ---------------------------------------------------------------------------- batch scoring

BASELINE = """
import sys, time
import pandas as pd, skops.io as sio
from pathlib import Path
model = Path(sys.argv[1]) / "model.skops"
est = sio.load(model, trusted=sio.get_untrusted_types(file=model))
frame = pd.read_csv(sys.argv[2])
predictions = est.predict(frame)
Path(sys.argv[3]).write_text(str(len(predictions)))
"""


def _hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def timed_child(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS KiB) of a child process.

    The peak is the child's own ``VmHWM``, polled until it exits: ``ru_maxrss`` from
    ``wait4`` is useless here, Linux folds the forking parent's high-water mark into it."""
    began = time.perf_counter()
    process = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _hwm_kib(process.pid) or 0)
        time.sleep(0.005)
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed with {process.returncode}")
    return wall, peak


def bench_predict(model: Path, folder: Path, rows: int, runs: int) -> None:
    import numpy as np
    import pandas as pd

    source = folder / "big.csv"
    pd.DataFrame(np.random.default_rng(1).normal(size=(rows, 4)).round(6), columns=COLUMNS).to_csv(
        source, index=False
    )
    size_mib = source.stat().st_size / 2**20
    ours_cmd = [
        sys.executable,
        "-m",
        "mlmodel",
        "predict",
        str(model),
        "-i",
        str(source),
        "-o",
        str(folder / "ours.json"),
        "-t",
        "csv",
    ]
    base_cmd = [sys.executable, "-c", BASELINE, str(model), str(source), str(folder / "n.txt")]
    ours, base = [], []
    for _ in range(runs):
        ours.append(timed_child(ours_cmd))
        base.append(timed_child(base_cmd))
    written = json.loads((folder / "ours.json").read_bytes())
    assert len(written["predictions"]) == rows
    o_wall = statistics.median(w for w, _ in ours)
    b_wall = statistics.median(w for w, _ in base)
    o_rss = max(r for _, r in ours) / 1024
    b_rss = max(r for _, r in base) / 1024
    print(f"\n## mlmodel predict on a {rows:,}-row CSV ({size_mib:.1f} MiB), median of {runs}")
    print(f"{'':28}{'wall s':>9}{'rows/s':>12}{'peak RSS MiB':>14}{'RSS/input':>11}")
    print(
        f"{'mlmodel predict -t csv':28}{o_wall:9.2f}{rows / o_wall:12,.0f}{o_rss:14.1f}"
        f"{o_rss / size_mib:11.2f}"
    )
    print(
        f"{'pandas.read_csv + predict':28}{b_wall:9.2f}{rows / b_wall:12,.0f}{b_rss:14.1f}"
        f"{b_rss / size_mib:11.2f}"
    )
    print(f"rows/s mlmodel / sklearn = {b_wall / o_wall:.2f}  (target >= 0.9)")


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per load configuration")
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--predict-runs", type=int, default=3)
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        folder = Path(tmp)
        model = folder / "model"
        save_classifier(model, rows=500)

        if not args.skip_serve:
            bench_servers(model, args)
        if not args.skip_predict:
            bench_predict(model, folder, args.rows, args.predict_runs)


def bench_servers(model: Path, args: argparse.Namespace) -> None:
    startups: dict[str, list[float]] = {"mlmodel": [], "mlflow": []}
    for _ in range(args.startups):
        for kind in ("mlmodel", "mlflow"):
            server, startup = start_server(kind, model)
            startups[kind].append(startup)
            server.stop(30)
    s_ours = statistics.median(startups["mlmodel"])
    s_theirs = statistics.median(startups["mlflow"])
    print(f"## start-up to first good /ping (median of {args.startups})")
    print(
        f"mlmodel serve {s_ours:.2f} s   mlflow models serve {s_theirs:.2f} s   "
        f"ratio {s_ours / s_theirs:.2f}  (target <= 0.5)"
    )

    bodies = {1: body_for(1), 1000: body_for(1000)}
    results: dict[tuple[str, int, int], dict[str, float]] = {}
    ceilings: dict[str, dict[str, float]] = {}
    for kind in ("mlmodel", "mlflow"):
        server, _ = start_server(kind, model)
        try:
            ceilings[kind] = generate_load(
                server.port, request_bytes("/ping", None), 8, args.seconds
            )
            for rows, (body, check) in bodies.items():
                payload = request_bytes("/invocations", body)
                generate_load(server.port, payload, 8, 0.5, check)  # warm-up
                for concurrency in (1, 8, 32):
                    results[(kind, rows, concurrency)] = generate_load(
                        server.port, payload, concurrency, args.seconds, check
                    )
        finally:
            server.stop(30)

    print("\n## load generator ceiling: GET /ping at concurrency 8")
    for kind, figures in ceilings.items():
        print(f"{kind:8} {figures['rps']:9,.0f} req/s  p50 {figures['p50']:.2f} ms")
    print("\n## /invocations (dataframe_split), closed loop, every response checked")
    print(
        f"{'rows':>5}{'conc':>5} | {'mlmodel req/s':>13}{'p50 ms':>8}{'p99 ms':>8} | "
        f"{'mlflow req/s':>12}{'p50 ms':>8}{'p99 ms':>8} | {'req/s x':>7}{'p99 x':>7}"
    )
    for rows in bodies:
        for concurrency in (1, 8, 32):
            o = results[("mlmodel", rows, concurrency)]
            t = results[("mlflow", rows, concurrency)]
            print(
                f"{rows:5}{concurrency:5} | {o['rps']:13,.0f}{o['p50']:8.2f}{o['p99']:8.2f}"
                f" | {t['rps']:12,.0f}{t['p50']:8.2f}{t['p99']:8.2f} | "
                f"{o['rps'] / t['rps']:7.2f}{o['p99'] / t['p99']:7.2f}"
            )
    for rows in bodies:
        o, t = results[("mlmodel", rows, 8)], results[("mlflow", rows, 8)]
        print(
            f"concurrency 8, {rows} row(s): req/s ratio {o['rps'] / t['rps']:.2f} "
            f"(target >= 2), p99 ratio {o['p99'] / t['p99']:.2f} (target <= 0.5); "
            f"generator ceiling {ceilings['mlmodel']['rps'] / o['rps']:.1f}x mlmodel's "
            f"rate"
        )


if __name__ == "__main__":
    main()
