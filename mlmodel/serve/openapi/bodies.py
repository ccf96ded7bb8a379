"""The request and response bodies of a served model, as OpenAPI components.

``/invocations`` (MLflow's scoring protocol, §7.3-7.4): a JSON object holding exactly one of
``dataframe_split``, ``dataframe_records``, ``instances`` or ``inputs`` (only ``inputs`` when
the signature came from type hints), each with optional ``params``, typed from the signature;
the answer is ``{"predictions": ...}`` shaped by the signature's outputs. The Open Inference
Protocol's ``infer``: input tensors named and typed as the model's metadata says. Errors:
MLflow's ``{"error_code", "message"}`` object, V2's ``{"error": ...}``. A model without a
signature gets the generic form of each.
"""

from __future__ import annotations

from typing import Any, Final

from mlmodel.runtime.predict.signature_spec import InputSchema
from mlmodel.scoring.payload import DF_RECORDS, DF_SPLIT, INPUTS, INSTANCES, PARAMS
from mlmodel.scoring.v2 import DATATYPES
from mlmodel.serve.openapi.facts import ModelFacts
from mlmodel.serve.openapi.signature_schemas import (
    Schema,
    cell_schema,
    columns_object_schema,
    nullable,
    params_schema,
    record_schema,
    row_schema,
    tensor_schema,
    tensors_object_schema,
)

#: components/schemas/NAME -> its $ref
REF: Final = "#/components/schemas/{}"


def ref(name: str) -> Schema:
    return {"$ref": REF.format(name)}


# -- /invocations request ------------------------------------------------------------------


def _split(schema: InputSchema | None) -> Schema:
    """``dataframe_split``: columns, rows and an optional index."""
    columns: Schema = {"type": "array", "items": {"type": "string"}}
    rows: Schema = {"type": "array", "items": {"type": "array"}}
    if schema is not None and not schema.is_tensor and schema.has_names:
        names = schema.names()
        columns = {
            "type": "array",
            "items": {"type": "string", "enum": names},
            "uniqueItems": True,
            "default": names,
        }
        rows = {
            "type": "array",
            "items": row_schema(schema),
            "description": "Rows of values; typed here in the signature's column order "
            f"({', '.join(names)}), which is what `columns` should list.",
        }
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"columns": columns, "data": rows, "index": {"type": "array"}},
        "additionalProperties": False,
    }


def _records(schema: InputSchema | None) -> Schema:
    """``dataframe_records``: one object per row."""
    if schema is not None and not schema.is_tensor and schema.has_names:
        return {"type": "array", "items": record_schema(schema)}
    return {"type": "array", "items": {"type": "object"}}


def _tensor_inputs(schema: InputSchema, *, rows: bool) -> Schema:
    """A tensor signature's input: the array itself (one unnamed tensor), or the named
    tensors as an object (a single named tensor may also be sent bare); ``rows``: as
    ``instances`` may also send them, a list of one object per row."""
    if not schema.has_names:
        return tensor_schema(schema.tensors[0])
    forms = [tensors_object_schema(schema)]
    if len(schema.tensors) == 1:
        forms.append(tensor_schema(schema.tensors[0]))
    if rows:
        forms.append({"type": "array", "items": tensors_object_schema(schema, drop_first=True)})
    return {"anyOf": forms}


def _column_inputs(schema: InputSchema) -> Schema:
    """A column signature's ``inputs`` or ``instances``: a list of records or an object of
    column lists (unnamed columns: a list of values, or of rows)."""
    if not schema.has_names:
        if len(schema.columns) == 1:
            return {"type": "array", "items": cell_schema(schema.columns[0])}
        return {"type": "array", "items": row_schema(schema)}
    return {
        "anyOf": [
            {"type": "array", "items": record_schema(schema)},
            columns_object_schema(schema),
        ]
    }


def _instances(schema: InputSchema | None) -> Schema:
    if schema is None:
        return {"type": "array"}
    return _tensor_inputs(schema, rows=True) if schema.is_tensor else _column_inputs(schema)


def _inputs(schema: InputSchema | None) -> Schema:
    if schema is None:
        return {}
    return _tensor_inputs(schema, rows=False) if schema.is_tensor else _column_inputs(schema)


_FORM_DOCS: Final = {
    DF_SPLIT: "A pandas DataFrame in `split` orientation.",
    DF_RECORDS: "A pandas DataFrame as a list of row objects.",
    INSTANCES: "Rows (TensorFlow Serving's row format).",
    INPUTS: "Columns or tensors (TensorFlow Serving's columnar format).",
}
_FORM_SCHEMA_NAMES: Final = {
    DF_SPLIT: "DataframeSplitRequest",
    DF_RECORDS: "DataframeRecordsRequest",
    INSTANCES: "InstancesRequest",
    INPUTS: "InputsRequest",
}


def invocations_forms(facts: ModelFacts) -> list[str]:
    """The JSON forms ``/invocations`` takes for this model."""
    if facts.from_type_hint:
        return [INPUTS]
    return [DF_SPLIT, DF_RECORDS, INSTANCES, INPUTS]


def _form(key: str, value: Schema) -> Schema:
    return {
        "type": "object",
        "description": _FORM_DOCS[key],
        "required": [key],
        "properties": {key: value, PARAMS: ref("Params")},
        "additionalProperties": False,
    }


def invocations_schemas(facts: ModelFacts) -> dict[str, Schema]:
    """The components of the ``/invocations`` JSON request and of its answer."""
    builders = {DF_SPLIT: _split, DF_RECORDS: _records, INSTANCES: _instances, INPUTS: _inputs}
    forms = invocations_forms(facts)
    schemas: dict[str, Schema] = {
        _FORM_SCHEMA_NAMES[key]: _form(key, builders[key](facts.inputs)) for key in forms
    }
    schemas["InvocationsRequest"] = {
        "description": "Exactly one of the input forms, with optional params.",
        "oneOf": [ref(_FORM_SCHEMA_NAMES[key]) for key in forms],
    }
    schemas["Params"] = params_schema(facts.params)
    schemas["Predictions"] = {
        "type": "object",
        "required": ["predictions"],
        "properties": {"predictions": predictions_schema(facts.outputs)},
    }
    return schemas


def predictions_schema(outputs: InputSchema | None) -> Schema:
    """The ``predictions`` value. A DataFrame is a list of row objects, an array nested lists,
    NaN is null; MLflow does not enforce a signature's outputs (an echoing model answers
    whatever it was given, and MLflow's server accepts a number in a string column), so the
    value is not constrained: the outputs the signature declares are given as
    ``x-mlmodel-declared``, the JSON Schema the model's answers should follow."""
    if outputs is None:
        return {"description": "The model's predictions (its signature declares no outputs)."}
    return {
        "description": "The model's predictions; `x-mlmodel-declared` is what the "
        "signature's outputs declare (MLflow does not enforce outputs).",
        "x-mlmodel-declared": declared_outputs(outputs),
    }


def declared_outputs(outputs: InputSchema) -> Schema:
    """The JSON Schema of predictions that follow the signature's ``outputs``."""
    if outputs.is_tensor:
        if not outputs.has_names:
            return _nullable_leaves(tensor_schema(outputs.tensors[0]))
        return {
            "type": "object",
            "properties": {
                str(t.name): _nullable_leaves(tensor_schema(t)) for t in outputs.tensors
            },
        }
    values = [nullable(cell_schema(c)) for c in outputs.columns]
    row: Schema = {"type": "object"}
    if outputs.has_names:
        row["properties"] = {str(c.name): v for c, v in zip(outputs.columns, values, strict=True)}
    item: Schema = {"anyOf": [row, *values]} if len(values) == 1 else row
    return {
        "anyOf": [
            {"type": "array", "items": item},
            {"type": "object", "additionalProperties": {"type": "array"}},
        ]
    }


def _nullable_leaves(schema: Schema) -> Schema:
    if schema.get("type") == "array":
        return {**schema, "items": _nullable_leaves(schema["items"])}
    return nullable(schema)


# -- the Open Inference Protocol ----------------------------------------------------------


def _v2_data(datatype: str | None) -> Schema:
    """A tensor's ``data``: its elements, flat in row-major order (nested lists are taken
    too)."""
    if datatype == "BYTES":
        element: Schema = {"type": "string"}
    elif datatype == "BOOL":
        element = {"type": "boolean"}
    elif datatype is None:
        element = {"type": ["number", "boolean", "string"]}
    else:
        element = {"type": ["number", "boolean"]}
    return {"type": "array", "items": element}


_SHAPE: Final[Schema] = {"type": "array", "items": {"type": "integer", "minimum": 0}}


def _v2_input(name: str | None, datatype: str | None, shape: list[int] | None) -> Schema:
    described = f" (signature shape {shape}; -1 is any size)" if shape is not None else ""
    return {
        "type": "object",
        "required": ["name", "shape", "datatype", "data"],
        "properties": {
            "name": {"type": "string"} if name is None else {"const": name},
            "shape": {**_SHAPE, "description": f"The tensor's shape{described}."},
            "datatype": (
                {"type": "string", "enum": sorted(DATATYPES)}
                if datatype is None
                else {"const": datatype}
            ),
            "data": _v2_data(datatype),
            "parameters": {"type": "object"},
        },
    }


def v2_schemas(facts: ModelFacts, metadata: dict[str, Any]) -> dict[str, Schema]:
    """The components of V2 ``infer`` (inputs from the model's ``metadata``) and of the
    metadata answers."""
    specs = metadata["inputs"]
    if specs:
        inputs = [_v2_input(s["name"], s["datatype"], s["shape"]) for s in specs]
        tensor: Schema = {"oneOf": inputs} if len(inputs) > 1 else inputs[0]
    else:
        tensor = _v2_input(None, None, None)
    parameters: Schema = {
        "type": "object",
        "description": "The model's params (content_type and headers are not passed on).",
    }
    if facts.params:
        parameters["properties"] = params_schema(facts.params)["properties"]
    tensor_meta: Schema = {
        "type": "object",
        "required": ["name", "datatype", "shape"],
        "properties": {
            "name": {"type": "string"},
            "datatype": {"type": "string", "enum": sorted(DATATYPES)},
            "shape": {"type": "array", "items": {"type": "integer"}},
            "parameters": {"type": "object"},
        },
    }
    return {
        "InferRequest": {
            "type": "object",
            "required": ["inputs"],
            "properties": {
                "id": {"type": "string"},
                "parameters": parameters,
                "inputs": {"type": "array", "minItems": 1, "items": tensor},
                "outputs": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"name": {"type": "string"}}},
                },
            },
        },
        "InferResponse": {
            "type": "object",
            "required": ["model_name", "outputs"],
            "properties": {
                "model_name": {"const": facts.name},
                "model_version": {"type": "string"},
                "id": {"type": "string"},
                "outputs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "shape", "datatype", "data"],
                        "properties": {
                            "name": {"type": "string"},
                            "shape": _SHAPE,
                            "datatype": {"type": "string", "enum": sorted(DATATYPES)},
                            "data": {"type": "array"},
                        },
                    },
                },
            },
        },
        "ModelMetadata": {
            "type": "object",
            "required": ["name", "versions", "platform", "inputs", "outputs"],
            "properties": {
                "name": {"const": facts.name},
                "versions": {"type": "array", "items": {"type": "string"}},
                "platform": {"type": "string"},
                "inputs": {"type": "array", "items": tensor_meta},
                "outputs": {"type": "array", "items": tensor_meta},
            },
            "example": metadata,
        },
    }


# -- errors and fixed answers --------------------------------------------------------------

FIXED_SCHEMAS: Final[dict[str, Schema]] = {
    "MLflowError": {
        "type": "object",
        "description": "MLflow's error object.",
        "required": ["error_code", "message"],
        "properties": {
            "error_code": {"type": "string", "examples": ["BAD_REQUEST"]},
            "message": {"type": "string"},
            "sqlstate": {"type": "string"},
            "error_class": {"type": "string"},
        },
    },
    "V2Error": {
        "type": "object",
        "description": "The Open Inference Protocol's error object.",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
    "ServerMetadata": {
        "type": "object",
        "required": ["name", "version", "extensions"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "extensions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Live": {
        "type": "object",
        "required": ["live"],
        "properties": {"live": {"type": "boolean"}},
    },
    "Ready": {
        "type": "object",
        "required": ["ready"],
        "properties": {"ready": {"type": "boolean"}},
    },
    "ModelReady": {
        "type": "object",
        "required": ["name", "ready"],
        "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}},
    },
}
