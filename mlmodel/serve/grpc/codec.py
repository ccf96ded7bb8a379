"""Protobuf messages of the V2 gRPC service <-> the data plane's V2 values.

A ``ModelInferRequest``'s tensors (typed ``contents`` or little-endian
``raw_input_contents``) become the numpy arrays the HTTP path builds from JSON, and then the
same pyfunc input through :func:`mlmodel.scoring.v2.decode_tensors`; the data plane's
response (:meth:`mlmodel.scoring.dataplane.OpenInference.respond`) becomes a
``ModelInferResponse``, its outputs raw when the request's inputs were (Triton's clients read
only ``raw_output_contents``), typed otherwise. Malformed tensors are
:class:`~mlmodel.scoring.v2.V2Error` (400, INVALID_ARGUMENT over gRPC) with the message the
HTTP path would give.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlmodel.scoring import v2
from mlmodel.scoring.v2 import V2Error
from mlmodel.serve.grpc import inference_pb2 as pb

if TYPE_CHECKING:
    from mlmodel.runtime.predict.signature_spec import InputSchema
    from mlmodel.scoring.limits import DecodeLimits
    from mlmodel.scoring.payload import Decoded

#: V2 datatype -> the ``InferTensorContents`` field that carries it (FP16 only travels raw)
CONTENTS_FIELDS: Final = {
    "BOOL": "bool_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}
_LENGTH: Final = struct.Struct("<I")


def parameter_value(parameter: pb.InferParameter) -> Any:
    """The Python value of an ``InferParameter`` (None when no choice is set)."""
    choice = parameter.WhichOneof("parameter_choice")
    return None if choice is None else getattr(parameter, choice)


def parameter_message(value: Any) -> pb.InferParameter:
    """An ``InferParameter`` for a bool, int, float or (any other value, as text) string."""
    if isinstance(value, bool):
        return pb.InferParameter(bool_param=value)
    if isinstance(value, int):
        if value >= 2**63:
            return pb.InferParameter(uint64_param=value)
        return pb.InferParameter(int64_param=value)
    if isinstance(value, float):
        return pb.InferParameter(double_param=value)
    return pb.InferParameter(string_param=str(value))


def _texts(values: Sequence[bytes]) -> list[str] | list[bytes]:
    """BYTES elements as text (what the HTTP path's JSON strings are), or as bytes when one of
    them is not UTF-8 (a binary column)."""
    try:
        return [value.decode("utf-8") for value in values]
    except UnicodeDecodeError:
        return list(values)


def _from_contents(tensor: pb.ModelInferRequest.InferInputTensor, size: int, where: str) -> Any:
    import numpy as np

    datatype = tensor.datatype
    field = CONTENTS_FIELDS.get(datatype)
    if field is None:
        raise V2Error(f"{where}: {datatype} data can only be sent in raw_input_contents")
    values = getattr(tensor.contents, field)
    if len(values) != size:
        others = [
            name
            for name in sorted(set(CONTENTS_FIELDS.values()))
            if name != field and len(getattr(tensor.contents, name))
        ]
        hint = f" ({datatype} data goes in '{field}', not {others})" if others else ""
        raise V2Error(
            f"{where}: shape {list(tensor.shape)} needs {size} elements, "
            f"'contents.{field}' has {len(values)}{hint}"
        )
    if datatype == "BYTES":
        return np.array(_texts(values), dtype=object)
    try:
        return np.array(values, dtype=v2.DATATYPES[datatype])
    except (ValueError, OverflowError, TypeError) as exc:
        raise V2Error(f"{where}: data does not fit {datatype}: {exc}") from exc


def _raw_bytes_elements(raw: bytes, size: int, where: str) -> list[bytes]:
    """BYTES elements of a raw tensor: each a 4-byte little-endian length, then its bytes."""
    elements: list[bytes] = []
    offset = 0
    while offset < len(raw):
        if len(elements) == size:
            raise V2Error(f"{where}: raw BYTES contents hold more than {size} elements")
        if offset + _LENGTH.size > len(raw):
            raise V2Error(f"{where}: raw BYTES contents end inside an element's length")
        (length,) = _LENGTH.unpack_from(raw, offset)
        offset += _LENGTH.size
        if offset + length > len(raw):
            raise V2Error(f"{where}: raw BYTES contents end inside an element")
        elements.append(raw[offset : offset + length])
        offset += length
    if len(elements) != size:
        raise V2Error(f"{where}: raw BYTES contents hold {len(elements)} elements, need {size}")
    return elements


def _from_raw(raw: bytes, datatype: str, size: int, where: str) -> Any:
    import numpy as np

    if datatype == "BYTES":
        return np.array(_texts(_raw_bytes_elements(raw, size, where)), dtype=object)
    if datatype == "BOOL":
        if len(raw) != size:
            raise V2Error(f"{where}: raw contents have {len(raw)} bytes, BOOL needs {size}")
        return np.frombuffer(raw, dtype=np.uint8) != 0
    dtype = np.dtype(v2.DATATYPES[datatype])
    needed = size * dtype.itemsize
    if len(raw) != needed:
        raise V2Error(
            f"{where}: raw contents have {len(raw)} bytes, {size} {datatype} elements need {needed}"
        )
    # a writable array in native order, as the JSON path builds
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype, copy=True)


def decode_infer_request(
    request: pb.ModelInferRequest,
    schema: InputSchema | None,
    limits: DecodeLimits | None = None,
) -> tuple[Decoded, str | None, bool]:
    """(pyfunc input and params, request id, whether the inputs were raw) for a
    ``ModelInferRequest``; V2Error for a malformed one, the HTTP route's 413 past ``limits``."""
    inputs = request.inputs
    if not inputs:
        raise V2Error("request: 'inputs' is empty")
    if limits is not None:  # before any input is decoded
        limits.check_columns(len(inputs), "inputs")
    raw = request.raw_input_contents
    if raw and len(raw) != len(inputs):
        raise V2Error(
            f"request: raw_input_contents has {len(raw)} entries for {len(inputs)} inputs"
        )
    tensors: list[tuple[str, Any]] = []
    for index, tensor in enumerate(inputs):
        if not tensor.name:
            raise V2Error(f"inputs[{index}]: missing field 'name'")
        where = f"input '{tensor.name}'"
        datatype = v2.check_datatype(tensor.datatype, where)
        shape = list(tensor.shape)
        size = v2.element_count(shape, where)
        if raw:
            if tensor.HasField("contents"):
                raise V2Error(f"{where}: 'contents' is set and so is raw_input_contents")
            array = _from_raw(raw[index], datatype, size, where)
        else:
            array = _from_contents(tensor, size, where)
        tensors.append((tensor.name, array.reshape(shape)))
    parameters = {key: parameter_value(value) for key, value in request.parameters.items()}
    decoded = v2.decode_tensors(tensors, parameters, schema, limits)
    return decoded, request.id or None, bool(raw)


def _element_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if value is None:
        return b""
    return str(value).encode("utf-8")


def _raw_output(datatype: str, data: Any) -> bytes:
    import numpy as np

    if datatype == "BYTES":
        return b"".join(
            _LENGTH.pack(len(element)) + element for element in map(_element_bytes, data)
        )
    array = np.asarray(data)
    if datatype == "BOOL":
        return array.astype(np.uint8).tobytes()
    dtype = np.dtype(v2.DATATYPES[datatype]).newbyteorder("<")
    return array.astype(dtype, copy=False).tobytes()


def encode_infer_response(response: Mapping[str, Any], *, raw: bool) -> pb.ModelInferResponse:
    """A ``ModelInferResponse`` for the data plane's V2 response (outputs of ``name``,
    ``datatype``, ``shape`` and flat ``data``); raw outputs when ``raw`` (or when an output is
    FP16, which has no typed field)."""
    outputs = response["outputs"]
    message = pb.ModelInferResponse(
        model_name=response["model_name"],
        model_version=response.get("model_version") or "",
        id=response.get("id") or "",
    )
    raw = raw or any(output["datatype"] not in CONTENTS_FIELDS for output in outputs)
    for output in outputs:
        datatype = output["datatype"]
        tensor = message.outputs.add(name=output["name"], datatype=datatype, shape=output["shape"])
        data = output["data"]
        if raw:
            message.raw_output_contents.append(_raw_output(datatype, data))
        elif datatype == "BYTES":
            tensor.contents.bytes_contents.extend(map(_element_bytes, data))
        else:
            values = data.tolist() if hasattr(data, "tolist") else list(data)
            getattr(tensor.contents, CONTENTS_FIELDS[datatype]).extend(values)
    return message


def _tensor_metadata(
    spec: Mapping[str, Any],
) -> pb.ModelMetadataResponse.TensorMetadata:
    return pb.ModelMetadataResponse.TensorMetadata(
        name=spec["name"],
        datatype=spec["datatype"],
        shape=spec["shape"],
        parameters={
            key: parameter_message(value) for key, value in spec.get("parameters", {}).items()
        },
    )


def model_metadata_response(metadata: Mapping[str, Any]) -> pb.ModelMetadataResponse:
    """A ``ModelMetadataResponse`` for the data plane's model metadata."""
    return pb.ModelMetadataResponse(
        name=metadata["name"],
        versions=metadata["versions"],
        platform=metadata["platform"],
        inputs=[_tensor_metadata(spec) for spec in metadata["inputs"]],
        outputs=[_tensor_metadata(spec) for spec in metadata["outputs"]],
    )


def server_metadata_response(metadata: Mapping[str, Any]) -> pb.ServerMetadataResponse:
    """A ``ServerMetadataResponse`` for the data plane's server metadata."""
    return pb.ServerMetadataResponse(
        name=metadata["name"], version=metadata["version"], extensions=metadata["extensions"]
    )
