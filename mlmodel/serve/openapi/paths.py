"""The paths of ``mlmodel serve``: every route :mod:`mlmodel.serve.app` answers, each with
the statuses and bodies it really answers (see :mod:`mlmodel.scoring.dataplane`).

MLflow's ``/ping``, ``/health`` and ``/version`` answer bare text under MLflow's
``application/json`` media type (``"\\n"``, the version), as MLflow does; so do its 504
timeouts. A 415 is plain text. The V2 routes answer JSON throughout; a path naming another
model (or a version the model does not have) is 404.
"""

from __future__ import annotations

from typing import Any, Final

from mlmodel.scoring.content_type import CSV, JSON, PARQUET
from mlmodel.scoring.dataplane import TIMEOUT_MESSAGE
from mlmodel.serve.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from mlmodel.serve.openapi.bodies import ref
from mlmodel.serve.openapi.facts import ModelFacts

Operation = dict[str, Any]

MLFLOW_TAG: Final = "MLflow scoring protocol"
V2_TAG: Final = "Open Inference Protocol (V2)"
OPS_TAG: Final = "Operations"
#: the route of the document itself
OPENAPI_PATH: Final = "/openapi.json"


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _bare_text(description: str) -> dict[str, Any]:
    """An answer of bare text sent as ``application/json`` (MLflow's own media type)."""
    return {"description": description, "content": {JSON: {}}}


def _mlflow_error(description: str) -> dict[str, Any]:
    return _json(ref("MLflowError"), description)


def _v2_error(description: str) -> dict[str, Any]:
    return _json(ref("V2Error"), description)


def _get(op_id: str, summary: str, tag: str, ok: dict[str, Any], **extra: Any) -> Operation:
    return {
        "operationId": op_id,
        "summary": summary,
        "tags": [tag],
        "responses": {"200": ok, **extra.pop("responses", {})},
        **extra,
    }


def _head(op_id: str, summary: str, tag: str, **extra: Any) -> Operation:
    no_body = {"description": "The same status as GET, without a body."}
    return _get(op_id, summary, tag, no_body, **extra)


def _invocations(facts: ModelFacts, example: Any) -> Operation:
    media: dict[str, Any] = {"schema": ref("InvocationsRequest")}
    if example is not None:
        media["examples"] = {
            "serving_input_example": {
                "summary": "The model's serving_input_example.json",
                "value": example,
            }
        }
    columns = facts.inputs.names() if facts.inputs is not None and facts.inputs.has_names else []
    header = f" with the header `{','.join(columns)}`" if columns else ""
    return {
        "operationId": "invocations",
        "summary": "Predict (MLflow's scoring protocol)",
        "tags": [MLFLOW_TAG],
        "requestBody": {
            "required": True,
            "content": {
                JSON: media,
                CSV: {
                    "schema": {
                        "type": "string",
                        "description": f"A CSV table{header} (UTF-8).",
                    }
                },
                PARQUET: {
                    "schema": {
                        "type": "string",
                        "contentMediaType": PARQUET,
                        "description": "A parquet file of the input table.",
                    }
                },
            },
        },
        "responses": {
            "200": _json(ref("Predictions"), "The predictions."),
            "400": _mlflow_error(
                "The body does not decode, does not match the signature, or the model refused it."
            ),
            "413": _mlflow_error(
                "The body, or what it decodes to, is larger than the server's limits."
            ),
            "415": {
                "description": "No, or an unsupported, Content-Type (plain text).",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            "503": _mlflow_error("The server takes no predictions now; retry later."),
            "504": _bare_text(f"The prediction ran past the time limit: `{TIMEOUT_MESSAGE}`."),
        },
    }


def _name_param(facts: ModelFacts) -> dict[str, Any]:
    return {
        "name": "name",
        "in": "path",
        "required": True,
        "description": "The served model's name (any other is 404).",
        "schema": {"type": "string", "enum": [facts.name]},
    }


def _version_param(facts: ModelFacts) -> dict[str, Any]:
    described = (
        f"The model's version, `{facts.version}` (any other is 404)."
        if facts.version
        else "The model has no known version: every version is 404."
    )
    schema: dict[str, Any] = {"type": "string"}
    if facts.version:
        schema["enum"] = [facts.version]
    return {
        "name": "version",
        "in": "path",
        "required": True,
        "description": described,
        "schema": schema,
    }


def _v2_model_paths(
    facts: ModelFacts, prefix: str, suffix: str, params: list[Any], example: Any
) -> dict[str, Any]:
    """``/v2/models/{name}`` (``suffix`` names the versioned variants' operations)."""
    missing = {"404": _v2_error("No such model (or version).")}
    return {
        prefix: {
            "parameters": params,
            "get": _get(
                f"v2ModelMetadata{suffix}",
                "The model's inputs and outputs",
                V2_TAG,
                _json(ref("ModelMetadata"), "The model's metadata."),
                responses=missing,
            ),
        },
        f"{prefix}/ready": {
            "parameters": params,
            "get": _get(
                f"v2ModelReady{suffix}",
                "Is the model ready?",
                V2_TAG,
                _json(ref("ModelReady"), "Ready."),
                responses=missing,
            ),
            "head": _head(
                f"v2ModelReadyHead{suffix}",
                "Is the model ready?",
                V2_TAG,
                responses={"404": {"description": "No such model (or version)."}},
            ),
        },
        f"{prefix}/infer": {
            "parameters": params,
            "post": {
                "operationId": f"v2ModelInfer{suffix}",
                "summary": "Predict (Open Inference Protocol)",
                "tags": [V2_TAG],
                "requestBody": {
                    "required": True,
                    "content": {JSON: _infer_media(example)},
                },
                "responses": {
                    "200": _json(ref("InferResponse"), "The output tensors."),
                    "400": _v2_error("A malformed request, or input the model refused."),
                    **missing,
                    "413": _v2_error("The body, or what it decodes to, is over the limits."),
                    "503": _v2_error("The server takes no predictions now; retry later."),
                    "504": _v2_error("The prediction ran past the time limit."),
                },
            },
        },
    }


def _infer_media(example: dict[str, Any] | None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": ref("InferRequest")}
    if example is not None:
        media["examples"] = {
            "serving_input_example": {
                "summary": "The model's serving_input_example.json as V2 tensors",
                "value": example,
            }
        }
    return media


def paths(
    facts: ModelFacts, example: Any, infer_example: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every path of the server, for the model of ``facts``; ``example`` is the
    ``/invocations`` body of the model's serving example, ``infer_example`` the same as a
    V2 ``infer`` body."""
    ping = _bare_text('The server is up and the model loaded (a newline, `"\\n"`).')
    out: dict[str, Any] = {
        "/ping": {
            "get": _get("ping", "Health check", MLFLOW_TAG, ping),
            "head": _head("pingHead", "Health check", MLFLOW_TAG),
        },
        "/health": {
            "get": _get("health", "Health check", MLFLOW_TAG, ping),
            "head": _head("healthHead", "Health check", MLFLOW_TAG),
        },
        "/version": {
            "get": _get(
                "version", "The server's version", MLFLOW_TAG, _bare_text("mlmodel's version.")
            )
        },
        "/invocations": {"post": _invocations(facts, example)},
        "/metrics": {
            "get": _get(
                "metrics",
                "Prometheus metrics",
                OPS_TAG,
                {
                    "description": "The text exposition format.",
                    "content": {METRICS_CONTENT_TYPE: {"schema": {"type": "string"}}},
                },
            )
        },
        OPENAPI_PATH: {
            "get": _get(
                "openapi",
                "This document",
                OPS_TAG,
                _json({"type": "object"}, "The OpenAPI document of this server."),
            )
        },
        "/v2": {
            "get": _get(
                "v2ServerMetadata",
                "The server's name, version and extensions",
                V2_TAG,
                _json(ref("ServerMetadata"), "Server metadata."),
            )
        },
        "/v2/health/live": {
            "get": _get("v2ServerLive", "Is the server live?", V2_TAG, _json(ref("Live"), "Live.")),
            "head": _head("v2ServerLiveHead", "Is the server live?", V2_TAG),
        },
        "/v2/health/ready": {
            "get": _get(
                "v2ServerReady", "Is the server ready?", V2_TAG, _json(ref("Ready"), "Ready.")
            ),
            "head": _head("v2ServerReadyHead", "Is the server ready?", V2_TAG),
        },
    }
    name = [_name_param(facts)]
    out.update(_v2_model_paths(facts, "/v2/models/{name}", "", name, infer_example))
    out.update(
        _v2_model_paths(
            facts,
            "/v2/models/{name}/versions/{version}",
            "Version",
            [*name, _version_param(facts)],
            infer_example,
        )
    )
    return out
