"""schemathesis against live ``mlmodel serve`` servers on 127.0.0.1, from their own
``/openapi.json``: a column model with params (:class:`tests.pyfunc_models.EchoModel`) and a
tensor model (:class:`tests.serve_models.RowSumModel`).

Every operation of the document is called with generated requests (derandomized, so the
same ones each run, and bounded in number) and every answer must be no 5xx, a documented
status, of a documented content type and matching that status's schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from harness.servers import Server, free_port, mlmodel_cmd, start
from tests.saved_models import SavedModels
from tests.serve_support import save_echo, save_tensor

#: generated requests (both generation modes together) per predicting operation, and per
#: other operation (health, metadata: a path parameter at most)
PREDICT_EXAMPLES = 25
OTHER_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _serve(
    saved_models: SavedModels, key: str, save: Any, trusted: str, tmp: Path
) -> Iterator[Server]:
    model = saved_models.copy(key, save, tmp / key)
    port = free_port()
    server = start(mlmodel_cmd(model, port, "--trust-type", trusted), port, tmp / f"{key}.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def column_server(
    saved_models: SavedModels, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from _serve(
        saved_models,
        "echo",
        save_echo,
        "tests.pyfunc_models.EchoModel",
        tmp_path_factory.mktemp("fuzz-columns"),
    )


@pytest.fixture(scope="module")
def tensor_server(
    saved_models: SavedModels, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from _serve(
        saved_models,
        "tensor",
        save_tensor,
        "tests.serve_models.RowSumModel",
        tmp_path_factory.mktemp("fuzz-tensor"),
    )


def _fuzz(server: Server) -> list[str]:
    """Every operation of ``server``'s own document called with its explicit examples and
    a bounded number of generated requests of both generation modes (positive: valid by
    the document, negative: not); the failures found."""
    from hypothesis import given
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of the document is usable
        operations.append(result.ok())
    assert len(operations) >= 20
    for operation in operations:
        strategies = [
            *schema.get_strategies_from_examples(operation),
            *(operation.as_strategy(generation_mode=mode) for mode in MODES),
        ]

        examples = PREDICT_EXAMPLES if operation.method.upper() == "POST" else OTHER_EXAMPLES

        @settings(FUZZ, max_examples=examples)
        @given(case=st.one_of(strategies))
        def call(case: Any) -> None:
            case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=10)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - schemathesis groups them
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_column_model_conforms(column_server: Server) -> None:
    assert _fuzz(column_server) == []


def test_tensor_model_conforms(tensor_server: Server) -> None:
    assert _fuzz(tensor_server) == []


def test_examples_of_the_document_are_answered(tensor_server: Server) -> None:
    """The document's example requests (the model's serving example, and the same as V2
    tensors) are predicted, by both protocols alike."""
    import httpx

    document = httpx.get(f"{tensor_server.url}/openapi.json", timeout=10).json()
    answers = []
    for path in ("/invocations", "/v2/models/{name}/infer"):
        media = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        body = media["examples"]["serving_input_example"]["value"]
        url = tensor_server.url + path.replace("{name}", "tensor")
        answers.append(httpx.post(url, json=body, timeout=10))
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == {"predictions": [6.0, 15.0]}
    assert answers[1].json()["outputs"][0]["data"] == [6.0, 15.0]
