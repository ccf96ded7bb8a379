"""Predictions written chunk by chunk to a binary stream, in each output format of
``mlmodel predict`` (:mod:`mlmodel.scoring.file_formats`), holding nothing but the chunk
being written.

- ``json``: the ``{"predictions": [...]}`` document MLflow writes for the whole input, its
  items written as each chunk is scored (a model whose output for a chunk is not a list,
  e.g. a single string, is answered whole from one chunk only), ending with a newline;
- ``jsonl``: one prediction per line (a data frame's row as an object);
- ``csv`` and ``parquet``: a column per output: a data frame's own columns, ``prediction``
  for a vector, ``prediction_0``, ``prediction_1``, ... for a matrix; parquet is written a
  row group per chunk, every chunk cast to the first chunk's schema.

A writer is used as ``write(predictions)`` (and ``flush()``) per chunk, then ``close()`` (which ends the
document, not the stream), or ``abort()`` after a failure; ``write_whole(predictions, wrap)``
is the one write for a JSON payload scored whole.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from mlmodel.scoring.errors import ScoringError
from mlmodel.scoring.predictions import items_json, jsonable, to_json


def _not_joinable() -> ScoringError:
    return ScoringError(
        "The model's predictions for a chunk of rows are not a list, so chunks cannot be "
        "joined; score this input as one JSON payload instead.",
        error_code="BAD_REQUEST",
    )


class PredictionWriter:
    """Writes predictions to ``out``, chunk by chunk."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, predictions: Any) -> None:
        """Write one chunk's predictions."""
        raise NotImplementedError

    def write_whole(self, predictions: Any, *, wrap: bool) -> None:
        """Write the predictions for a whole input (``wrap``: in ``{"predictions": ...}``,
        which only the JSON document has)."""
        del wrap
        self.write(predictions)

    def flush(self) -> None:
        """Hand what was written to the stream's file (a chunk is on disk, or with the
        reader of a pipe, once scored)."""
        self.out.flush()

    def close(self) -> None:
        """End the document (``out`` stays open)."""

    def abort(self) -> None:
        """Stop after a failure, writing nothing more (no document end)."""


class JsonDocumentWriter(PredictionWriter):
    """``{"predictions": [...]}``, as MLflow writes it for the whole input."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._first: Any = None  # the first chunk's predictions, until a second one comes
        self._chunks = 0
        self._wrote = False  # an item has been written (the next one needs a comma)

    def write_whole(self, predictions: Any, *, wrap: bool) -> None:
        self.out.write(to_json(predictions, wrap=wrap) + b"\n")
        self._chunks = -1  # written; close() adds nothing

    def write(self, predictions: Any) -> None:
        self._chunks += 1
        if self._chunks == 1:
            self._first = predictions
            return
        if self._chunks == 2:
            self.out.write(b'{"predictions":[')
            self._items(self._first)
            self._first = None
        self._items(predictions)

    def _items(self, predictions: Any) -> None:
        items = items_json(predictions)
        if items is None:
            raise _not_joinable()
        for text in items:
            if not text:
                continue
            if self._wrote:
                self.out.write(b",")
            self.out.write(text)
            self._wrote = True

    def close(self) -> None:
        if self._chunks == 1:
            self.out.write(to_json(self._first) + b"\n")
            self._first = None
        elif self._chunks > 1:
            self.out.write(b"]}\n")


class JsonLinesWriter(PredictionWriter):
    """One prediction per line."""

    def write(self, predictions: Any) -> None:
        from mlmodel.scoring.jsonio import dumps

        value = jsonable(predictions)
        np = sys.modules.get("numpy")
        if np is not None and isinstance(value, np.ndarray) and value.ndim > 0:
            if value.ndim == 1 and value.dtype.kind in "biuf":
                # numbers hold no comma: the array's text, one item per line, in one pass
                if len(value):
                    self.out.write(dumps(value)[1:-1].replace(b",", b"\n") + b"\n")
                return
            value = list(value)
        if not isinstance(value, list):
            self.out.write(dumps(value) + b"\n")
            return
        self.out.write(b"".join(dumps(item) + b"\n" for item in value))


class _TabularWriter(PredictionWriter):
    """A column per output: predictions as a data frame."""

    def _frame(self, predictions: Any) -> Any:
        return prediction_frame(predictions)


class CsvWriter(_TabularWriter):
    """CSV with a header line, the columns of the first chunk; values written by pyarrow's
    CSV writer (several times faster than pandas'), by pandas for what arrow cannot hold
    (mixed objects, nested lists)."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._columns: list[str] | None = None

    def write(self, predictions: Any) -> None:
        frame = self._frame(predictions)
        columns = [str(name) for name in frame.columns]
        if self._columns is None:
            self._columns = columns
            self.out.write(_csv_line(columns))
        elif columns != self._columns:
            raise _columns_changed(self._columns, columns)
        self.out.write(_csv_rows(frame))


def _csv_line(values: list[str]) -> bytes:
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(values)
    return text.getvalue().encode("utf-8")


def _csv_rows(frame: Any) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        buffer = io.BytesIO()
        pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    except (pa.ArrowException, ValueError, TypeError):
        return str(frame.to_csv(index=False, header=False)).encode("utf-8")
    return buffer.getvalue()


class ParquetWriter(_TabularWriter):
    """Parquet, a row group per chunk, in the first chunk's schema."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._writer: Any = None

    def write(self, predictions: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = self._frame(predictions)
        frame.columns = [str(name) for name in frame.columns]
        try:
            if self._writer is None:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                self._writer = pq.ParquetWriter(self.out, table.schema)
            else:
                schema = self._writer.schema
                if frame.columns.tolist() != schema.names:
                    raise _columns_changed(schema.names, frame.columns.tolist())
                table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise ScoringError(
                f"The model's predictions cannot be written as parquet: {exc}; "
                "write them as json or jsonl instead.",
                error_code="BAD_REQUEST",
            ) from exc
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.is_open = False  # no footer, also not when garbage-collected
            self._writer = None


def _columns_changed(first: list[str], now: list[str]) -> ScoringError:
    return ScoringError(
        f"The model's predictions for a chunk of rows have the columns {now}, not {first} as "
        "for the first chunk; write them as json or jsonl instead.",
        error_code="BAD_REQUEST",
    )


def prediction_frame(predictions: Any) -> Any:
    """``predictions`` as a data frame with a column per output (see the module docstring);
    raises ScoringError for predictions that have no such shape."""
    import numpy as np
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        return predictions
    if isinstance(predictions, pd.Series):
        name = "prediction" if predictions.name is None else str(predictions.name)
        return predictions.to_frame(name=name)
    if isinstance(predictions, dict):
        try:
            return pd.DataFrame(predictions)
        except ValueError:
            return pd.DataFrame([predictions])
    if isinstance(predictions, list) and predictions and isinstance(predictions[0], dict):
        return pd.DataFrame(predictions)
    if isinstance(predictions, np.ndarray):
        array = predictions
    elif isinstance(predictions, list | tuple):
        try:
            array = np.asarray(predictions)
        except ValueError:  # ragged lists: one list per row
            return pd.DataFrame({"prediction": list(predictions)})
    else:
        return pd.DataFrame({"prediction": [predictions]})
    if array.ndim == 0:
        return pd.DataFrame({"prediction": [array.item()]})
    if array.ndim == 1:
        return pd.DataFrame({"prediction": array})
    if array.ndim == 2:
        return pd.DataFrame(array, columns=[f"prediction_{i}" for i in range(array.shape[1])])
    raise ScoringError(
        f"The model's predictions have {array.ndim} dimensions; a column per output takes "
        "at most 2: write them as json or jsonl instead.",
        error_code="BAD_REQUEST",
    )


WRITERS: dict[str, type[PredictionWriter]] = {
    "json": JsonDocumentWriter,
    "jsonl": JsonLinesWriter,
    "csv": CsvWriter,
    "parquet": ParquetWriter,
}


def open_writer(output_format: str, out: IO[bytes]) -> PredictionWriter:
    """The writer of ``output_format`` (a name of ``file_formats.OUTPUT_FORMATS``) on
    ``out``."""
    return WRITERS[output_format](out)
