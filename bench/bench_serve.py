"""Benchmark ``mlmodel serve`` against Seldon MLServer and ``mlflow models serve``, and
``mlmodel predict`` against scikit-learn on a pandas-read CSV, side by side in one run on the
same machine, each server with its own defaults.

Run with the dev venv's interpreter::

    python bench/bench_serve.py [--seconds 3] [--mlserver-python /work/venv-mlserver/bin/python]
        [--rows 1000000] [--skip-predict]

MLServer 1.7.1 lives in its own venv (its worker processes need uvloop 0.21)::

    python3 -m venv /work/venv-mlserver
    /work/venv-mlserver/bin/pip install mlserver==1.7.1 mlserver-mlflow==1.7.1 uvloop==0.21.0

Without ``--mlserver-python`` (or when that interpreter is missing) the MLServer cells are
skipped with a note. A LogisticRegression on four double columns is saved once by MLflow
(with its signature) in a temporary folder; every server serves that folder on 127.0.0.1 and
is stopped before the next starts.

1. **Start-up**: wall time from launching the server command to the first ``/ping`` 200
   (median of ``--startups`` launches each, alternating). Target: mlmodel / MLflow <= 0.5.
2. **Side by side** (req/s, p50, p99; closed loop over keep-alive connections; ``wrk`` when
   installed, else the built-in asyncio generator; every response of a warm-up pass
   checked, and any non-200 during a measure fails the run). All servers run at once (idle
   but for the one measured); each cell measures its two sides in turn, ``--seconds`` each,
   for ``--rounds`` rounds, and reports the medians, so a change in the machine's load
   biases neither side:

   - V2 ``POST /v2/models/model/infer`` with 1 row and 1,000 rows at concurrency 8 against
     MLServer (one FP64 input per column, shape ``[N]``: the body MLServer's MLflow runtime
     decodes into a DataFrame for a column signature). Targets: req/s >= 2x, p99 <= 0.5x.
   - ``/invocations`` with a 1-row ``dataframe_split`` at concurrency 8 against
     ``mlflow models serve``. Targets: req/s >= 4x, p99 <= 0.5x.
   - V2 1-row at concurrency 64: mlmodel with batching on (``--max-batch-size 32``), and
     mlmodel and MLServer with their defaults.

   The generator's own ceiling (``GET /ping`` at concurrency 8 on mlmodel) is quoted so it is
   known not to be the bottleneck.
3. **Batch scoring**: ``mlmodel predict -t csv`` on a ``--rows`` CSV (fresh process, output
   to a file) against a fresh process that reads the CSV with pandas and calls the
   estimator's ``predict`` (loaded with skops, no MLflow): rows/s (target: mlmodel / sklearn
   >= 0.9) and peak RSS of each process against the input size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
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
    mlserver_cmd,
    save_classifier,
)

#: the options of the mlmodel-batching server (everything else is the default)
BATCHING = ("--max-batch-size", "32")


def start_server(
    kind: str, model: Path, mlserver_python: Path | None = None
) -> tuple[Server, float]:
    """A server of ``kind`` (``mlmodel``, ``mlmodel-batching``, ``mlflow`` or ``mlserver``)
    on ``model`` with its defaults, and its start-up time: from the launch to the first
    ready answer. Its output goes to a log beside the model."""
    log = model.parent / f"{kind}.log"
    ready = "/ping"
    environ = None
    if kind == "mlserver":
        assert mlserver_python is not None
        cmd, port, environ = mlserver_cmd(mlserver_python, model, model.parent / "mlserver")
        ready = "/v2/models/model/ready"
    else:
        port = free_port()
        if kind.startswith("mlmodel"):
            # its defaults: one worker per CPU, the access log on (as MLflow's and MLServer's)
            extra = BATCHING if kind == "mlmodel-batching" else ()
            cmd = mlmodel_cmd(model, port, *extra, workers=None)
        else:
            cmd = mlflow_cmd(model, port)
    began = time.perf_counter()
    server = launch(cmd, port, log, environ).wait_ready(300, interval=0.02, path=ready)
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


def _rows(rows: int) -> Any:
    import numpy as np

    return np.random.default_rng(rows).normal(size=(rows, 4)).round(6)


def body_for(rows: int) -> tuple[bytes, Any]:
    """A ``dataframe_split`` body of ``rows`` rows for ``/invocations`` and its check."""
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": _rows(rows).tolist()}})

    def check(answer: bytes) -> bool:
        return len(json.loads(answer)["predictions"]) == rows

    return body.encode(), check


def v2_body_for(rows: int) -> tuple[bytes, Any]:
    """A V2 inference body of ``rows`` rows (one FP64 input per column) and its check."""
    data = _rows(rows)
    inputs = [
        {"name": name, "shape": [rows], "datatype": "FP64", "data": data[:, i].tolist()}
        for i, name in enumerate(COLUMNS)
    ]

    def check(answer: bytes) -> bool:
        outputs = json.loads(answer)["outputs"]
        return len(outputs) == 1 and len(outputs[0]["data"]) == rows

    return json.dumps({"inputs": inputs}).encode(), check


# ---------------------------------------------------------------------------- wrk

WRK_SCRIPT = """
local f = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
"""


def _wrk_ms(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
    for unit in ("us", "ms", "s", "m"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    return float(text)


def wrk_load(
    port: int, path: str, body: bytes | None, concurrency: int, seconds: float, folder: Path
) -> dict[str, float]:
    """``wrk`` (one thread, ``concurrency`` keep-alive connections) for ``seconds``: req/s,
    p50 and p99 in ms. Any answer other than 200 fails the run."""
    import os
    import re

    cmd = [
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    environ = dict(os.environ)
    if body is not None:
        (folder / "body.json").write_bytes(body)
        (folder / "post.lua").write_text(WRK_SCRIPT)
        environ["BENCH_BODY"] = str(folder / "body.json")
        cmd += ["-s", str(folder / "post.lua")]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise SystemExit(f"wrk on {path}: bad answers or socket errors:\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk on {path}: no latency distribution in its output:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _wrk_ms(latency["50"]),
        "p99": _wrk_ms(latency["99"]),
    }


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
    parser.add_argument("--startups", type=int, default=3, help="0: no start-up section")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measures per cell")
    parser.add_argument(
        "--mlserver-python",
        type=Path,
        default=None,
        help="the python of a venv with mlserver==1.7.1 and mlserver-mlflow==1.7.1 "
        "(default: no MLServer cells)",
    )
    parser.add_argument(
        "--generator",
        choices=("wrk", "asyncio"),
        default="wrk" if shutil.which("wrk") else "asyncio",
        help="the load generator (default: wrk when installed)",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--predict-runs", type=int, default=3)
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()
    if args.mlserver_python is not None and not args.mlserver_python.exists():
        print(f"note: {args.mlserver_python} does not exist: the MLServer cells are skipped")
        args.mlserver_python = None
    elif args.mlserver_python is None:
        print("note: no --mlserver-python: the MLServer cells are skipped")

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        folder = Path(tmp)
        model = folder / "model"
        save_classifier(model, rows=500)

        if not args.skip_serve:
            bench_servers(model, args)
        if not args.skip_predict:
            bench_predict(model, folder, args.rows, args.predict_runs)


def bench_startup(model: Path, runs: int) -> None:
    startups: dict[str, list[float]] = {"mlmodel": [], "mlflow": []}
    for _ in range(runs):
        for kind in ("mlmodel", "mlflow"):
            server, startup = start_server(kind, model)
            startups[kind].append(startup)
            server.stop(30)
    s_ours = statistics.median(startups["mlmodel"])
    s_theirs = statistics.median(startups["mlflow"])
    print(f"## start-up to first good /ping (median of {runs})")
    print(
        f"mlmodel serve {s_ours:.2f} s   mlflow models serve {s_theirs:.2f} s   "
        f"ratio {s_ours / s_theirs:.2f}  (target <= 0.5)"
    )


#: (cell, route, rows, concurrency, servers): the first server is mlmodel's side, the second
#: the peer it is measured against (None: no ratio)
CELLS = (
    ("V2 1 row", "v2", 1, 8, ("mlmodel", "mlserver")),
    ("V2 1,000 rows", "v2", 1000, 8, ("mlmodel", "mlserver")),
    ("/invocations 1 row", "invocations", 1, 8, ("mlmodel", "mlflow")),
    ("V2 1 row, batching", "v2", 1, 64, ("mlmodel-batching", "mlserver")),
    ("V2 1 row, no batching", "v2", 1, 64, ("mlmodel", "mlserver")),
)
#: (req/s at least, p99 at most) times the peer's, by peer
TARGETS = {"mlserver": (2.0, 0.5), "mlflow": (4.0, 0.5)}


def bench_servers(model: Path, args: argparse.Namespace) -> None:
    if args.startups > 0:
        bench_startup(model, args.startups)
    paths = {"v2": "/v2/models/model/infer", "invocations": "/invocations"}
    makers = {"v2": v2_body_for, "invocations": body_for}
    kinds = ["mlmodel", "mlmodel-batching", "mlflow"]
    if args.mlserver_python is not None:
        kinds.append("mlserver")
    results: dict[tuple[str, str], dict[str, float]] = {}
    servers: dict[str, Server] = {}
    try:
        # every server runs (idle) at once, so each cell alternates its two sides round by
        # round: a change in the machine's load between cells biases no side
        for kind in kinds:
            print(f"starting {kind} ...", file=sys.stderr)
            servers[kind] = start_server(kind, model, args.mlserver_python)[0]
        ceiling = measure(args, servers["mlmodel"].port, "/ping", None, None, 8, model.parent)
        for cell, route, rows, concurrency, sides in CELLS:
            print(f"measuring {cell} at concurrency {concurrency} ...", file=sys.stderr)
            body, check = makers[route](rows)
            runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in sides}
            for round_ in range(args.rounds):
                for kind in sides:
                    if kind in servers:
                        runs[kind].append(
                            measure(
                                args,
                                servers[kind].port,
                                paths[route],
                                body,
                                check,
                                concurrency,
                                model.parent,
                                warm=round_ == 0,
                            )
                        )
            for kind, figures in runs.items():
                if figures:
                    results[(cell, kind)] = {
                        key: statistics.median(f[key] for f in figures) for key in figures[0]
                    }
    finally:
        for server in servers.values():
            server.stop(30)

    print(
        f"\n## side by side, {args.seconds:g} s per cell and side, median of {args.rounds} "
        f"alternating rounds, generator: {args.generator}"
    )
    print(
        f"{'cell':24}{'conc':>5} | {'server':17}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8} | "
        f"{'peer':9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8} | {'req/s x':>8}{'p99 x':>7}  target"
    )
    for cell, _, _, concurrency, (ours, peer) in CELLS:
        o, t = results.get((cell, ours)), results.get((cell, peer))
        if o is None:
            continue
        line = (
            f"{cell:24}{concurrency:5} | {ours:17}{o['rps']:8,.0f}{o['p50']:8.2f}{o['p99']:8.2f} | "
        )
        if t is None:
            print(line + f"{peer:9}  (not run)")
            continue
        rps_x, p99_x = o["rps"] / t["rps"], o["p99"] / t["p99"]
        want_rps, want_p99 = TARGETS[peer]
        verdict = "met" if rps_x >= want_rps and p99_x <= want_p99 else "NOT met"
        print(
            line + f"{peer:9}{t['rps']:8,.0f}{t['p50']:8.2f}{t['p99']:8.2f} | "
            f"{rps_x:8.2f}{p99_x:7.2f}  >= {want_rps:g}x, <= {want_p99:g}x: {verdict}"
        )
    print(f"generator ceiling: GET /ping on mlmodel at concurrency 8: {ceiling['rps']:,.0f} req/s")


def measure(
    args: argparse.Namespace,
    port: int,
    path: str,
    body: bytes | None,
    check: Any,
    concurrency: int,
    folder: Path,
    warm: bool = True,
) -> dict[str, float]:
    """One measure: first (``warm``) a warm-up with the asyncio generator whose every answer
    is checked, then the load."""
    payload = request_bytes(path, body)
    if warm:
        generate_load(port, payload, min(concurrency, 8), 0.5, check)
    if args.generator == "wrk":
        return wrk_load(port, path, body, concurrency, args.seconds, folder)
    return generate_load(port, payload, concurrency, args.seconds, check)


if __name__ == "__main__":
    main()
