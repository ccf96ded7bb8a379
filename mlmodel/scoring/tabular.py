"""CSV and parquet bodies as data frames, whole (a request) or in chunks (``mlmodel predict``).

CSV is read with ``pandas.read_csv`` and the signature's column dtypes, as MLflow reads it
(datetime columns are parsed as dates, which ``read_csv`` cannot do through ``dtype``);
parquet with pyarrow. Unreadable input is a 400 naming what went wrong.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from mlmodel.scoring.errors import ScoringError, invalid_input

if TYPE_CHECKING:
    from mlmodel.runtime.predict.signature_spec import InputSchema
    from mlmodel.scoring.limits import DecodeLimits


def _csv_options(schema: InputSchema | None) -> dict[str, Any]:
    if schema is None or not schema.has_names:
        return {}
    import numpy as np

    from mlmodel.runtime.predict.casting import numpy_dtype

    dtypes: dict[str, Any] = {}
    dates: list[str] = []
    for spec in schema.tensors or schema.columns:
        kind = getattr(spec, "dtype", None) or spec.type  # type: ignore[union-attr]
        if kind == "datetime":
            dates.append(str(spec.name))
        elif kind in ("string", "binary"):
            dtypes[str(spec.name)] = np.dtype(object)
        elif isinstance(kind, str) and hasattr(spec, "dtype"):
            dtypes[str(spec.name)] = np.dtype(kind)
        elif isinstance(kind, str):
            dtypes[str(spec.name)] = numpy_dtype(kind)
    options: dict[str, Any] = {"dtype": dtypes}
    if dates:
        options["parse_dates"] = dates
    return options


def _csv_error(exc: Exception) -> ScoringError:
    return invalid_input(
        "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
        "CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` "
        f"method. Error: '{exc}'"
    )


def read_csv(
    body: bytes | str | IO[Any], schema: InputSchema | None, limits: DecodeLimits | None = None
) -> Any:
    """A whole CSV body as a DataFrame; with ``limits``, its columns are counted before
    pandas parses it and no more rows are parsed than the limits allow (413 past them)."""
    import pandas as pd

    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_input(
                f"Ensure that input is a valid UTF-8 encoded string. Error: '{exc!r}'"
            ) from exc
    options = _csv_options(schema)
    bound = _csv_bound(body, limits) if limits is not None and isinstance(body, str) else None
    if bound is not None:
        options["nrows"] = bound[1] + 1
    source = io.StringIO(body) if isinstance(body, str) else body
    try:
        frame = pd.read_csv(source, **options)
    except Exception as exc:
        raise _csv_error(exc) from exc
    if limits is not None and bound is not None and len(frame) > bound[1]:
        limits.check_rows(len(frame), more=True)
        limits.check_cells(len(frame), bound[0], more=True)
    return frame


def _csv_bound(text: str, limits: DecodeLimits) -> tuple[int, int] | None:
    """(columns, most rows allowed) of a CSV body, its columns checked first: pandas' cost
    per column is high, so they are counted from the text before pandas sees it. None when
    the rows are not limited."""
    from mlmodel.scoring.limits import csv_fields

    stop = limits.max_columns if limits.max_columns is not None else len(text) + 1
    columns = csv_fields(text, stop)
    limits.check_columns(columns, more=columns > stop)
    allowed = limits.rows_allowed(columns)
    return None if allowed is None else (columns, allowed)


def iter_csv(path: str | IO[str], schema: InputSchema | None, rows: int) -> Iterator[Any]:
    """A CSV file (a path or a text stream) as DataFrames of at most ``rows`` rows (bounded
    memory)."""
    import pandas as pd

    try:
        reader = pd.read_csv(path, chunksize=rows, **_csv_options(schema))
    except Exception as exc:
        raise _csv_error(exc) from exc
    with reader:
        yield from _mapping_errors(reader, _csv_error)


def _mapping_errors(
    items: Iterator[Any], error: Callable[[Exception], ScoringError]
) -> Iterator[Any]:
    """``items``, with a failure while reading the next one raised as ``error(exc)``."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except Exception as exc:
            raise error(exc) from exc
        yield item


def _parquet_error(exc: Exception) -> ScoringError:
    return invalid_input(
        "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
        "Parquet Pandas DataFrame produced using the `pandas.DataFrame.to_parquet()` "
        f"method. Error: '{exc}'"
    )


def read_parquet(body: bytes | IO[bytes], limits: DecodeLimits | None = None) -> Any:
    """A whole parquet body as a DataFrame; with ``limits``, its rows, columns and
    decompressed size are checked from the file's footer before any data is read."""
    import pandas as pd

    source = io.BytesIO(body) if isinstance(body, bytes) else body
    if limits is not None:
        _check_parquet(source, limits)
    try:
        return pd.read_parquet(source)
    except Exception as exc:
        raise _parquet_error(exc) from exc


def _check_parquet(source: IO[bytes], limits: DecodeLimits) -> None:
    """Rows, columns, cells and uncompressed bytes as the footer declares them, then what the
    string and binary columns decode to when the footer cannot bound it."""
    try:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(source)
        meta = parquet.metadata
        limits.check_frame(meta.num_rows, meta.num_columns)
        if limits.max_decompressed_size is None:
            return
        size = 0
        for group in range(meta.num_row_groups):
            size += meta.row_group(group).total_byte_size
            limits.check_decompressed(size)
        names = _textual_columns(parquet)
        if names and size + _decoded_bound(meta, names) > limits.max_decompressed_size:
            limits.check_decompressed(size + _dictionary_bytes(source, names))
    except ScoringError:
        raise
    except Exception as exc:
        raise _parquet_error(exc) from exc
    finally:
        source.seek(0)


def _textual_columns(parquet: Any) -> list[str]:
    """The top-level string and binary columns: a dictionary page holds each value once, so
    a few bytes in the footer can stand for gigabytes of repeated strings."""
    import pyarrow as pa

    def textual(kind: Any) -> bool:
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        return bool(
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
        )

    return [field.name for field in parquet.schema_arrow if textual(field.type)]


def _decoded_bound(meta: Any, names: list[str]) -> int:
    """At most what the columns ``names`` decode to, from the footer alone: no value is
    longer than its column chunk."""
    leaves = [i for i in range(meta.num_columns) if meta.schema.column(i).path in names]
    bound = 0
    for group in range(meta.num_row_groups):
        chunks = meta.row_group(group)
        for leaf in leaves:
            chunk = chunks.column(leaf)
            bound += chunk.num_values * chunk.total_uncompressed_size
    return bound


def _dictionary_bytes(source: IO[bytes], names: list[str]) -> int:
    """What the columns ``names`` decode to, read with their dictionaries kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source.seek(0)
    table = pq.ParquetFile(source, read_dictionary=names).read(columns=names)
    size = 0
    for column in table.columns:
        for chunk in column.chunks:
            if pa.types.is_dictionary(chunk.type):
                lengths = pc.binary_length(chunk.dictionary).take(chunk.indices)
                size += pc.sum(lengths).as_py() or 0
            else:
                size += chunk.nbytes
    return size


def iter_parquet(
    path: str | IO[bytes], rows: int, *, row_count: Callable[[int], None] | None = None
) -> Iterator[Any]:
    """A parquet file (a path or a seekable binary stream) as DataFrames of at most ``rows``
    rows, in memory bounded by ``rows``, not by the file nor its row groups; ``row_count``
    is called with the footer's row count before the first frame.

    pyarrow's default ``pre_buffer=True`` reads ahead every row group the reader will
    visit and keeps them cached until the reader ends (the whole file, for a whole-file
    read), so it is off; and with ``buffer_size`` set, a column chunk is read through that
    buffer a page at a time instead of whole (one row group of a GiB costs no more)."""
    try:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        batches = parquet.iter_batches(batch_size=rows)
    except Exception as exc:
        raise _parquet_error(exc) from exc
    if row_count is not None:
        row_count(parquet.metadata.num_rows)
    for batch in _mapping_errors(batches, _parquet_error):
        yield batch.to_pandas()
