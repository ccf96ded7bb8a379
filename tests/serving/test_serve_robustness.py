"""Robustness of ``mlmodel serve``: a seeded fuzzer's thousands of malformed, truncated,
oversized, deeply nested and wrong-typed bodies never get a 5xx nor kill the worker; a
bounded concurrent load has zero errors and flat memory; limits answer 413 and 504; SIGTERM
during load loses no accepted request; metrics count what was answered; with --workers N
each worker loads the model once and the parent never; a busy port stops start-up before
any model work."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from harness.servers import COLUMNS, Server, env, free_port, mlmodel_cmd, save_classifier, start
from tests.serve_support import save_slow

MAX_BODY = 64 * 1024
FUZZ_COUNT = 3000
VALID = {"dataframe_split": {"columns": COLUMNS, "data": [[0.1, 0.2, 0.3, 0.4]]}}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("robust")
    return {"classifier": save_classifier(base / "classifier"), "slow": save_slow(base / "slow")}


@pytest.fixture(scope="module")
def server(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "server.log"
    running = start(
        mlmodel_cmd(models["classifier"], port, "--max-body-size", str(MAX_BODY)), port, log
    )
    try:
        yield running
    finally:
        running.stop()


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, 2**70, 1.5, -0.0, 1e308])
    if kind == 3:
        return rng.choice(["", "a", "x" * 50, "\u00e9", "NaN", "1e3", "\x00"])
    if kind == 4:
        return rng.choice([*COLUMNS, "columns", "data", "index", "params"])
    if kind in (5, 6):
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    keys = [*COLUMNS, "columns", "data", "index", "inputs", "instances", "params", "k"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def _fuzz_body(rng: random.Random) -> tuple[bytes, str | None]:
    content_type: str | None = "application/json"
    roll = rng.random()
    valid = json.dumps(VALID).encode()
    if roll < 0.15:  # truncated valid payloads
        body = valid[: rng.randrange(len(valid))]
    elif roll < 0.25:  # random bytes
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    elif roll < 0.30:  # deeply nested
        depth = rng.choice([100, 1000, 5000, 20000])
        inner = "[" * depth + "]" * depth
        body = ('{"inputs": ' + inner + "}").encode() if rng.random() < 0.5 else inner.encode()
    elif roll < 0.33:  # oversized
        body = b'{"inputs": [' + b"1," * (MAX_BODY // 2 + rng.randrange(1000)) + b"1]}"
    elif roll < 0.43:  # CSV and parquet garbage
        content_type = rng.choice(["text/csv", "application/vnd.apache.parquet"])
        body = rng.choice([b"a,b\n1", b"\xff\xfe", b"a,b,c,d\n1,2,3,x\n", b"PAR1", b"", b'"'])
    elif roll < 0.48:  # odd content types
        content_type = rng.choice(
            [
                None,
                "",
                "application/json; format=records",
                "text/html",
                "application/json; charset=ascii",
                ";;;",
                "application/json;x",
            ]
        )
        body = valid
    else:  # wrong-typed values under every format key
        key = rng.choice(["dataframe_split", "dataframe_records", "instances", "inputs"])
        value = _random_json(rng)
        if key == "dataframe_split" and rng.random() < 0.6:
            value = {
                "columns": rng.choice([COLUMNS, COLUMNS[:2], [1, 2], None, "a"]),
                "data": _random_json(rng),
            }
        payload = {key: value}
        if rng.random() < 0.3:
            payload["params"] = _random_json(rng)
        body = json.dumps(payload).encode()
    return body, content_type


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _worker_pid(server: Server) -> int:
    return server.process.pid  # a single worker serves in the process the CLI started


def test_fuzzed_bodies_never_get_a_5xx(server: Server) -> None:
    rng = random.Random(20261202)
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + 50
    sent = 0
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(FUZZ_COUNT):
            body, content_type = _fuzz_body(rng)
            headers = {"Content-Type": content_type} if content_type is not None else {}
            response = client.post("/invocations", content=body, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (body[:200], content_type, response.text[:500])
            if response.status_code >= 400 and response.headers["content-type"].startswith(
                "application/json"
            ):
                assert {"error_code", "message"} <= set(response.json())
            sent += 1
            if time.monotonic() > deadline:
                break
        assert client.get("/ping").status_code == 200
    assert server.process.poll() is None
    assert sent >= 1000, f"only {sent} bodies in the time budget"
    assert statuses.get(413, 0) > 0 and statuses.get(400, 0) > 0 and statuses.get(415, 0) > 0


def test_oversized_bodies_get_413_even_without_content_length(server: Server) -> None:
    big = b'{"inputs": [' + b"1," * MAX_BODY + b"1]}"
    response = httpx.post(
        f"{server.url}/invocations", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert str(MAX_BODY) in response.json()["message"]

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024

    streamed = httpx.post(
        f"{server.url}/invocations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert httpx.get(f"{server.url}/ping").status_code == 200


def _amplifying_bodies() -> dict[str, tuple[bytes, str]]:
    """Bodies under the body limit that decode to far more (issue 18's three attacks)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = io.BytesIO()
    rows = pa.table({"a": pa.nulls(4_000_000, pa.float64())})
    pq.write_table(rows, parquet, compression="zstd", row_group_size=4_000_000)
    records = [{f"k{i}": 1} for i in range(3000)]
    return {
        "csv-header-of-commas": (b"," * 60_000 + b"\n", "text/csv"),
        "records-with-distinct-keys": (
            json.dumps({"dataframe_records": records}).encode(),
            "application/json",
        ),
        "parquet-rows": (parquet.getvalue(), "application/vnd.apache.parquet"),
    }


def test_bodies_decoding_past_the_limits_get_413_within_2s(server: Server) -> None:
    """MLflow has no such limits (it decodes all three, the CSV header for seconds): there is
    no MLflow status to compare with."""
    rows = np.random.default_rng(1).normal(size=(1000, 4)).round(3)
    legit = pd.DataFrame(rows, columns=COLUMNS)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for name, (body, content_type) in _amplifying_bodies().items():
            assert len(body) < MAX_BODY, name
            start = time.monotonic()
            response = client.post(
                "/invocations", content=body, headers={"Content-Type": content_type}
            )
            assert time.monotonic() - start < 2.0, name
            assert response.status_code == 413, (name, response.text[:300])
            assert response.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
            assert "(mlmodel serve --max-" in response.json()["message"]
        for body, content_type in (
            (legit.to_csv(index=False).encode(), "text/csv"),
            (legit.to_parquet(), "application/vnd.apache.parquet"),
            (
                json.dumps({"dataframe_records": legit.to_dict("records")}).encode(),
                "application/json",
            ),
        ):
            response = client.post(
                "/invocations", content=body, headers={"Content-Type": content_type}
            )
            assert response.status_code == 200, response.text[:300]
            assert len(response.json()["predictions"]) == 1000


def test_concurrent_load_has_zero_errors_and_flat_memory(server: Server) -> None:
    body = json.dumps(
        {"dataframe_split": {"columns": COLUMNS, "data": [[0.1, 0.2, 0.3, 0.4]] * 50}}
    )
    headers = {"Content-Type": "application/json"}

    def burst(count: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return [
                client.post("/invocations", content=body, headers=headers).status_code
                for _ in range(count)
            ]

    with ThreadPoolExecutor(8) as pool:  # warm-up: allocator and caches settle
        list(pool.map(burst, [50] * 8))
    before = _rss_kib(_worker_pid(server))
    with ThreadPoolExecutor(8) as pool:
        results = [s for batch in pool.map(burst, [150] * 8) for s in batch]
    after = _rss_kib(_worker_pid(server))
    assert results.count(200) == len(results) == 1200
    assert after - before < 30 * 1024, f"RSS grew {before} -> {after} KiB"


def test_metrics_count_requests_by_status(server: Server) -> None:
    headers = {"Content-Type": "application/json"}
    httpx.post(f"{server.url}/invocations", content=json.dumps(VALID), headers=headers)
    httpx.post(f"{server.url}/invocations", content=b"{", headers=headers)
    text = httpx.get(f"{server.url}/metrics").text
    assert 'mlmodel_requests_total{route="/invocations",method="POST",status="200"}' in text
    assert 'mlmodel_requests_total{route="/invocations",method="POST",status="400"}' in text
    assert 'mlmodel_request_duration_seconds_bucket{route="/invocations",le="+Inf"}' in text
    assert "mlmodel_requests_in_flight 1" in text  # the /metrics request itself
    load = next(line for line in text.splitlines() if line.startswith("mlmodel_model_load_seconds"))
    assert float(load.split()[1]) > 0
    log = server.log.read_text()
    entry = json.loads(next(line for line in log.splitlines() if '"path": "/invocations"' in line))
    assert entry["method"] == "POST" and entry["status"] in (200, 400, 413, 415)


def test_slow_server_504_then_sigterm_during_load_loses_no_accepted_request(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """One slow-model server (its start-up is MLflow's PythonModel loader): a prediction over
    --timeout answers 504 and the server keeps serving; then SIGTERM while 12 requests are
    in flight (4 predicting, 8 queued) lets all 12 finish and exits 0."""
    port = free_port()
    running = start(
        mlmodel_cmd(models["slow"], port, "--allow-unsafe", "--timeout", "1.5", "--threads", "4"),
        port,
        tmp_path / "slow.log",
    )
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        body = {"dataframe_split": {"columns": ["x", "delay"], "data": [[float(i), 0.3]]}}
        response = httpx.post(f"{running.url}/invocations", json=body, timeout=60)
        with lock:
            results.append((i, (response.status_code, response.json())))

    try:
        body = {"dataframe_split": {"columns": ["x", "delay"], "data": [[1.0, 4.0]]}}
        began = time.monotonic()
        response = httpx.post(f"{running.url}/invocations", json=body, timeout=30)
        assert response.status_code == 504
        assert response.text == "Request processing time exceeded limit"
        assert time.monotonic() - began < 3.9
        assert httpx.get(f"{running.url}/ping").status_code == 200
        time.sleep(2.6)  # the timed-out prediction's thread finishes
        quick = {"dataframe_split": {"columns": ["x", "delay"], "data": [[1.5, 0.0]]}}
        answer = httpx.post(f"{running.url}/invocations", json=quick, timeout=30)
        assert answer.status_code == 200 and answer.json() == {"predictions": [3.0]}

        threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # all 12 accepted (+1: this /metrics request)
            if "mlmodel_requests_in_flight 13" in httpx.get(f"{running.url}/metrics").text:
                break
            time.sleep(0.02)
        os.kill(running.process.pid, signal.SIGTERM)
        for thread in threads:
            thread.join(60)
        assert running.process.wait(60) == 0
    finally:
        running.stop()
    assert len(results) == 12
    for i, (status, answer_body) in sorted(results):
        assert status == 200 and answer_body == {"predictions": [2.0 * i]}


# -- start-up: who loads the model, and when ----------------------------------------------

#: a sitecustomize for the server's processes (the parent and every spawned worker run it):
#: each model load appends the loading process's id to $MLMODEL_TEST_LOADS; with
#: $MLMODEL_TEST_LOAD_FAILS the load raises what a missing package raises
LOAD_COUNTER = """
import os

if os.environ.get("MLMODEL_TEST_LOADS"):
    import mlmodel.runtime.load.dispatch as loading

    load_document = loading.load_document

    def counted(*args, **kwargs):
        with open(os.environ["MLMODEL_TEST_LOADS"], "a") as log:
            log.write(f"{os.getpid()}\\n")
        if os.environ.get("MLMODEL_TEST_LOAD_FAILS"):
            from mlmodel.core.errors import MissingDependencyError

            raise MissingDependencyError("needs notapackage: pip install notapackage",
                                         package="notapackage")
        return load_document(*args, **kwargs)

    loading.load_document = counted
"""


def _counting_env(tmp_path: Path, **extra: str) -> tuple[dict[str, str], Path]:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(LOAD_COUNTER)
    loads = tmp_path / "loads.txt"
    environ = env()
    environ["PYTHONPATH"] = f"{hook}{os.pathsep}{environ['PYTHONPATH']}"
    environ["MLMODEL_TEST_LOADS"] = str(loads)
    environ.update(extra)
    return environ, loads


def _loads(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_each_worker_loads_the_model_once_and_the_parent_never(
    models: dict[str, Path], tmp_path: Path
) -> None:
    environ, loads = _counting_env(tmp_path)
    port = free_port()
    cmd = mlmodel_cmd(models["classifier"], port, "--workers", "2")
    running = start(cmd, port, tmp_path / "server.log", environ=environ)
    try:
        deadline = time.monotonic() + 60
        while len(_loads(loads)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(4):
            response = httpx.post(f"{running.url}/invocations", json=VALID, timeout=30)
            assert response.status_code == 200
        pids = _loads(loads)
        assert len(pids) == 2 and len(set(pids)) == 2, pids  # one load in each worker
        assert str(running.process.pid) not in pids  # the parent only passed the gate
    finally:
        running.stop()


def test_a_worker_that_cannot_load_stops_the_server_with_its_error(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """No restart loop: uvicorn's parent stops, and the CLI reports the worker's error with
    its exit code (a missing package is something to install: 2, as everywhere)."""
    environ, loads = _counting_env(tmp_path, MLMODEL_TEST_LOAD_FAILS="1")
    cmd = mlmodel_cmd(models["classifier"], free_port(), "--workers", "2")
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=environ, timeout=120, check=False
    )
    assert done.returncode == 2, done.stderr
    assert (
        "mlmodel serve: a worker could not load the model: needs notapackage: pip install "
        "notapackage"
    ) in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert 1 <= len(_loads(loads)) <= 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_busy_port_stops_start_up_before_any_model_work(
    models: dict[str, Path], tmp_path: Path, workers: str
) -> None:
    environ, loads = _counting_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        cmd = [*mlmodel_cmd(models["classifier"], port), "--workers", workers]
        began = time.monotonic()
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=environ, timeout=60, check=False
        )
    assert done.returncode != 0
    assert f"127.0.0.1:{port}" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert _loads(loads) == []  # nothing was loaded
    assert time.monotonic() - began < 30
