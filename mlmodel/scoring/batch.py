"""Batch scoring of a file, as ``mlflow models predict`` does it, in bounded memory.

JSON input is one ``/invocations`` payload (read whole, as MLflow reads it). CSV and parquet
input is read in chunks of rows, each predicted and written out before the next is read,
so memory is bounded by the chunk size and not by the input; the output is the same
``{"predictions": [...]}`` document the server answers for the whole file (a model whose
output for a chunk is not a list, e.g. a single string, is answered whole from one chunk
only). ``progress`` is called with the input bytes consumed so far.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, Final

from mlmodel.scoring import content_type as ct
from mlmodel.scoring.errors import ScoringError
from mlmodel.scoring.payload import Decoded, decode_json
from mlmodel.scoring.predictions import items_json, to_json

if TYPE_CHECKING:
    from mlmodel.scoring.dataplane import Scorer

DEFAULT_CHUNK_ROWS: Final = 100_000
Progress = Callable[[int], None]


def _chunks(source: IO[bytes], mime: str, scorer: Scorer, rows: int) -> Iterator[Any]:
    from mlmodel.scoring.tabular import iter_csv, iter_parquet

    if mime == ct.PARQUET:
        yield from iter_parquet(source, rows)  # type: ignore[arg-type]
        return
    text = io.TextIOWrapper(source, encoding="utf-8")
    try:
        yield from iter_csv(text, scorer.inputs.schema, rows)
    finally:
        text.detach()  # the caller owns (and closes) ``source``


def predict_stream(
    scorer: Scorer,
    source: IO[bytes],
    write: Callable[[bytes], Any],
    *,
    content_type: str = ct.JSON,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> int:
    """Score ``source`` and ``write`` the predictions document; returns the rows scored
    (0 for JSON input). Raises ScoringError for input the model cannot take."""
    mime = ct.mime_type(content_type)
    if mime == ct.JSON:
        decoded = decode_json(source.read(), scorer.inputs)
        write(to_json(scorer.predict(decoded), wrap=decoded.wrap))
        return 0
    rows = 0
    pending: Any = None  # the first chunk's predictions, until a second chunk shows up
    started = False
    wrote = False  # an item has been written (the next one needs a comma)
    for chunk in _chunks(source, mime, scorer, chunk_rows):
        predictions = scorer.predict(Decoded(chunk))
        rows += len(chunk)
        if progress is not None:
            progress(_position(source))
        if not started and pending is None:
            pending = predictions
            continue
        if not started:
            write(b'{"predictions":[')
            wrote = _write_items(write, pending, wrote=False)
            started, pending = True, None
        wrote = _write_items(write, predictions, wrote=wrote)
    if started:
        write(b"]}")
    elif pending is not None:
        write(to_json(pending))
    else:  # an empty file: what the model says about an empty frame
        import pandas as pd

        write(to_json(scorer.predict(Decoded(pd.DataFrame()))))
    return rows


def _write_items(write: Callable[[bytes], Any], predictions: Any, *, wrote: bool) -> bool:
    items = items_json(predictions)
    if items is None:
        raise ScoringError(
            "The model's predictions for a chunk of rows are not a list, so chunks cannot be "
            "joined; score this input as one JSON payload instead.",
            error_code="BAD_REQUEST",
        )
    for text in items:
        if not text:
            continue
        if wrote:
            write(b",")
        write(text)
        wrote = True
    return wrote


def _position(source: IO[bytes]) -> int:
    try:
        return source.tell()
    except (OSError, ValueError):
        return 0
