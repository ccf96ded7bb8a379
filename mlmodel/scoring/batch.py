"""Batch scoring of a file, as ``mlflow models predict`` does it, in bounded memory.

JSON input is one ``/invocations`` payload (read whole, as MLflow reads it). CSV and parquet
input is read in chunks of rows, each predicted and written out before the next is read
(parquet through pyarrow a batch at a time, never the whole file), so memory is bounded by
the chunk size and not by the input; the output goes through a
:class:`~mlmodel.scoring.prediction_writers.PredictionWriter` as each chunk is scored.
Parquet from a stream that cannot seek (standard input) is first copied to a temporary
file, since its footer comes last.

``progress`` is called with a :class:`BatchProgress` once before the first chunk is scored
(the totals known then: the input's size, a parquet footer's row count) and after each
chunk is written.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any, Final

from mlmodel.scoring import content_type as ct
from mlmodel.scoring.payload import Decoded, decode_json

if TYPE_CHECKING:
    from mlmodel.scoring.dataplane import Scorer
    from mlmodel.scoring.prediction_writers import PredictionWriter

DEFAULT_CHUNK_ROWS: Final = 100_000


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """How far a batch scoring run is: input bytes read (the input's read position: for
    parquet, within the row group being read) and rows scored (and written), each against
    its total when known (``rows_total``: a parquet footer's row count)."""

    bytes_read: int = 0
    bytes_total: int | None = None
    rows_scored: int = 0
    rows_total: int | None = None

    @property
    def fraction(self) -> float | None:
        """The share done: by rows when their total is known, else by bytes read."""
        if self.rows_total:
            return self.rows_scored / self.rows_total
        if self.bytes_total:
            return min(self.bytes_read / self.bytes_total, 1.0)
        return None


Progress = Callable[[BatchProgress], None]


def predict_stream(
    scorer: Scorer,
    source: IO[bytes],
    writer: PredictionWriter,
    *,
    content_type: str = ct.JSON,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> int:
    """Score ``source`` and write the predictions through ``writer`` (closed at the end,
    aborted on a failure); returns the rows scored (0 for JSON input). Raises ScoringError
    for input the model cannot take."""
    try:
        return _scored(scorer, source, writer, ct.mime_type(content_type), chunk_rows, progress)
    except BaseException:
        writer.abort()
        raise


def _scored(
    scorer: Scorer,
    source: IO[bytes],
    writer: PredictionWriter,
    mime: str,
    chunk_rows: int,
    progress: Progress | None,
) -> int:
    report = _Reporter(progress, source)
    if mime == ct.JSON:
        report.start()
        decoded = decode_json(source.read(), scorer.inputs)
        writer.write_whole(scorer.predict(decoded), wrap=decoded.wrap)
        writer.close()
        report.chunk(0)
        return 0
    rows = chunks = 0
    for chunk in _chunks(source, mime, scorer, chunk_rows, report):
        writer.write(scorer.predict(Decoded(chunk)))
        writer.flush()
        rows += len(chunk)
        chunks += 1
        report.chunk(len(chunk))
    if chunks == 0:  # an empty file: what the model says about an empty frame
        import pandas as pd

        if not report.started:
            report.start()
        writer.write(scorer.predict(Decoded(pd.DataFrame())))
    writer.close()
    return rows


class _Reporter:
    """Calls ``progress`` with the run's :class:`BatchProgress`."""

    def __init__(self, progress: Progress | None, source: IO[bytes]) -> None:
        self.progress = progress
        self.source = source
        self.state = BatchProgress(bytes_total=_size(source))
        self.started = False

    def start(self, rows_total: int | None = None) -> None:
        """Before the first chunk is scored."""
        self.started = True
        self.state = replace(self.state, rows_total=rows_total)
        self._send()

    def chunk(self, rows: int) -> None:
        """After a chunk of ``rows`` rows is scored and written."""
        self.state = replace(self.state, rows_scored=self.state.rows_scored + rows)
        self._send()

    def _send(self) -> None:
        if self.progress is not None:
            self.state = replace(self.state, bytes_read=_position(self.source))
            self.progress(self.state)


def _chunks(
    source: IO[bytes], mime: str, scorer: Scorer, rows: int, report: _Reporter
) -> Iterator[Any]:
    from mlmodel.scoring.tabular import iter_csv, iter_parquet

    if mime == ct.PARQUET:
        with contextlib.ExitStack() as stack:
            if not _seekable(source):  # the footer comes last: a copy on disk, not in memory
                source = stack.enter_context(_spooled(source))
                report.source = source
                report.state = replace(report.state, bytes_total=_size(source))
            yield from iter_parquet(source, rows, row_count=report.start)
        return
    text = io.TextIOWrapper(source, encoding="utf-8")
    try:
        first = True
        for chunk in iter_csv(text, scorer.inputs.schema, rows):
            if first:
                report.start()
                first = False
            yield chunk
    finally:
        text.detach()  # the caller owns (and closes) ``source``


def _seekable(source: IO[bytes]) -> bool:
    try:
        return source.seekable()
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _spooled(source: IO[bytes]) -> Iterator[IO[bytes]]:
    """A seekable temporary copy of ``source``, copied 1 MiB at a time, removed at exit."""
    import shutil
    import tempfile

    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(source, copy, 1 << 20)
        copy.seek(0)
        yield copy


def _size(source: IO[bytes]) -> int | None:
    import os
    import stat

    try:
        info = os.fstat(source.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) and info.st_size else None


def _position(source: IO[bytes]) -> int:
    try:
        return source.tell()
    except (OSError, ValueError):
        return 0
