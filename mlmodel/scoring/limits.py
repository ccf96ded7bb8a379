"""Limits on what a request body *decodes* to: columns, rows, cells and decompressed bytes.

A small body can decode to far more than its size: a CSV header of commas is thousands of
columns (pandas spends about 0.1 ms on each), sparse ``dataframe_records`` become a dense
rows x distinct-keys frame, a compressed parquet body holds millions of rows. The server
checks these counts before the expensive decoding and refuses with 413 naming the limit and
the ``mlmodel serve`` option that raises it. MLflow's scoring server has no such limits.

The limits are a server configuration: :class:`DecodeLimits` is passed to the decoders, and
``None`` (library use, ``mlmodel predict`` of a file) means no limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from mlmodel.scoring.errors import ScoringError

#: what ``mlmodel serve`` allows by default: well past a demanding request (hosted MLflow
#: endpoints cap bodies at a few tens of MB) and each decodable in about a second here
DEFAULT_MAX_COLUMNS: Final = 10_000
DEFAULT_MAX_ROWS: Final = 1_000_000
DEFAULT_MAX_CELLS: Final = 5_000_000
DEFAULT_MAX_DECOMPRESSED_SIZE: Final = 256 * 1024 * 1024


class LimitExceeded(ScoringError):
    """A body that decodes past one of the server's limits: 413 naming the limit's option."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(
            f"{message} (mlmodel serve {option}).",
            error_code="REQUEST_LIMIT_EXCEEDED",
            status=413,
        )


@dataclass(frozen=True)
class DecodeLimits:
    """The most a request may decode to; ``None`` is no limit for that count."""

    max_columns: int | None = DEFAULT_MAX_COLUMNS
    max_rows: int | None = DEFAULT_MAX_ROWS
    max_cells: int | None = DEFAULT_MAX_CELLS
    max_decompressed_size: int | None = DEFAULT_MAX_DECOMPRESSED_SIZE

    def check_columns(self, columns: int, what: str = "columns", *, more: bool = False) -> None:
        """413 when ``columns`` (named ``what`` in the message) is past the limit (``more``:
        counting stopped there)."""
        if self.max_columns is not None and columns > self.max_columns:
            count = f"more than {self.max_columns}" if more else str(columns)
            raise LimitExceeded(
                f"The request has {count} {what}; the server allows at most "
                f"{self.max_columns} columns",
                "--max-columns",
            )

    def check_rows(self, rows: int, *, more: bool = False) -> None:
        """413 when ``rows`` is past the limit (``more``: counting stopped there)."""
        if self.max_rows is not None and rows > self.max_rows:
            count = f"more than {self.max_rows}" if more else str(rows)
            raise LimitExceeded(
                f"The request has {count} rows; the server allows at most {self.max_rows}",
                "--max-rows",
            )

    def check_cells(self, rows: int, columns: int, *, more: bool = False) -> None:
        """413 when a ``rows`` x ``columns`` frame is past the cell limit (``more``: at
        least ``rows`` rows were seen)."""
        if self.max_cells is not None and rows * columns > self.max_cells:
            least = "at least " if more else ""
            raise LimitExceeded(
                f"The request decodes to {least}{rows} rows x {columns} columns = "
                f"{least}{rows * columns} cells; the server allows at most "
                f"{self.max_cells}",
                "--max-cells",
            )

    def check_frame(self, rows: int, columns: int, what: str = "columns") -> None:
        """Columns, rows and cells of a frame of ``rows`` x ``columns``."""
        self.check_columns(columns, what)
        self.check_rows(rows)
        self.check_cells(rows, columns)

    def check_decompressed(self, size: int) -> None:
        """413 when a compressed body holds more than the decompressed-size limit."""
        if self.max_decompressed_size is not None and size > self.max_decompressed_size:
            raise LimitExceeded(
                f"The parquet body decodes to at least {size} bytes; the "
                f"server allows at most {self.max_decompressed_size}",
                "--max-decompressed-size",
            )

    def rows_allowed(self, columns: int) -> int | None:
        """The most rows a frame of ``columns`` columns may have (None: no limit)."""
        bounds = [b for b in (self.max_rows, self._cells_rows(columns)) if b is not None]
        return min(bounds) if bounds else None

    def _cells_rows(self, columns: int) -> int | None:
        if self.max_cells is None:
            return None
        return self.max_cells // max(columns, 1)


def frame_width(rows: list[Any], *, lists: bool = True) -> int:
    """The columns pandas gives a frame built from ``rows``: the union of the keys of the
    dict rows (missing keys are filled in) and, with ``lists``, the longest list row (short
    rows are padded). Rows all of one kind are measured at C speed."""
    kinds = set(map(type, rows))
    if kinds == {dict}:
        return len(set().union(*rows))
    if kinds == {list}:
        return max(map(len, rows)) if lists else 0
    if dict not in kinds and (list not in kinds or not lists):
        return 0
    keys: set[Any] = set()
    width = 0
    for row in rows:
        if isinstance(row, dict):
            keys.update(row)
        elif lists and isinstance(row, list) and len(row) > width:
            width = len(row)
    return max(width, len(keys))


_CSV_SPECIAL: Final = re.compile(r'[",\r\n]')


def csv_fields(text: str, stop: int, records: int = 2) -> int:
    """The most fields in the first ``records`` non-blank CSV records of ``text``, read as
    pandas' C parser reads them (``,`` separated, ``"`` quoting from a field's start, ``""``
    an escaped quote, blank lines skipped). Counting ends once a record passes ``stop``.

    Two records: the header, and the first data row, whose extra fields pandas turns into
    index levels. Only separators, quotes and line ends are visited, and a quoted field is
    skipped with one search, so the cost is bounded by ``stop`` and not by the text."""
    best = 0
    fields = 1
    record_start = field_start = pos = 0
    seen = 0
    while True:
        match = _CSV_SPECIAL.search(text, pos)
        if match is None:
            break
        char, at, pos = match.group(), match.start(), match.end()
        if char == '"':
            if at != field_start:
                continue  # a quote inside an unquoted field is a character
            while True:  # to the closing quote, past doubled ones
                close = text.find('"', pos)
                if close < 0:
                    return max(best, fields)  # pandas refuses an unterminated quote
                pos = close + 1
                if text.startswith('"', pos):
                    pos += 1
                    continue
                break
        elif char == ",":
            fields += 1
            field_start = pos
            if fields > stop:
                return fields
        else:
            if at != record_start:
                best = max(best, fields)
                seen += 1
                if seen == records:
                    return best
            fields = 1
            record_start = field_start = pos
    if record_start < len(text):
        best = max(best, fields)  # a last record without its line end
    return best
