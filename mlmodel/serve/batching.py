"""Adaptive batching of concurrent requests: one ``model.predict`` for many requests.

``mlmodel serve --max-batch-size N --max-batch-time SECONDS`` (N > 1): each request is
decoded on its own, in its own pool thread. A decoded DataFrame that can be merged joins the
open batch of its kind; the first request of a batch waits until the batch holds N requests
or ``SECONDS`` have passed, then predicts the concatenated input once, splits the
predictions back by row counts and wakes the others, each of which writes its own answer.

What is merged, and what is never:

- only DataFrames with a default index, unique string column names and numpy numeric or
  boolean columns, and no params (not even empty ones); requests merge only with requests of the same columns and dtypes
  (the batch's kind), so the concatenated input is what each would have sent alone;
- a request whose decode fails is answered alone (it never reaches a batch); a request with
  params, or of any other input kind, is predicted alone;
- when the batched ``predict`` fails, or its output is not one item per input row (an array,
  Series, DataFrame or list as long as the batch), every request of the batch is predicted
  alone, so a bad request never fails its neighbours.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # the scoring path is imported when a server is built, not by the CLI
    from mlmodel.scoring.dataplane import Answer, Prepared, Scorer
    from mlmodel.scoring.payload import Decoded
    from mlmodel.serve.metrics import Metrics

#: ``--max-batch-time``'s default: how long the first request of a batch waits for others
DEFAULT_MAX_BATCH_TIME: Final = 0.005
#: dtype kinds a merged column may have (bool, signed, unsigned, float)
_MERGEABLE_KINDS: Final = frozenset("biuf")


def merge_key(decoded: Decoded) -> tuple[tuple[str, str], ...] | None:
    """The kind of batch ``decoded`` may join (its columns and dtypes), or None when it is
    to be predicted alone."""
    import sys

    from mlmodel.scoring.payload import column_names

    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    data = decoded.data
    if pd is None or np is None or not isinstance(data, pd.DataFrame):
        return None
    if decoded.params is not None or not decoded.wrap:
        return None
    index = data.index
    if (
        len(data) == 0
        or not isinstance(index, pd.RangeIndex)
        or index.start != 0
        or index.step != 1
    ):
        return None
    names = column_names(data.columns)  # not Index.is_unique: it builds a hash table per frame
    if len(set(names)) != len(names):
        return None
    key = []
    for name, dtype in zip(names, data.dtypes, strict=True):
        # numpy dtypes only: a nullable pandas dtype would change its neighbours' on concat
        if not isinstance(name, str) or not isinstance(dtype, np.dtype):
            return None
        if dtype.kind not in _MERGEABLE_KINDS:
            return None
        key.append((name, dtype.str))
    return tuple(key)


def split_predictions(predictions: Any, rows: list[int]) -> list[Any] | None:
    """``predictions`` of the concatenated input cut back into one share per request
    (``rows`` each), or None when they are not one item per input row."""
    import sys

    total = sum(rows)
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    bounds = []
    start = 0
    for count in rows:
        bounds.append((start, start + count))
        start += count
    if np is not None and isinstance(predictions, np.ndarray):
        if predictions.ndim == 0 or len(predictions) != total:
            return None
        return [predictions[a:b] for a, b in bounds]
    if pd is not None and isinstance(predictions, pd.Series | pd.DataFrame):
        if len(predictions) != total:
            return None
        return [predictions.iloc[a:b].reset_index(drop=True) for a, b in bounds]
    if isinstance(predictions, list) and len(predictions) == total:
        return [predictions[a:b] for a, b in bounds]
    return None


@dataclass
class _Member:
    """One request in a batch: its share of the predictions once the batch has run
    (``alone`` when it is to be predicted on its own)."""

    prepared: Prepared
    rows: int
    done: threading.Event = field(default_factory=threading.Event)
    share: Any = None
    alone: bool = True


@dataclass
class _Batch:
    members: list[_Member] = field(default_factory=list)
    #: set when the batch is full (its first request stops waiting)
    full: threading.Event = field(default_factory=threading.Event)


class Batcher:
    """Merges concurrent requests of the same kind into one ``predict`` (see the module).

    :meth:`answer` is called in a pool thread for each decoded request and returns its
    answer; the pool needs at least ``max_size`` threads for a batch to fill."""

    def __init__(
        self,
        scorer: Scorer,
        max_size: int,
        max_time: float = DEFAULT_MAX_BATCH_TIME,
        metrics: Metrics | None = None,
    ) -> None:
        self.scorer = scorer
        self.max_size = max_size
        self.max_time = max_time
        self.metrics = metrics
        self._lock = threading.Lock()
        self._open: dict[tuple[tuple[str, str], ...], _Batch] = {}

    def answer(self, prepared: Answer | Prepared) -> Answer:
        """The answer of one request: an error answer as it is, a request that cannot be
        merged predicted alone, any other through a batch."""
        from mlmodel.scoring import dataplane

        if not isinstance(prepared, dataplane.Prepared):
            return prepared
        key = merge_key(prepared.decoded)
        if key is None:
            return prepared.run(self.scorer)
        member = _Member(prepared, len(prepared.decoded.data))
        with self._lock:
            batch = self._open.get(key)
            first = batch is None
            if batch is None:
                batch = self._open[key] = _Batch()
            batch.members.append(member)
            if len(batch.members) >= self.max_size:
                del self._open[key]
                batch.full.set()
        if first:
            batch.full.wait(self.max_time)
            with self._lock:
                if self._open.get(key) is batch:
                    del self._open[key]
            self._predict(batch.members)
        else:
            member.done.wait()
        if member.alone:
            return prepared.run(self.scorer)
        try:
            return prepared.finish(member.share)
        except Exception as exc:  # noqa: BLE001 - its own share that does not serialise
            return prepared.fail(exc)

    def _predict(self, members: list[_Member]) -> None:
        """Predict the batch once and hand each member its share; on any failure each
        member is left to predict alone. Every member is woken, whatever happens."""
        try:
            if len(members) > 1:
                import pandas as pd

                from mlmodel.scoring.payload import Decoded

                merged = pd.concat([m.prepared.decoded.data for m in members], ignore_index=True)
                predictions = self.scorer.predict(Decoded(merged))
                shares = split_predictions(predictions, [m.rows for m in members])
                if shares is not None:
                    for member, share in zip(members, shares, strict=True):
                        member.share, member.alone = share, False
                    if self.metrics is not None:
                        self.metrics.observe_batch(len(members))
        except Exception:  # noqa: BLE001, S110 - each member is then predicted alone
            pass
        finally:
            for member in members:
                member.done.set()
