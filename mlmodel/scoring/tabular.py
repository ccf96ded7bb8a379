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


def read_csv(body: bytes | str | IO[Any], schema: InputSchema | None) -> Any:
    """A whole CSV body as a DataFrame."""
    import pandas as pd

    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_input(
                f"Ensure that input is a valid UTF-8 encoded string. Error: '{exc!r}'"
            ) from exc
    source = io.StringIO(body) if isinstance(body, str) else body
    try:
        return pd.read_csv(source, **_csv_options(schema))
    except Exception as exc:
        raise _csv_error(exc) from exc


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


def read_parquet(body: bytes | IO[bytes]) -> Any:
    """A whole parquet body as a DataFrame."""
    import pandas as pd

    source = io.BytesIO(body) if isinstance(body, bytes) else body
    try:
        return pd.read_parquet(source)
    except Exception as exc:
        raise _parquet_error(exc) from exc


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
