"""The Open Inference Protocol over gRPC: a real ``mlmodel serve --grpc-port`` on 127.0.0.1
called by a real grpc client through the generated stubs.

Health, server and model metadata, ``ModelInfer`` with typed and with raw tensor contents
(answers equal to the HTTP V2 answers for the same request), errors as gRPC status codes
(another model NOT_FOUND, a bad tensor INVALID_ARGUMENT with the HTTP path's message, a
message over ``--max-body-size`` RESOURCE_EXHAUSTED, a slow prediction DEADLINE_EXCEEDED), a
SIGTERM that lets the call in flight finish, the usage errors found before the model is read,
and the checked-in generated code matching the proto.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest

from harness.child_process import ROOT, child_env, run_bounded
from harness.servers import Server, free_port, launch, mlmodel_cmd
from mlmodel.serve.grpc import inference_pb2 as pb
from mlmodel.serve.grpc.inference_pb2_grpc import GRPCInferenceServiceStub
from tests.serve_support import save_echo, save_slow

MAX_BODY = 64 * 1024
X = [1.5, -2.0, 0.25]
S = ["é", "v", ""]
#: V2 datatype -> little-endian numpy dtype of its raw contents (the client's own table)
RAW_DTYPES = {"INT64": "<i8", "INT32": "<i4", "FP64": "<f8", "FP32": "<f4"}
TYPED_FIELDS = {"INT64": "int64_contents", "FP64": "fp64_contents"}


class GrpcServer:
    """A running ``mlmodel serve`` of the model ``name`` and a client stub on its gRPC port."""

    def __init__(self, server: Server, name: str, grpc_port: int) -> None:
        self.server = server
        self.name = name
        self.channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        self.stub: Any = GRPCInferenceServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self.channel.close()
        self.server.stop()


def _serve(model: Path, log: Path, *extra: str) -> GrpcServer:
    port, grpc_port = free_port(), free_port()
    cmd = mlmodel_cmd(model, port, "--grpc-port", str(grpc_port), "--allow-unsafe", *extra)
    return GrpcServer(launch(cmd, port, log), model.name, grpc_port)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GrpcServer]]:
    """Started side by side: the echo model (a DataFrame of its input and params back) with a
    small body limit, and the slow model with a 1 s time limit (for the SIGTERM test only,
    which stops it)."""
    base = tmp_path_factory.mktemp("grpc")
    echo = save_echo(base / "echo")
    slow = save_slow(base / "slow")
    started = {
        "echo": _serve(echo, base / "echo.log", "--max-body-size", str(MAX_BODY)),
        "slow": _serve(slow, base / "slow.log", "--timeout", "1"),
    }
    try:
        for running in started.values():
            running.server.wait_ready()
        yield started
    finally:
        for running in started.values():
            running.close()


def _typed_request(model: str, **fields: Any) -> pb.ModelInferRequest:
    request = pb.ModelInferRequest(model_name=model, **fields)
    request.parameters["k"].int64_param = 7
    request.inputs.add(name="x", datatype="FP64", shape=[3]).contents.fp64_contents.extend(X)
    strings = request.inputs.add(name="s", datatype="BYTES", shape=[3])
    strings.contents.bytes_contents.extend(text.encode() for text in S)
    return request


def _http_request(**fields: Any) -> dict[str, Any]:
    inputs = [
        {"name": "x", "datatype": "FP64", "shape": [3], "data": X},
        {"name": "s", "datatype": "BYTES", "shape": [3], "data": S},
    ]
    return {"parameters": {"k": 7}, "inputs": inputs, **fields}


def _raw_strings(raw: bytes) -> list[str]:
    out, offset = [], 0
    while offset < len(raw):
        (length,) = struct.unpack_from("<I", raw, offset)
        out.append(raw[offset + 4 : offset + 4 + length].decode())
        offset += 4 + length
    return out


def _as_http(response: pb.ModelInferResponse) -> dict[str, Any]:
    """A gRPC response in the HTTP V2 JSON form, decoded by the client alone."""
    outputs = []
    for index, output in enumerate(response.outputs):
        data: list[Any]
        if response.raw_output_contents:
            raw = response.raw_output_contents[index]
            if output.datatype == "BYTES":
                data = _raw_strings(raw)
            else:
                data = np.frombuffer(raw, dtype=RAW_DTYPES[output.datatype]).tolist()
        elif output.datatype == "BYTES":
            data = [value.decode() for value in output.contents.bytes_contents]
        else:
            data = list(getattr(output.contents, TYPED_FIELDS[output.datatype]))
        outputs.append(
            {
                "name": output.name,
                "shape": list(output.shape),
                "datatype": output.datatype,
                "data": data,
            }
        )
    answer: dict[str, Any] = {"model_name": response.model_name, "outputs": outputs}
    if response.id:
        answer["id"] = response.id
    if response.model_version:
        answer["model_version"] = response.model_version
    return answer


def _code(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error: Any = caught.value
    return error.code(), error.details()


def test_health_and_metadata_equal_the_http_answers(servers: dict[str, GrpcServer]) -> None:
    running = servers["echo"]
    stub, url, name = running.stub, running.server.url, running.name
    assert stub.ServerLive(pb.ServerLiveRequest(), timeout=10).live is True
    assert stub.ServerReady(pb.ServerReadyRequest(), timeout=10).ready is True
    assert stub.ModelReady(pb.ModelReadyRequest(name=name), timeout=10).ready is True
    server = stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=10)
    assert {
        "name": server.name,
        "version": server.version,
        "extensions": list(server.extensions),
    } == httpx.get(f"{url}/v2").json()
    meta = stub.ModelMetadata(pb.ModelMetadataRequest(name=name), timeout=10)
    http = httpx.get(f"{url}/v2/models/{name}").json()
    assert (meta.name, list(meta.versions), meta.platform) == (
        http["name"],
        http["versions"],
        http["platform"],
    )
    described = 0
    for ours, theirs in zip(
        [*meta.inputs, *meta.outputs], [*http["inputs"], *http["outputs"]], strict=True
    ):
        assert (ours.name, ours.datatype, list(ours.shape)) == (
            theirs["name"],
            theirs["datatype"],
            theirs["shape"],
        )
        for key, value in theirs.get("parameters", {}).items():
            assert ours.parameters[key].bool_param is value
            described += 1
    assert [t.name for t in meta.inputs] == ["x", "s"] and described == 4
    # the model's own version is found too
    ready = pb.ModelReadyRequest(name=name, version=meta.versions[0])
    assert stub.ModelReady(ready, timeout=10).ready is True


def test_infer_with_typed_contents_equals_http(servers: dict[str, GrpcServer]) -> None:
    """FP64 and BYTES tensors in their typed fields, request parameters as params."""
    running = servers["echo"]
    response = running.stub.ModelInfer(_typed_request(running.name, id="req-1"), timeout=10)
    assert not response.raw_output_contents  # typed in, typed out
    http = httpx.post(
        f"{running.server.url}/v2/models/{running.name}/infer", json=_http_request(id="req-1")
    )
    assert http.status_code == 200, http.text
    assert _as_http(response) == http.json()
    assert [(o.name, o.datatype) for o in response.outputs] == [
        ("x", "FP64"),
        ("s", "BYTES"),
        ("param_k", "INT64"),
    ]
    assert response.id == "req-1"


def test_infer_with_raw_contents_equals_http(servers: dict[str, GrpcServer]) -> None:
    """An FP32 [N, 1] tensor as little-endian bytes (cast to the signature's double as the
    HTTP path casts it) and BYTES as length-prefixed elements; the answer comes back raw."""
    running = servers["echo"]
    request = pb.ModelInferRequest(model_name=running.name)
    request.parameters["k"].int64_param = 7
    request.inputs.add(name="x", datatype="FP32", shape=[3, 1])
    request.inputs.add(name="s", datatype="BYTES", shape=[3])
    request.raw_input_contents.append(np.array(X, dtype="<f4").tobytes())
    request.raw_input_contents.append(
        b"".join(struct.pack("<I", len(t.encode())) + t.encode() for t in S)
    )
    response = running.stub.ModelInfer(request, timeout=10)
    assert len(response.raw_output_contents) == 3
    assert not any(output.HasField("contents") for output in response.outputs)
    body = _http_request()
    body["inputs"][0].update(datatype="FP32", shape=[3, 1])
    http = httpx.post(f"{running.server.url}/v2/models/{running.name}/infer", json=body)
    assert http.status_code == 200, http.text
    assert _as_http(response) == http.json()


def test_another_model_or_version_is_not_found(servers: dict[str, GrpcServer]) -> None:
    running = servers["echo"]
    stub, name = running.stub, running.name
    for call in (
        lambda: stub.ModelInfer(_typed_request("other"), timeout=10),
        lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name="other"), timeout=10),
        lambda: stub.ModelReady(pb.ModelReadyRequest(name="other"), timeout=10),
    ):
        assert _code(call) == (grpc.StatusCode.NOT_FOUND, "Model other not found")
    wrong = _typed_request(name, model_version="no-such-version")
    code, message = _code(lambda: stub.ModelInfer(wrong, timeout=10))
    assert code == grpc.StatusCode.NOT_FOUND and "with version no-such-version not found" in message


def _bad_requests(name: str) -> dict[str, pb.ModelInferRequest]:
    short = _typed_request(name)
    short.inputs[0].contents.fp64_contents.pop()
    wrong_field = pb.ModelInferRequest(model_name=name)
    wrong_field.inputs.add(name="x", datatype="FP64", shape=[1]).contents.fp32_contents.append(1)
    unknown_type = _typed_request(name)
    unknown_type.inputs[0].datatype = "FLOAT"
    raw_short = pb.ModelInferRequest(model_name=name, raw_input_contents=[b"\x00" * 7])
    raw_short.inputs.add(name="x", datatype="FP64", shape=[1])
    both = _typed_request(name)
    both.raw_input_contents.extend([b"\x00" * 24, b""])
    return {
        "shape [3] needs 3 elements, 'contents.fp64_contents' has 2": short,
        "FP64 data goes in 'fp64_contents', not ['fp32_contents']": wrong_field,
        "unknown datatype 'FLOAT'": unknown_type,
        "raw contents have 7 bytes, 1 FP64 elements need 8": raw_short,
        "'contents' is set and so is raw_input_contents": both,
        "request: 'inputs' is empty": pb.ModelInferRequest(model_name=name),
    }


def test_a_bad_tensor_is_invalid_argument(servers: dict[str, GrpcServer]) -> None:
    running = servers["echo"]
    for expected, request in _bad_requests(running.name).items():
        code, message = _code(lambda r=request: running.stub.ModelInfer(r, timeout=10))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, (expected, message)
        assert expected in message, message
    # a request the model refuses (a required column missing): the HTTP path's message
    missing = _typed_request(running.name)
    del missing.inputs[1]
    code, message = _code(lambda: running.stub.ModelInfer(missing, timeout=10))
    body = _http_request()
    body["inputs"].pop()
    http = httpx.post(f"{running.server.url}/v2/models/{running.name}/infer", json=body)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert http.status_code == 400 and http.json() == {"error": message}


def test_a_message_over_the_body_limit_is_resource_exhausted(
    servers: dict[str, GrpcServer],
) -> None:
    running = servers["echo"]
    request = pb.ModelInferRequest(model_name=running.name)
    big = request.inputs.add(name="x", datatype="FP64", shape=[MAX_BODY // 8 + 1])
    big.contents.fp64_contents.extend([0.0] * (MAX_BODY // 8 + 1))
    code, _ = _code(lambda: running.stub.ModelInfer(request, timeout=10))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert running.stub.ServerLive(pb.ServerLiveRequest(), timeout=10).live is True


def test_the_decoding_limits_hold_over_grpc_before_any_input_is_decoded() -> None:
    """The HTTP routes' decoded-size limits hold for protobuf requests too, with their 413
    (RESOURCE_EXHAUSTED) and message: the inputs are counted before any is decoded."""
    from mlmodel.scoring.errors import ScoringError
    from mlmodel.scoring.limits import DecodeLimits
    from mlmodel.serve.grpc import codec
    from mlmodel.serve.grpc.servicer import status_code

    request = pb.ModelInferRequest(model_name="m")
    for index in range(3):  # no contents at all: decoding any of them would fail otherwise
        request.inputs.add(name=f"c{index}", datatype="FP64", shape=[1])
    with pytest.raises(ScoringError) as caught:
        codec.decode_infer_request(request, None, DecodeLimits(max_columns=2))
    assert caught.value.status == 413 and "--max-columns" in caught.value.message
    assert status_code(caught.value.status) == grpc.StatusCode.RESOURCE_EXHAUSTED
    rows = pb.ModelInferRequest(model_name="m")
    rows.inputs.add(name="x", datatype="FP64", shape=[3]).contents.fp64_contents.extend(X)
    with pytest.raises(ScoringError) as caught:
        codec.decode_infer_request(rows, None, DecodeLimits(max_rows=2))
    assert caught.value.status == 413 and "--max-rows" in caught.value.message
    decoded, _, _ = codec.decode_infer_request(rows, None, DecodeLimits(max_rows=3))
    assert len(decoded.data) == 3


def _slow_request(name: str, delay: float) -> pb.ModelInferRequest:
    request = pb.ModelInferRequest(model_name=name)
    request.inputs.add(name="x", datatype="FP64", shape=[1]).contents.fp64_contents.append(2.0)
    request.inputs.add(name="delay", datatype="FP64", shape=[1]).contents.fp64_contents.append(
        delay
    )
    return request


def test_deadline_exceeded_abandons_the_work_and_sigterm_lets_the_call_in_flight_finish(
    servers: dict[str, GrpcServer],
) -> None:
    """Five predictions past the 1 s limit (more than the pool's four threads) are abandoned:
    a quick call right after is answered, and SIGTERM does not wait for the abandoned ones
    (30 s each) but lets the call in flight finish."""
    running = servers["slow"]
    name, stub = running.name, running.stub
    began = time.monotonic()
    codes: list[tuple[Any, str]] = []
    stuck = [
        threading.Thread(
            target=lambda: codes.append(
                _code(lambda: stub.ModelInfer(_slow_request(name, 30.0), timeout=20))
            )
        )
        for _ in range(5)
    ]
    for thread in stuck:
        thread.start()
    for thread in stuck:
        thread.join(20)
    assert (
        codes == [(grpc.StatusCode.DEADLINE_EXCEEDED, "Request processing time exceeded limit")] * 5
    )
    assert time.monotonic() - began < 5
    answers: list[Any] = []
    call = threading.Thread(
        target=lambda: answers.append(stub.ModelInfer(_slow_request(name, 0.6), timeout=20))
    )
    call.start()
    time.sleep(0.2)  # the call is in flight
    stopping = time.monotonic()
    os.killpg(running.server.process.pid, signal.SIGTERM)
    call.join(20)
    assert len(answers) == 1 and list(answers[0].outputs[0].contents.fp64_contents) == [4.0]
    assert running.server.process.wait(20) == 0
    assert time.monotonic() - stopping < 10  # not the abandoned predictions' 30 s


def _blocking_grpc(tmp_path: Path) -> dict[str, str]:
    """A child environment in which grpcio cannot be imported."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['grpc'] = None\n")
    environ = child_env()
    environ["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{environ['PYTHONPATH']}"
    return environ


def test_without_grpcio_the_grpc_port_is_a_usage_error_before_the_model(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"  # read after the checks: never reached
    cmd = mlmodel_cmd(missing, free_port(), "--grpc-port", str(free_port()))
    done = run_bounded(cmd, env=_blocking_grpc(tmp_path), timeout=60)
    assert done.returncode == 2, done.stderr
    assert 'needs the grpc extra: pip install "mlmodel[grpc]"' in done.stderr
    assert "no-such-model" not in done.stderr and "Traceback" not in done.stderr


def test_a_busy_or_shared_grpc_port_is_a_usage_error_before_the_model(tmp_path: Path) -> None:
    from mlmodel.core.errors import UsageError
    from mlmodel.serve.server import ServeOptions, serve

    missing = str(tmp_path / "no-such-model")
    port = free_port()
    with pytest.raises(UsageError, match="are both"):
        serve(ServeOptions(model=missing, port=port, grpc_port=port, caller="cli"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        with pytest.raises(UsageError, match=f"127.0.0.1:{busy}: the port is in use.*--grpc-port"):
            serve(ServeOptions(model=missing, port=port, grpc_port=busy, caller="cli"))


def test_the_generated_code_matches_the_proto(tmp_path: Path) -> None:
    """scripts/generate_grpc.py regenerates the checked-in modules byte for byte."""
    done = run_bounded(
        [sys.executable, str(ROOT / "scripts" / "generate_grpc.py"), "--out", str(tmp_path)],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    generated = sorted(tmp_path.rglob("inference_pb2*"))
    assert [p.name for p in generated] == [
        "inference_pb2.py",
        "inference_pb2.pyi",
        "inference_pb2_grpc.py",
    ]
    for path in generated:
        checked_in = ROOT / path.relative_to(tmp_path)
        assert path.read_bytes() == checked_in.read_bytes(), (
            f"{checked_in} is stale: run {done.args[1]}"
        )
