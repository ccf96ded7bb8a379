"""The wire between a Spark Python worker and its scoring process in the model's environment.

Messages are framed on a byte stream (the process's standard input and a dup of its
standard output): one kind byte, an 8-byte big-endian length, the payload. Input frames and
predictions travel as Arrow IPC streams, so numeric columns cross as their own bytes (no
JSON, no text) and keep their dtype; a prediction keeps its Python shape (a numpy array of
any rank, a Series, a DataFrame, a list, a dict of columns), so the worker turns it into the
UDF's output with the same code as when the model runs in the worker itself
(:func:`mlmodel.spark.result_types.to_spark_values`).

Pure pyarrow, pandas and numpy: both ends import it, and the environment has no pyspark.
"""

from __future__ import annotations

import json
import struct
from typing import IO, TYPE_CHECKING, Any, Final

from mlmodel.core.errors import MLModelError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: kind byte, payload length
HEADER: Final = struct.Struct(">cQ")
#: worker -> process: the model to load (JSON: document, trust, model_config)
SETUP: Final = b"S"
#: process -> worker: loaded (JSON: pid, python, mlmodel)
READY: Final = b"R"
#: worker -> process: one input frame (Arrow; params in its schema metadata)
BATCH: Final = b"B"
#: process -> worker: the predictions of one batch (Arrow; their shape in the metadata)
PREDICTIONS: Final = b"P"
#: process -> worker: a failure (JSON: type, message)
ERROR: Final = b"E"

_KIND: Final = b"mlmodel.kind"
_META: Final = b"mlmodel.meta"


class WireError(MLModelError):
    """The stream ended or held something that is not a message."""


def write_message(out: IO[bytes], kind: bytes, payload: bytes) -> None:
    """Write one message and flush it."""
    out.write(HEADER.pack(kind, len(payload)))
    out.write(payload)
    out.flush()


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    chunks = []
    left = size
    while left:
        chunk = source.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(source: IO[bytes]) -> tuple[bytes, bytes] | None:
    """The next (kind, payload), or None at the end of the stream (before a header)."""
    header = _read_exactly(source, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise WireError("the stream ended inside a message header")
    kind, size = HEADER.unpack(header)
    payload = _read_exactly(source, size)
    if len(payload) < size:
        raise WireError(f"the stream ended inside a message ({len(payload)} of {size} bytes)")
    return kind, payload


def _to_ipc(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _from_ipc(data: bytes) -> pa.Table:
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def _with_meta(table: pa.Table, kind: str, meta: Any) -> pa.Table:
    schema_meta = {_KIND: kind.encode(), _META: json.dumps(meta).encode()}
    return table.replace_schema_metadata(schema_meta)


def _meta(table: pa.Table) -> tuple[str, Any]:
    found = table.schema.metadata or {}
    if _KIND not in found:
        raise WireError("an Arrow message without mlmodel's metadata")
    return found[_KIND].decode(), json.loads(found.get(_META, b"null"))


def _column_names(frame: pd.DataFrame) -> list[Any]:
    """The frame's column names as JSON values (Arrow names columns with text only)."""
    names: list[Any] = []
    for name in frame.columns:
        if isinstance(name, str):
            names.append(name)
        elif hasattr(name, "__index__"):
            names.append(int(name))
        else:
            names.append(str(name))
    return names


def _frame_table(frame: pd.DataFrame) -> pa.Table:
    import pyarrow as pa

    renamed = frame.set_axis([str(name) for name in frame.columns], axis=1)
    return pa.Table.from_pandas(renamed, preserve_index=False)


def _table_frame(table: pa.Table, names: list[Any]) -> pd.DataFrame:
    frame = table.to_pandas()
    frame.columns = names
    return frame


def encode_batch(frame: pd.DataFrame, params: dict[str, Any] | None) -> bytes:
    """An input frame (its column names, text or positions, kept) and the predict params."""
    meta = {"columns": _column_names(frame), "params": params}
    return _to_ipc(_with_meta(_frame_table(frame), "batch", meta))


def decode_batch(data: bytes) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    table = _from_ipc(data)
    kind, meta = _meta(table)
    if kind != "batch":
        raise WireError(f"expected a batch, got {kind!r}")
    return _table_frame(table, meta["columns"]), meta["params"]


def encode_predictions(predictions: Any) -> bytes:
    """``predictions`` as they came from ``predict``: a DataFrame, a Series, a dict of
    columns, a list, or anything numpy takes as an array (a scalar included)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(predictions, pd.DataFrame):
        table = _with_meta(
            _frame_table(predictions), "frame", {"columns": _column_names(predictions)}
        )
    elif isinstance(predictions, pd.Series):
        name = predictions.name
        meta = {"name": name if isinstance(name, str | int | float) or name is None else str(name)}
        column = pa.Array.from_pandas(predictions)
        table = _with_meta(pa.table({"values": column}), "series", meta)
    elif isinstance(predictions, dict):
        keys = [str(key) for key in predictions]
        columns = {
            key: pa.array(_values(value))
            for key, value in zip(keys, predictions.values(), strict=True)
        }
        table = _with_meta(pa.table(columns), "mapping", {"keys": keys})
    elif isinstance(predictions, list):
        table = _with_meta(pa.table({"values": pa.array(predictions)}), "list", None)
    else:
        array = np.asarray(predictions)
        shape = {"shape": list(array.shape), "dtype": array.dtype.str}
        values = (
            pa.array(array.reshape(-1))
            if array.dtype.kind != "O"
            else pa.array(array.reshape(-1).tolist())
        )
        table = _with_meta(pa.table({"values": values}), "ndarray", shape)
    return _to_ipc(table)


def _values(value: Any) -> Any:
    """A column of a dict of predictions, as Arrow takes it."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Series):
        return value.to_numpy()
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return list(value)
    return value


def decode_predictions(data: bytes) -> Any:
    """The predictions :func:`encode_predictions` wrote, in the same Python shape."""
    import numpy as np
    import pandas as pd

    table = _from_ipc(data)
    kind, meta = _meta(table)
    if kind == "frame":
        return _table_frame(table, meta["columns"])
    if kind == "series":
        return pd.Series(table.column("values").to_pandas(), name=meta["name"])
    if kind == "mapping":
        return {
            key: table.column(index).to_numpy(zero_copy_only=False)
            for index, key in enumerate(meta["keys"])
        }
    if kind == "list":
        return table.column("values").to_pylist()
    if kind == "ndarray":
        dtype = np.dtype(meta["dtype"])
        values = table.column("values").to_numpy(zero_copy_only=False)
        if dtype.kind != "O":
            values = values.astype(dtype, copy=False)
        return values.reshape(meta["shape"])
    raise WireError(f"unknown predictions kind {kind!r}")


def encode_json(value: Any) -> bytes:
    """A JSON message payload (values JSON cannot hold are written as text)."""
    return json.dumps(value, default=str).encode()


def decode_json(data: bytes) -> Any:
    return json.loads(data)
