"""The scoring codecs against MLflow's own functions (the oracle): prediction JSON, error
codes and statuses, Content-Type rules, payload decoding; the V2 codec; the JSON codec."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmodel.runtime.predict.signature_spec import parse_inputs
from mlmodel.scoring import jsonio, v2
from mlmodel.scoring.content_type import mime_type
from mlmodel.scoring.errors import ERROR_CODE_TO_HTTP_STATUS, ScoringError
from mlmodel.scoring.payload import ModelInputs, decode_json
from mlmodel.scoring.predictions import to_json

PREDICTIONS: list[tuple[str, Any]] = [
    ("int-array", np.array([0, 1, 1])),
    ("float-array", np.array([0.5, 1.25, -3.0])),
    ("2d-array", np.arange(6, dtype=np.float32).reshape(2, 3)),
    ("bool-array", np.array([True, False])),
    ("str-array", np.array(["a", "b"])),
    ("object-array", np.array(["a", 1, 2.5], dtype=object)),
    ("frame", pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5]})),
    ("frame-int-columns", pd.DataFrame([[1, 2], [3, 4]])),
    ("series-unnamed", pd.Series([1, 2])),
    ("series-named", pd.Series([1.5, 2.5], name="score")),
    ("string", "text"),
    ("list", [1, "a", None]),
    ("dict", {"k": [1, 2], "n": {"m": 1.5}}),
    ("numpy-scalar", np.float64(2.5)),
    ("bytes", b"\x00\x01binary"),
    ("dates", pd.DataFrame({"t": [dt.datetime(2024, 1, 2, 3, 4, 5)], "d": [dt.date(2024, 1, 2)]})),
    ("empty-array", np.array([])),
]


@pytest.mark.parametrize(("name", "value"), PREDICTIONS, ids=[p[0] for p in PREDICTIONS])
def test_predictions_serialise_as_mlflow_does(name: str, value: Any) -> None:
    from mlflow.pyfunc.scoring_server import predictions_to_json

    out = io.StringIO()
    predictions_to_json(value, out)
    assert json.loads(to_json(value)) == json.loads(out.getvalue())


def test_unified_llm_answers_are_unwrapped() -> None:
    from mlflow.pyfunc.scoring_server import unwrapped_predictions_to_json

    out = io.StringIO()
    value = {"choices": [{"message": {"content": "hi"}}]}
    unwrapped_predictions_to_json(value, out)
    assert json.loads(to_json(value, wrap=False)) == json.loads(out.getvalue())


@pytest.mark.parametrize("code", sorted(ERROR_CODE_TO_HTTP_STATUS))
def test_error_codes_map_to_mlflows_status_sqlstate_and_class(code: str) -> None:
    from mlflow.exceptions import ERROR_CODE_TO_HTTP_STATUS as MLFLOW_STATUS
    from mlflow.exceptions import MlflowException
    from mlflow.protos import databricks_pb2

    ours = ScoringError("m", error_code=code)
    theirs = MlflowException("m", error_code=getattr(databricks_pb2, code))
    assert ours.status == MLFLOW_STATUS[code] == theirs.get_http_status_code()
    assert ours.as_dict() == json.loads(theirs.serialize_as_json())


def test_schema_enforcement_error_keeps_its_class() -> None:
    from mlflow.exceptions import MlflowException

    from mlmodel.core.errors import SchemaEnforcementError
    from mlmodel.scoring.errors import from_exception

    ours = from_exception(SchemaEnforcementError("Model is missing inputs ['d']."))
    theirs = MlflowException.invalid_parameter_value("m", error_class="SCHEMA_ENFORCEMENT_FAILED")
    assert ours.status == 400
    assert ours.sqlstate == theirs.sqlstate and ours.error_class == theirs.error_class


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/json", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("application/json;charset=UTF-8", "application/json"),
        ("text/csv", "text/csv"),
        ("application/vnd.apache.parquet", "application/vnd.apache.parquet"),
        ("application/json; charset=latin-1", 415),
        ("application/json; format=pandas-split", 415),
        ("text/plain", 415),
        ("application/json-numpy-split", 415),
        ("", 415),
        (None, 415),
    ],
)
def test_content_type_rules(header: str | None, expected: str | int) -> None:
    if isinstance(expected, str):
        assert mime_type(header) == expected
        return
    with pytest.raises(ScoringError) as caught:
        mime_type(header)
    assert caught.value.status == 415 and caught.value.media_type == "text/plain"


SIGNATURE = json.dumps(
    [
        {"type": "double", "name": "a", "required": True},
        {"type": "long", "name": "b", "required": True},
        {"type": "string", "name": "s", "required": True},
        {"type": "boolean", "name": "f", "required": False},
    ]
)
PAYLOADS = [
    {"dataframe_split": {"columns": ["a", "b", "s", "f"], "data": [[1, 2, "x", True]]}},
    {
        "dataframe_split": {
            "columns": ["b", "a", "s"],
            "data": [[1, 2.5, "x"], [3, 4, "y"]],
            "index": [5, 6],
        }
    },
    {"dataframe_records": [{"a": 1.5, "b": 2, "s": "x"}, {"a": 2, "b": 3, "s": "y", "f": False}]},
    {"instances": [{"a": 1.5, "b": 2, "s": "x"}, {"a": 2, "b": 3, "s": "y"}]},
    {"inputs": {"a": [1.5, 2.0], "b": [2, 3], "s": ["x", "y"]}},
    {"inputs": [{"a": 1.5, "b": 2, "s": "x"}]},
    {"inputs": {"a": 1.5, "b": 2, "s": "x"}},
]


def _same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for key in theirs:
            _same(ours[key], theirs[key])
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _same(a, b)
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: next(iter(p)))
def test_payloads_decode_as_mlflow_decodes_them(payload: dict[str, Any]) -> None:
    from mlflow.pyfunc.scoring_server import infer_and_parse_data
    from mlflow.types import Schema

    theirs = infer_and_parse_data(payload, Schema.from_json(SIGNATURE))
    ours = decode_json(json.dumps(payload), ModelInputs.of(parse_inputs(SIGNATURE)))
    _same(ours.data, theirs)


DOUBLES = json.dumps([{"type": "double", "name": n, "required": True} for n in "abc"])
LONGS = json.dumps([{"type": "long", "name": n, "required": True} for n in "abc"])


@pytest.mark.parametrize("signature", [DOUBLES, LONGS], ids=["doubles", "longs"])
@pytest.mark.parametrize(
    "data",
    [
        [[1, 2, 3]],
        [[1.5, 2, -3]],
        [[1, 2, 3], [4, 5, 6]],
        [[float("nan"), 1, 2]],
        [[2**53, 1, 0]],
        [[True, 1.5, 2]],
    ],
    ids=["ints", "mixed", "two-rows", "nan", "big", "bool"],
)
def test_numeric_split_fast_path_equals_mlflows_decoding(signature: str, data: Any) -> None:
    from mlflow.exceptions import MlflowException
    from mlflow.pyfunc.scoring_server import infer_and_parse_data
    from mlflow.types import Schema

    for columns in (["a", "b", "c"], ["c", "a", "b"]):
        payload = {"dataframe_split": {"columns": columns, "data": data}}
        try:
            theirs = infer_and_parse_data(payload, Schema.from_json(signature))
        except MlflowException:
            with pytest.raises(ScoringError):
                decode_json(json.dumps(payload), ModelInputs.of(parse_inputs(signature)))
            continue
        ours = decode_json(json.dumps(payload), ModelInputs.of(parse_inputs(signature)))
        _same(ours.data, theirs)


def test_params_and_llm_bodies() -> None:
    inputs = ModelInputs.of(parse_inputs(SIGNATURE), frozenset({"temperature"}))
    decoded = decode_json(b'{"inputs": {"a": [1.0]}, "params": {"k": 1}}', inputs)
    assert decoded.params == {"k": 1} and decoded.wrap
    llm = decode_json(b'{"messages": [{"role": "user"}], "temperature": 0.2, "n": 1}', inputs)
    assert llm.wrap is False and llm.params == {"temperature": 0.2}
    assert llm.data == {"messages": [{"role": "user"}], "n": 1}


def test_v2_request_becomes_a_frame_and_predictions_become_outputs() -> None:
    body = json.dumps(
        {
            "id": "7",
            "parameters": {"k": 2},
            "inputs": [
                {"name": "a", "shape": [2, 1], "datatype": "FP64", "data": [[1.0], [2.0]]},
                {"name": "s", "shape": [2], "datatype": "BYTES", "data": ["x", "y"]},
            ],
        }
    ).encode()
    decoded, request_id = v2.decode_request(body, parse_inputs(SIGNATURE))
    assert request_id == "7" and decoded.params == {"k": 2}
    pd.testing.assert_frame_equal(
        decoded.data, pd.DataFrame({"a": [1.0, 2.0], "s": np.array(["x", "y"], dtype=object)})
    )
    response = v2.encode_response(
        np.array([[1, 2], [3, 4]]), model_name="m", request_id="7", output_names=["predict"]
    )
    assert json.loads(jsonio.dumps(response)) == {
        "model_name": "m",
        "id": "7",
        "outputs": [
            {"name": "predict", "shape": [2, 2], "datatype": "INT64", "data": [1, 2, 3, 4]}
        ],
    }
    frame = v2.encode_response(
        pd.DataFrame({"p": [0.5], "q": ["z"]}),
        model_name="m",
        request_id=None,
        output_names=["predict"],
    )
    assert [o["name"] for o in frame["outputs"]] == ["p", "q"]
    assert frame["outputs"][1]["datatype"] == "BYTES"


@pytest.mark.parametrize(
    ("request_body", "mention"),
    [
        ({}, "'inputs'"),
        ({"inputs": []}, "empty"),
        ({"inputs": [{"name": "a", "shape": [2], "datatype": "FP64", "data": [1]}]}, "needs 2"),
        ({"inputs": [{"name": "a", "shape": [1], "datatype": "FLOAT", "data": [1]}]}, "datatype"),
        ({"inputs": [{"name": "a", "shape": [-1], "datatype": "FP64", "data": [1]}]}, "shape"),
        ({"inputs": [{"name": "a", "shape": [1], "datatype": "INT8", "data": ["x"]}]}, "numbers"),
        (
            {"inputs": [{"name": "a", "shape": [1], "datatype": "FP64", "data": [{"x": 1}]}]},
            "object",
        ),
        ({"inputs": [{"shape": [1], "datatype": "FP64", "data": [1]}]}, "'name'"),
        (
            {"inputs": [{"name": "a", "shape": [10**9, 10**9], "datatype": "FP64", "data": []}]},
            "too large",
        ),
    ],
)
def test_v2_malformed_requests_name_the_problem(request_body: Any, mention: str) -> None:
    with pytest.raises(v2.V2Error) as caught:
        v2.decode_request(json.dumps(request_body).encode(), None)
    assert caught.value.status == 400 and mention in caught.value.message


def test_v2_metadata_from_the_signature() -> None:
    meta = v2.model_metadata("m", parse_inputs(SIGNATURE), None, version="1")
    assert meta["versions"] == ["1"]
    assert [(i["name"], i["datatype"]) for i in meta["inputs"]] == [
        ("a", "FP64"),
        ("b", "INT64"),
        ("s", "BYTES"),
        ("f", "BOOL"),
    ]


class _StubModel:
    """What the data plane asks of a PyFuncModel: the signature's schemas and ``predict``."""

    params_schema = None
    is_signature_from_type_hint = False

    def __init__(self, predict: Any) -> None:
        self.input_schema = parse_inputs(json.dumps([{"type": "double", "name": "a"}]))
        self.output_schema = parse_inputs(json.dumps([{"type": "long", "name": "label"}]))
        self.predict = predict


def _v2_plane(predict: Any) -> Any:
    from mlmodel.scoring.dataplane import OpenInference, Scorer

    return OpenInference(Scorer(_StubModel(predict)), "m", "3")  # type: ignore[arg-type]


def test_the_data_plane_makes_every_v2_answer_without_http() -> None:
    from mlmodel import __version__

    plane = _v2_plane(lambda data, params=None: (data["a"] * 2).astype("int64").to_numpy())
    answers = {
        "server": plane.server(),
        "live": plane.live(),
        "ready": plane.ready(),
        "metadata": plane.metadata("m"),
        "model_ready": plane.model_ready("m"),
    }
    assert {k: (a.status, a.media_type) for k, a in answers.items()} == dict.fromkeys(
        answers, (200, "application/json")
    )
    assert json.loads(answers["server"].body)["version"] == __version__
    assert json.loads(answers["metadata"].body)["outputs"][0]["name"] == "label"
    for other in (plane.metadata("x"), plane.model_ready("x"), plane.unknown("x")):
        assert (other.status, json.loads(other.body)) == (404, {"error": "Model x not found"})
    assert plane.unknown("m") is None
    assert plane.unknown("m", "3") is None and plane.metadata("m", "3").status == 200
    for answer in (plane.metadata("m", "1"), plane.model_ready("m", "1"), plane.unknown("m", "1")):
        assert answer is not None
        assert (answer.status, json.loads(answer.body)) == (
            404,
            {"error": "Model m with version 1 not found"},
        )
    body = {"id": "r", "inputs": [{"name": "a", "shape": [2], "datatype": "FP64", "data": [1, 2]}]}
    answer = plane.infer(json.dumps(body).encode())
    assert (answer.status, json.loads(answer.body)) == (
        200,
        {
            "model_name": "m",
            "id": "r",
            "model_version": "3",
            "outputs": [{"name": "label", "shape": [2], "datatype": "INT64", "data": [2, 4]}],
        },
    )
    malformed = plane.infer(b"[]")
    assert (malformed.status, json.loads(malformed.body)) == (
        400,
        {"error": "the request body must be a JSON object"},
    )
    refused = plane.error(ScoringError("too big", error_code="REQUEST_LIMIT_EXCEEDED", status=413))
    assert (refused.status, json.loads(refused.body)) == (413, {"error": "too big"})
    late = plane.timeout()
    assert (late.status, json.loads(late.body)) == (
        504,
        {"error": "Request processing time exceeded limit"},
    )


def test_a_model_failing_on_v2_input_is_the_clients_400() -> None:
    def broken(data: Any, params: Any = None) -> Any:
        raise ValueError("no good")

    answer = _v2_plane(broken).infer(
        b'{"inputs": [{"name": "a", "shape": [1], "datatype": "FP64", "data": [1]}]}'
    )
    assert answer.status == 400
    assert json.loads(answer.body)["error"].endswith("Error: ValueError: no good")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.parametrize(
    "text", ["-9223372036854775809", "18446744073709551616", '{"a": [123456789012345678901]}']
)
def test_integers_past_64_bits_stay_exact(text: str) -> None:
    """orjson reads them as floats; MLflow's reader (the standard library) keeps them."""
    assert jsonio.loads(text.encode()) == json.loads(text)
    assert jsonio.loads(text) == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_json_codec_agrees_with_the_standard_library(value: Any) -> None:
    text = json.dumps(value)
    assert jsonio.loads(text.encode()) == json.loads(text)
    assert json.loads(jsonio.dumps(value)) == value


def test_json_reads_what_mlflow_reads() -> None:
    assert jsonio.loads(b'{"a": NaN, "b": 123456789012345678901234567890}')["b"] == (
        123456789012345678901234567890
    )
    with pytest.raises(jsonio.JSONDecodeError):
        jsonio.loads(b"[" * 100_000)
    with pytest.raises(jsonio.JSONDecodeError):
        jsonio.loads(b"\xff")


def test_importing_the_server_modules_loads_no_heavy_library() -> None:
    code = (
        "import sys, mlmodel.serve.app, mlmodel.serve.server, mlmodel.scoring.batch, "
        "mlmodel.scoring.v2; heavy = {'numpy', 'pandas', 'sklearn', 'uvicorn', 'starlette', "
        "'mlflow', 'pyarrow'}; print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("model", "name", "version"),
    [
        ("models:/iris@champion", "iris", None),
        ("models:/iris/3", "iris", "3"),
        ("models:/iris/latest", "iris", None),
        ("models:/iris/Production", "iris", None),
        ("models:/m-0123456789abcdef", "m-0123456789abcdef", None),
        ("runs:/0123abcd/clf", "clf", None),
        ("runs:/0123abcd/clf/MLmodel", "clf", None),
    ],
)
def test_the_served_name_of_a_uri_is_the_registered_name(
    model: str, name: str, version: str | None
) -> None:
    from mlmodel.serve.server import ServeOptions, model_name_for, registry_version

    options = ServeOptions(model=model)
    assert (model_name_for(options), registry_version(options)) == (name, version)
    assert model_name_for(ServeOptions(model=model, model_name="given")) == "given"
