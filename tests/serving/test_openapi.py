"""The OpenAPI 3.1 document of a served model (``GET /openapi.json``, ``mlmodel openapi``):
valid for every kind of model the fixtures make, built from the signature, the same from
the server and from the CLI, and made without unpickling anything."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from harness.servers import Server, free_port, mlmodel_cmd, save_classifier, start
from mlmodel.cli.app import run
from mlmodel.serve.openapi import ModelFacts, openapi_document
from mlmodel.serve.server import ServeOptions, openapi_for
from tests.saved_models import SavedModels
from tests.serve_support import (
    save_echo,
    save_mlmodel_columns,
    save_mlmodel_tensor,
    save_mlmodel_unsigned,
    save_tensor,
    save_unsigned,
)

#: key -> (how it is saved, whether it has a signature); MLflow-made, then mlmodel-made
MODELS: dict[str, tuple[Callable[[Path], object], bool]] = {
    "mlflow-classifier": (save_classifier, True),
    "mlflow-params": (save_echo, True),
    "mlflow-tensor": (save_tensor, True),
    "mlflow-unsigned": (save_unsigned, False),
    "mlmodel-columns": (save_mlmodel_columns, True),
    "mlmodel-tensor": (save_mlmodel_tensor, True),
    "mlmodel-unsigned": (save_mlmodel_unsigned, False),
}


def _document(path: Path, name: str | None = None) -> dict[str, Any]:
    return dict(json.loads(openapi_for(ServeOptions(model=str(path), model_name=name))))


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"])


def _form(document: dict[str, Any], name: str, key: str) -> Any:
    return _schemas(document)[name]["properties"][key]


@pytest.mark.parametrize("key", list(MODELS))
def test_document_validates_for_every_fixture_model(
    key: str, saved_models: SavedModels, tmp_path: Path
) -> None:
    save, signed = MODELS[key]
    document = _document(saved_models.copy(key, save, tmp_path / key))
    validate(document)  # openapi-spec-validator: OpenAPI 3.1 and its JSON Schema dialect
    assert document["openapi"] == "3.1.0"
    assert document["info"]["x-mlmodel-signature"] is signed
    assert ("no signature" in document["info"]["description"]) is not signed
    assert {"/invocations", "/openapi.json", "/v2/models/{name}/infer"} <= set(document["paths"])


def test_column_schemas_and_example_come_from_the_model(
    saved_models: SavedModels, tmp_path: Path
) -> None:
    model = saved_models.copy("mlmodel-columns", save_mlmodel_columns, tmp_path / "m")
    document = _document(model)
    record = _form(document, "DataframeRecordsRequest", "dataframe_records")["items"]
    assert record["properties"]["hours"] == {"type": "number", "format": "double"}
    assert record["properties"]["visits"]["type"] == "integer"
    assert record["properties"]["visits"]["format"] == "int64"
    assert record["required"] == ["hours", "visits"]
    split = _form(document, "DataframeSplitRequest", "dataframe_split")
    assert split["properties"]["columns"]["default"] == ["hours", "visits"]
    request = _schemas(document)["InvocationsRequest"]
    assert len(request["oneOf"]) == 4
    media = document["paths"]["/invocations"]["post"]["requestBody"]["content"]
    assert set(media) == {"application/json", "text/csv", "application/vnd.apache.parquet"}
    example = json.loads((model / "serving_input_example.json").read_text())
    assert media["application/json"]["examples"]["serving_input_example"]["value"] == example
    metadata = _schemas(document)["ModelMetadata"]["example"]
    assert [i["name"] for i in metadata["inputs"]] == ["hours", "visits"]


def test_params_tensors_and_complex_columns(tmp_path: Path) -> None:
    """Optional columns, nested types, params with defaults and shapes, named tensors."""
    columns = [
        {"name": "id", "type": "long", "required": True},
        {"name": "note", "type": "string", "required": False},
        {"name": "tags", "type": "array", "items": {"type": "string"}},
        {
            "name": "where",
            "type": "object",
            "properties": {"lat": {"type": "double"}, "tz": {"type": "string", "required": False}},
        },
        {"name": "extra", "type": "map", "values": {"type": "long"}},
        {"name": "blob", "type": "binary"},
        {"name": "at", "type": "datetime"},
        {"name": "free", "type": "any"},
    ]
    params = [
        {"name": "k", "type": "double", "default": 1.5, "shape": None},
        {"name": "ids", "type": "long", "default": [1, 2], "shape": [-1]},
    ]
    tensors = [
        {
            "name": "image",
            "type": "tensor",
            "tensor-spec": {"dtype": "float32", "shape": [-1, 2, 3]},
        },
        {"name": "mask", "type": "tensor", "tensor-spec": {"dtype": "bool", "shape": [-1]}},
    ]
    signature = {"inputs": json.dumps(columns), "params": json.dumps(params)}
    document = openapi_document(ModelFacts.of(tmp_path, {"signature": signature}, "m", "3"))
    validate(document)
    record = _form(document, "DataframeRecordsRequest", "dataframe_records")["items"]
    cells = record["properties"]
    assert record["required"] == ["id", "blob", "at"]  # complex types default to optional
    assert cells["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert cells["tags"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    where = cells["where"]["anyOf"][0]
    assert where["required"] == ["lat"] and where["additionalProperties"] is False
    assert cells["extra"]["anyOf"][0]["additionalProperties"]["format"] == "int64"
    assert cells["blob"] == {"type": "string", "contentEncoding": "base64"}
    assert cells["at"] == {"type": "string", "format": "date-time"}
    assert cells["free"] == {}
    declared = _schemas(document)["Params"]["properties"]
    assert declared["k"] == {"type": "number", "format": "double", "default": 1.5}
    assert declared["ids"]["type"] == "array" and declared["ids"]["default"] == [1, 2]
    assert document["info"]["version"] == "3"
    version = document["paths"]["/v2/models/{name}/versions/{version}"]["parameters"][1]
    assert version["schema"]["enum"] == ["3"]

    signature = {"inputs": json.dumps(tensors)}
    document = openapi_document(ModelFacts.of(tmp_path, {"signature": signature}, "m", None))
    validate(document)
    named = _form(document, "InputsRequest", "inputs")["anyOf"][0]
    image = named["properties"]["image"]
    assert image["type"] == "array" and "minItems" not in image  # -1: any number of rows
    assert image["items"]["minItems"] == image["items"]["maxItems"] == 2
    assert image["items"]["items"]["maxItems"] == 3
    assert image["items"]["items"]["items"] == {"type": "number"}
    assert named["properties"]["mask"]["items"] == {"type": "boolean"}
    infer = _schemas(document)["InferRequest"]["properties"]["inputs"]["items"]["oneOf"]
    assert [(i["properties"]["name"], i["properties"]["datatype"]) for i in infer] == [
        ({"const": "image"}, {"const": "FP32"}),
        ({"const": "mask"}, {"const": "BOOL"}),
    ]


def test_type_hint_signature_takes_only_inputs(tmp_path: Path) -> None:
    document = {
        "signature": {"inputs": json.dumps([{"type": "string", "required": True}])},
        "is_signature_from_type_hint": True,
    }
    found = openapi_document(ModelFacts.of(tmp_path, document, "m", None))
    validate(found)
    assert _schemas(found)["InvocationsRequest"]["oneOf"] == [
        {"$ref": "#/components/schemas/InputsRequest"}
    ]
    assert _form(found, "InputsRequest", "inputs") == {
        "type": "array",
        "items": {"type": "string"},
    }


@pytest.fixture(scope="module")
def echo_server(
    saved_models: SavedModels, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Path]]:
    base = tmp_path_factory.mktemp("openapi-served")
    model = saved_models.copy("mlflow-params", save_echo, base / "echo-model")
    port = free_port()
    cmd = mlmodel_cmd(model, port, "--trust-type", "tests.pyfunc_models.EchoModel")
    server = start(cmd, port, base / "server.log")
    try:
        yield server, model
    finally:
        server.stop()


def test_served_document_is_the_cli_document(
    echo_server: tuple[Server, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    server, model = echo_server
    served = httpx.get(f"{server.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/json"
    assert run(["openapi", str(model)]) == 0
    assert capsysbinary.readouterr().out == served.content
    document = served.json()
    assert document["info"]["title"] == "echo-model (mlmodel serve)"
    params = _schemas(document)["Params"]["properties"]
    assert params["k"]["default"] == 1 and params["k"]["format"] == "int64"
    # the example the document gives is one the server answers 200
    metadata = httpx.get(f"{server.url}/v2/models/echo-model", timeout=10).json()
    assert _schemas(document)["ModelMetadata"]["example"] == metadata
    # the server URL is relative to the document's: resolved against where the document was
    # fetched, the operations reach this server (and stay under a proxy's path prefix)
    from urllib.parse import urljoin

    base = urljoin(f"{server.url}/openapi.json", document["servers"][0]["url"]).rstrip("/")
    assert base == server.url
    assert urljoin("http://gateway/team/model/openapi.json", document["servers"][0]["url"]) == (
        "http://gateway/team/model/"
    )
    assert httpx.get(f"{base}/v2/models/echo-model/ready", timeout=10).status_code == 200


def test_predictions_conform_when_the_model_answers_off_signature(
    echo_server: tuple[Server, Path],
) -> None:
    """schemathesis found it: MLflow's server (and mlmodel's, at parity) accepts a number in
    a string column and an echoing model answers it back, so ``predictions`` cannot be held
    to the signature's outputs (MLflow never enforces them): the document declares them as
    ``x-mlmodel-declared`` and the answer conforms."""
    from jsonschema import Draft202012Validator

    server, _ = echo_server
    document = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    body = {"dataframe_records": [{"x": 0.0, "s": 0}]}
    answer = httpx.post(f"{server.url}/invocations", json=body, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"predictions": [{"x": 0.0, "s": 0, "param_k": 1}]}
    validator = Draft202012Validator({**document, "$ref": "#/components/schemas/Predictions"})
    assert list(validator.iter_errors(answer.json())) == []
    declared = _schemas(document)["Predictions"]["properties"]["predictions"]
    row = declared["x-mlmodel-declared"]["anyOf"][0]["items"]
    assert row["properties"]["s"]["anyOf"][0] == {"type": "string"}


def test_v2_paths_no_route_matches_answer_the_documented_json(
    echo_server: tuple[Server, Path],
) -> None:
    """A model name holding an encoded ``/`` matches no route: the document promises V2's
    ``{"error": ...}`` for a 404 there, not Starlette's plain-text ``Not Found``."""
    server, _ = echo_server
    for path in ("/v2/models/a%2Fb", "/v2/models/a%2Fb/infer", "/v2/models/echo-model/x/ready"):
        method = "POST" if path.endswith("infer") else "GET"
        answer = httpx.request(method, f"{server.url}{path}", timeout=10)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/json"
        assert set(answer.json()) == {"error"}
    elsewhere = httpx.get(f"{server.url}/nowhere", timeout=10)
    assert (elsewhere.status_code, elsewhere.text) == (404, "Not Found")


def test_cli_writes_the_file_without_unpickling(
    saved_models: SavedModels, tmp_path: Path, never_unpickle: None
) -> None:
    model = saved_models.copy("mlflow-tensor", save_tensor, tmp_path / "m")
    out = tmp_path / "openapi.json"
    assert run(["openapi", str(model), "--name", "rowsum", "-o", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document == _document(model, "rowsum")
    name = document["paths"]["/v2/models/{name}/infer"]["parameters"][0]
    assert name["schema"]["enum"] == ["rowsum"]
    example = document["paths"]["/invocations"]["post"]["requestBody"]["content"]
    assert example["application/json"]["examples"]["serving_input_example"]["value"] == {
        "inputs": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    }


def test_cli_refuses_an_invalid_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "MLmodel").write_text("flavors: [\n")
    assert run(["openapi", str(tmp_path)]) == 1
    assert "mlmodel openapi" in capsys.readouterr().err
