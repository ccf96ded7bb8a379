"""Adaptive batching in ``mlmodel serve --max-batch-size N``: concurrent requests merged into
one ``predict`` get exactly the answers they get alone; a malformed request, a request the
model refuses and requests with params are answered alone, never failing their neighbours.
The batching and worker options are checked before anything else; ``--workers`` defaults to
one worker per usable CPU.

One real server (one worker, batches of up to 8 requests within 50 ms) serves
:class:`tests.serve_models.ScaleModel` (``x * k``): a share of the predictions handed to the
wrong request, or a params request merged with others, shows in the values.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.servers import Server, free_port, mlmodel_cmd, start
from mlmodel.cli.app import run
from mlmodel.serve.server import MAX_DEFAULT_WORKERS, ServeOptions, default_workers
from tests.serve_models import ScaleModel
from tests.serve_support import save_scale

CONCURRENCY = 16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("batching")
    model = save_scale(base / "scale")
    port = free_port()
    cmd = mlmodel_cmd(
        model, port, "--allow-unsafe", "--max-batch-size", "8", "--max-batch-time", "0.05"
    )
    running = start(cmd, port, base / "server.log")
    try:
        yield running
    finally:
        running.stop()


def _v2(xs: list[float], params: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "inputs": [{"name": "x", "shape": [len(xs)], "datatype": "FP64", "data": xs}]
    }
    if params is not None:
        body["parameters"] = params
    return body


def _split(xs: list[float], params: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"dataframe_split": {"columns": ["x"], "data": [[x] for x in xs]}}
    if params is not None:
        body["params"] = params
    return body


def _ask(client: httpx.Client, route: str, body: Any) -> tuple[int, Any]:
    """(status, predictions) of one request (its JSON answer when not 200)."""
    path = "/v2/models/scale/infer" if route == "v2" else "/invocations"
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/json"}
        response = client.post(path, content=body, headers=headers)
    else:
        response = client.post(path, json=body)
    answer = response.json()
    if response.status_code != 200:
        return response.status_code, answer
    if route == "v2":
        return 200, answer["outputs"][0]["data"]
    return 200, answer["predictions"]


def _xs(route: str, body: dict[str, Any]) -> list[float]:
    """The x values a request sends."""
    if route == "v2":
        return list(body["inputs"][0]["data"])
    return [row[0] for row in body["dataframe_split"]["data"]]


def _client(server: Server) -> httpx.Client:
    limits = httpx.Limits(max_connections=CONCURRENCY)
    return httpx.Client(base_url=server.url, timeout=30, limits=limits)


def _concurrently(server: Server, requests: list[tuple[str, Any]]) -> list[tuple[int, Any]]:
    """The answers to ``requests``, sent ``CONCURRENCY`` at a time."""
    with _client(server) as client, ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(lambda request: _ask(client, *request), requests))


def _batched_requests(server: Server) -> int:
    metrics = httpx.get(server.url + "/metrics").text
    found = re.search(r"^mlmodel_batched_requests_total (\d+)$", metrics, re.MULTILINE)
    assert found, metrics
    return int(found.group(1))


def test_concurrent_requests_get_the_answers_they_get_alone(server: Server) -> None:
    rng = random.Random(18)
    requests = []
    for i in range(96):
        xs = [round(rng.uniform(-100, 100), 3) for _ in range(rng.randint(1, 4))]
        route = "v2" if i % 2 else "invocations"
        requests.append((route, _v2(xs) if route == "v2" else _split(xs)))
    with _client(server) as client:
        alone = [_ask(client, *request) for request in requests[:4]]  # one at a time
    before = _batched_requests(server)

    answers = _concurrently(server, requests)

    assert answers[:4] == alone
    for (route, body), (status, predictions) in zip(requests, answers, strict=True):
        assert (status, predictions) == (200, _xs(route, body)), (route, body)
    assert _batched_requests(server) - before >= 16  # most were answered from merged batches


def test_a_bad_request_never_fails_its_neighbours(server: Server) -> None:
    good: list[tuple[str, Any]] = [("v2", _v2([i + 0.25, i + 0.5])) for i in range(20)]
    good += [("invocations", _split([-i - 0.25])) for i in range(20)]
    bad: list[tuple[str, Any]] = [
        ("v2", b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1'),
        ("invocations", b"not json"),
        ("v2", _v2([ScaleModel.UNLUCKY])),  # decodes and merges; the model refuses it
        ("invocations", _split([2.0, ScaleModel.UNLUCKY])),
        ("invocations", {"dataframe_split": {"columns": ["x"], "data": [["text"]]}}),
    ]
    requests = good[:10] + bad + good[10:30] + bad + good[30:]

    answers = _concurrently(server, requests)

    for request, (status, answer) in zip(requests, answers, strict=True):
        route, body = request
        if request in bad:
            assert status == 400, (request, answer)
            continue
        assert (status, answer) == (200, _xs(route, body)), request


def test_requests_with_params_are_never_merged(server: Server) -> None:
    requests = []
    for i in range(48):
        k = [None, 2.0, 3.0][i % 3]
        params = None if k is None else {"k": k}
        xs = [i + 0.25, 1.5]  # never ScaleModel.UNLUCKY
        requests.append(("v2", _v2(xs, params)) if i % 2 else ("invocations", _split(xs, params)))

    answers = _concurrently(server, requests)

    for (route, body), (status, predictions) in zip(requests, answers, strict=True):
        params = body.get("parameters" if route == "v2" else "params") or {}
        k = params.get("k", 1.0)
        assert (status, predictions) == (200, [x * k for x in _xs(route, body)]), body


@pytest.mark.parametrize(
    "option",
    [["--max-batch-size", "0"], ["--max-batch-time", "-1"], ["--workers", "0"], ["--threads", "0"]],
)
def test_batching_and_worker_options_are_checked_first(
    option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["serve", "no-such-model", *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_workers_default_to_one_per_usable_cpu() -> None:
    cpus = len(os.sched_getaffinity(0))
    assert default_workers() == min(cpus, MAX_DEFAULT_WORKERS)
    assert ServeOptions(model="m").workers == default_workers()


def test_one_prediction_thread_per_process_by_default_and_threads_reach_the_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One prediction thread per worker process unless --threads says otherwise (a CPU-bound
    model's p99 was 10 ms with one and 20 ms with four on V2 1,000-row bodies)."""
    from mlmodel.serve import server
    from mlmodel.serve.app import DEFAULT_THREADS, ServerConfig

    assert DEFAULT_THREADS == 1 and ServeOptions(model="m").threads == 1
    assert ServerConfig.__dataclass_fields__["threads"].default == DEFAULT_THREADS
    started: list[Any] = []
    monkeypatch.setattr(server, "serve", started.append)  # the options, not a server
    assert run(["serve", str(tmp_path), "--threads", "3"]) == 0
    assert run(["serve", str(tmp_path)]) == 0
    assert [options.threads for options in started] == [3, 1]
