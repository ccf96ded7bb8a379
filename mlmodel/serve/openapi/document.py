"""The OpenAPI 3.1 document of a served model: info, tags, paths and components.

Pure data from :class:`~mlmodel.serve.openapi.facts.ModelFacts`: no server, no loaded model.
A model without a signature gets the generic schemas, says so in ``info.description`` and
carries ``x-mlmodel-signature: false``.
"""

from __future__ import annotations

from typing import Any, Final

from mlmodel.serve.openapi.bodies import FIXED_SCHEMAS, invocations_schemas, v2_schemas
from mlmodel.serve.openapi.facts import ModelFacts
from mlmodel.serve.openapi.paths import MLFLOW_TAG, OPS_TAG, V2_TAG, paths
from mlmodel.serve.openapi.v2_example import infer_example

OPENAPI_VERSION: Final = "3.1.0"


def _description(facts: ModelFacts) -> str:
    intro = (
        f"The model `{facts.name}` served by `mlmodel serve`: MLflow's scoring protocol "
        "(`/invocations`) and the Open Inference Protocol (`/v2/...`)."
    )
    lines = [intro]
    if facts.inputs is None:
        lines.append(
            "The model has no signature: the request and response schemas are the generic "
            "ones, and the server does not check inputs."
        )
    else:
        kind = "tensors" if facts.inputs.is_tensor else "columns"
        names = ", ".join(facts.inputs.names()) if facts.inputs.has_names else "unnamed"
        lines.append(f"Inputs ({kind}): {names}.")
        if facts.params:
            lines.append(f"Params: {', '.join(p.name for p in facts.params)}.")
        if facts.from_type_hint:
            lines.append("The signature comes from type hints: only `inputs` is accepted.")
    return "\n\n".join(lines)


def openapi_document(facts: ModelFacts) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document of a server serving the model of ``facts``."""
    from mlmodel import __version__
    from mlmodel.scoring.v2 import model_metadata

    metadata = model_metadata(facts.name, facts.inputs, facts.outputs, version=facts.version)
    schemas = {
        **invocations_schemas(facts),
        **v2_schemas(facts, metadata),
        **FIXED_SCHEMAS,
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{facts.name} (mlmodel serve)",
            "version": facts.version or "unversioned",
            "description": _description(facts),
            "x-mlmodel-version": __version__,
            "x-mlmodel-signature": facts.has_signature,
        },
        # relative to the document's own URL, so the operations are sent to the server that
        # served it, also behind a reverse proxy's path prefix (``/team/model/openapi.json``)
        "servers": [{"url": ".", "description": "The server that serves this document."}],
        "tags": [
            {"name": MLFLOW_TAG, "description": "MLflow's scoring server protocol."},
            {"name": V2_TAG, "description": "KServe / MLServer's V2 REST protocol."},
            {"name": OPS_TAG, "description": "Metrics and this document."},
        ],
        "paths": paths(facts, facts.example, infer_example(facts.example, metadata)),
        "components": {"schemas": schemas},
    }


def document_bytes(document: dict[str, Any]) -> bytes:
    """The document as the server sends it and ``mlmodel openapi`` prints it: indented
    JSON with a final newline (keys in the document's order)."""
    import json

    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
