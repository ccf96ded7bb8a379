"""Protocol parity: the same requests to ``mlflow models serve`` (MLflow 3.17.2, uvicorn,
``--env-manager local``) and ``mlmodel serve`` on the same models give the same status codes
and the same predictions for every valid input format; for invalid input mlmodel answers a
4xx whose message names the problem (where MLflow answers 500, too)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from harness.servers import (
    COLUMNS,
    Server,
    free_port,
    launch,
    mlflow_cmd,
    mlmodel_cmd,
    save_classifier,
)
from tests.serve_support import save_echo

ROWS = [[0.5, -1.0, 2.0, 3.0], [1.5, 0.25, -2.0, 0.0], [-3.0, 1.0, 0.0, 1.0]]
FRAME = pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """mlflow and mlmodel serving a classifier and a DataFrame-returning model, started
    side by side (MLflow's start-up dominates)."""
    base = tmp_path_factory.mktemp("parity")
    classifier = save_classifier(base / "classifier")
    echo = save_echo(base / "echo")
    plan = {
        "mlflow": (mlflow_cmd, classifier, ()),
        "mlmodel": (mlmodel_cmd, classifier, ()),
        "mlflow_echo": (mlflow_cmd, echo, ()),
        "mlmodel_echo": (mlmodel_cmd, echo, ("--allow-unsafe",)),
    }
    started: dict[str, Server] = {}
    try:
        for name, (cmd, model, extra) in plan.items():
            port = free_port()
            started[name] = launch(cmd(model, port, *extra), port, base / f"{name}.log")
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


def _post(server: Server, body: bytes | str, content_type: str | None) -> httpx.Response:
    headers = {} if content_type is None else {"Content-Type": content_type}
    data = body.encode() if isinstance(body, str) else body
    return httpx.post(f"{server.url}/invocations", content=data, headers=headers, timeout=30)


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


VALID: list[tuple[str, bytes | str, str]] = [
    (
        "split",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS}}),
        "application/json",
    ),
    (
        "split-index",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS, "index": [7, 8, 9]}}),
        "application/json",
    ),
    (
        "split-ints",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [[1, 2, 3, 4]]}}),
        "application/json",
    ),
    (
        "split-reordered",
        json.dumps(
            {"dataframe_split": {"columns": COLUMNS[::-1], "data": [r[::-1] for r in ROWS]}}
        ),
        "application/json",
    ),
    (
        "split-extra-column",
        json.dumps(
            {"dataframe_split": {"columns": [*COLUMNS, "e"], "data": [[*r, 9.0] for r in ROWS]}}
        ),
        "application/json",
    ),
    (
        "records",
        json.dumps({"dataframe_records": FRAME.to_dict(orient="records")}),
        "application/json",
    ),
    ("instances", json.dumps({"instances": FRAME.to_dict(orient="records")}), "application/json"),
    ("inputs-columns", json.dumps({"inputs": FRAME.to_dict(orient="list")}), "application/json"),
    ("inputs-records", json.dumps({"inputs": FRAME.to_dict(orient="records")}), "application/json"),
    (
        "params-ignored",
        json.dumps(
            {"dataframe_split": {"columns": COLUMNS, "data": ROWS}, "params": {"unused": 1}}
        ),
        "application/json",
    ),
    (
        "extra-keys-ignored",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS}, "comment": "x"}),
        "application/json",
    ),
    (
        "charset",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS}}),
        "application/json; charset=UTF-8",
    ),
    (
        "nan-literal",
        '{"dataframe_split": {"columns": ["a","b","c","d"], "data": [[1, 2, 3, 4]]}}',
        "application/json",
    ),
    ("csv", FRAME.to_csv(index=False), "text/csv"),
    ("csv-ints", "a,b,c,d\n1,2,3,4\n", "text/csv"),
    ("parquet", _parquet(FRAME), "application/vnd.apache.parquet"),
]


@pytest.mark.parametrize(("name", "body", "content_type"), VALID, ids=[v[0] for v in VALID])
def test_valid_requests_match_mlflow(
    servers: dict[str, Server], name: str, body: bytes | str, content_type: str
) -> None:
    theirs = _post(servers["mlflow"], body, content_type)
    ours = _post(servers["mlmodel"], body, content_type)
    assert theirs.status_code == 200, theirs.text
    assert ours.status_code == theirs.status_code, ours.text
    assert ours.headers["content-type"].startswith("application/json")
    assert ours.json() == theirs.json()


# (name, body, content type, what mlmodel's message must mention)
INVALID: list[tuple[str, bytes | str, str | None, str]] = [
    (
        "missing-column",
        json.dumps({"dataframe_split": {"columns": COLUMNS[:3], "data": [r[:3] for r in ROWS]}}),
        "application/json",
        "['d']",
    ),
    (
        "not-a-number",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [["x", 1, 2, 3]]}}),
        "application/json",
        "column a",
    ),
    ("not-json", "{not json", "application/json", "valid JSON"),
    ("list-body", "[1, 2]", "application/json", "Received a list"),
    ("scalar-body", "3", "application/json", "exactly one of the input fields"),
    ("no-format-key", "{}", "application/json", "exactly one of the input fields"),
    (
        "two-format-keys",
        json.dumps({"dataframe_split": {"data": ROWS}, "inputs": ROWS}),
        "application/json",
        "exactly one of the input fields",
    ),
    (
        "split-no-data",
        json.dumps({"dataframe_split": {"columns": COLUMNS}}),
        "application/json",
        "'data'",
    ),
    (
        "split-not-object",
        json.dumps({"dataframe_split": ROWS}),
        "application/json",
        "must be a dictionary",
    ),
    (
        "split-ragged",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [[1, 2, 3]]}}),
        "application/json",
        "columns",
    ),
    (
        "records-not-list",
        json.dumps({"dataframe_records": {"a": 1}}),
        "application/json",
        "list of records",
    ),
    ("unnamed-inputs", json.dumps({"inputs": ROWS}), "application/json", "missing inputs"),
    ("bad-utf8", b'{"inputs": "\xff"}', "application/json", "valid JSON"),
    ("csv-bad-utf8", b"a,b\n\xff,1\n", "text/csv", "UTF-8"),
    ("parquet-garbage", b"PAR1 not parquet", "application/vnd.apache.parquet", "Parquet"),
    ("text-plain", "x", "text/plain", "content types"),
    ("old-format-param", "{}", "application/json; format=pandas-split", "format"),
    ("latin1", "{}", "application/json; charset=latin-1", "UTF-8"),
    ("no-content-type", "{}", None, "Content-Type"),
]


@pytest.mark.parametrize(
    ("name", "body", "content_type", "mention"), INVALID, ids=[v[0] for v in INVALID]
)
def test_invalid_requests_get_a_named_4xx(
    servers: dict[str, Server],
    name: str,
    body: bytes | str,
    content_type: str | None,
    mention: str,
) -> None:
    theirs = _post(servers["mlflow"], body, content_type)
    ours = _post(servers["mlmodel"], body, content_type)
    assert 400 <= ours.status_code < 500, ours.text
    assert mention in ours.text
    if theirs.status_code < 500:  # where MLflow is right, the status is MLflow's
        assert ours.status_code == theirs.status_code, (theirs.text, ours.text)
    if ours.headers["content-type"].startswith("application/json"):
        error = ours.json()
        assert {"error_code", "message"} <= set(error)
        if theirs.status_code < 500 and theirs.headers["content-type"].startswith(
            "application/json"
        ):
            assert error["error_code"] == theirs.json()["error_code"]
            assert error.get("error_class") == theirs.json().get("error_class")


ECHO_ROWS = {"columns": ["x", "s"], "data": [[1.0, "u"], [2.5, "v"]]}
ECHO_VALID = [
    ("split", {"dataframe_split": ECHO_ROWS}),
    ("split-params", {"dataframe_split": ECHO_ROWS, "params": {"k": 5}}),
    ("records-params", {"dataframe_records": [{"x": 1.0, "s": "u"}], "params": {"k": 7}}),
    ("inputs", {"inputs": {"x": [1.0, 2.0], "s": ["a", "b"]}}),
]


@pytest.mark.parametrize(("name", "payload"), ECHO_VALID, ids=[v[0] for v in ECHO_VALID])
def test_dataframe_predictions_and_params_match_mlflow(
    servers: dict[str, Server], name: str, payload: dict[str, Any]
) -> None:
    body = json.dumps(payload)
    theirs = _post(servers["mlflow_echo"], body, "application/json")
    ours = _post(servers["mlmodel_echo"], body, "application/json")
    assert theirs.status_code == ours.status_code == 200, (theirs.text, ours.text)
    assert ours.json() == theirs.json()
    assert isinstance(ours.json()["predictions"], list)


def test_wrong_param_type_is_400_like_mlflow(servers: dict[str, Server]) -> None:
    body = json.dumps({"dataframe_split": ECHO_ROWS, "params": {"k": "not an int"}})
    theirs = _post(servers["mlflow_echo"], body, "application/json")
    ours = _post(servers["mlmodel_echo"], body, "application/json")
    assert ours.status_code == theirs.status_code == 400
    assert "k" in ours.json()["message"]


def test_health_endpoints_match_mlflow(servers: dict[str, Server]) -> None:
    for path in ("/ping", "/health"):
        theirs = httpx.get(servers["mlflow"].url + path)
        ours = httpx.get(servers["mlmodel"].url + path)
        assert (
            (ours.status_code, ours.content) == (theirs.status_code, theirs.content) == (200, b"\n")
        )
        assert ours.headers["content-type"] == theirs.headers["content-type"]
    version = httpx.get(servers["mlmodel"].url + "/version")
    assert version.status_code == 200 and version.text and not version.text.startswith('"')
    assert httpx.head(servers["mlmodel"].url + "/ping").status_code == 200
    for server in ("mlflow", "mlmodel"):
        assert httpx.get(servers[server].url + "/invocations").status_code == 405


def test_v2_predictions_equal_invocations(servers: dict[str, Server]) -> None:
    ours = servers["mlmodel"]
    name = Path(ours.url).name  # unused: the model name is the directory name
    del name
    meta = httpx.get(f"{ours.url}/v2/models/classifier").json()
    assert [i["name"] for i in meta["inputs"]] == COLUMNS
    assert all(i["datatype"] == "FP64" for i in meta["inputs"])
    request = {
        "id": "r1",
        "inputs": [
            {"name": col, "shape": [len(ROWS)], "datatype": "FP64", "data": list(FRAME[col])}
            for col in COLUMNS
        ],
    }
    v2 = httpx.post(f"{ours.url}/v2/models/classifier/infer", json=request)
    assert v2.status_code == 200, v2.text
    body = v2.json()
    assert body["id"] == "r1" and body["model_name"] == "classifier"
    mlflow_answer = _post(
        servers["mlflow"],
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": ROWS}}),
        "application/json",
    ).json()
    assert body["outputs"][0]["data"] == mlflow_answer["predictions"]
    assert body["outputs"][0]["shape"] == [len(ROWS)]
    assert httpx.get(f"{ours.url}/v2/health/live").json() == {"live": True}
    assert httpx.get(f"{ours.url}/v2/health/ready").json() == {"ready": True}
    assert httpx.get(f"{ours.url}/v2/models/classifier/ready").json()["ready"] is True
    assert httpx.get(f"{ours.url}/v2/models/other").status_code == 404
    version = meta["versions"][0]  # the model's uuid: the one version it answers for
    assert httpx.get(f"{ours.url}/v2/models/classifier/versions/{version}").status_code == 200
    for route in ("", "/ready"):
        other = httpx.get(f"{ours.url}/v2/models/classifier/versions/1{route}")
        assert other.status_code == 404, route
        assert other.json() == {"error": "Model classifier with version 1 not found"}
    refused = httpx.post(f"{ours.url}/v2/models/classifier/versions/1/infer", json=request)
    assert refused.status_code == 404
    bad = httpx.post(
        f"{ours.url}/v2/models/classifier/infer",
        json={"inputs": [{"name": "a", "shape": [2], "datatype": "FP64", "data": [1.0]}]},
    )
    assert bad.status_code == 400 and "'a'" in bad.json()["error"]
