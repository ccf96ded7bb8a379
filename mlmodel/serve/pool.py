"""The prediction pool: threads that run decoding and prediction off the event loop, and that a
prediction past its time limit cannot clog.

Python cannot stop a thread, so a prediction that times out is *abandoned*: its caller gets
:class:`TimeoutError` at once, the thread it runs on leaves the pool when it finishes, and a
new thread takes its place, so the pool always has ``threads`` threads free for new work.
Abandoned threads are bounded: while ``max_abandoned`` of them are still running, :meth:`run`
refuses new work with :class:`PoolExhausted` (the server answers 503) instead of starting
ever more threads. A job still waiting in the queue when its time is up is dropped unrun.

Every thread is a daemon and :meth:`PredictionPool.close` does not wait for them: a stuck
prediction cannot hold the process past its shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from mlmodel.core.errors import MLModelError

T = TypeVar("T")
R = TypeVar("R")

#: abandoned predictions still running past which new predictions are refused (503)
DEFAULT_MAX_ABANDONED: Final = 16


class PoolExhausted(MLModelError):
    """No prediction can start: too many abandoned predictions are still running, or the pool
    is closed (the server answers 503)."""

    error_code = "TEMPORARILY_UNAVAILABLE"


@dataclass(eq=False)
class _Worker:
    thread: threading.Thread | None = None
    #: set (under the pool's lock) when its running job timed out: it leaves after that job
    abandoned: bool = False


@dataclass(eq=False)
class _Job(Generic[T, R]):
    fn: Callable[[T], R]
    arg: T
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[R]
    #: the worker running it (None while queued); set and read under the pool's lock
    worker: _Worker | None = None
    #: its caller gave up before a worker took it: it is dropped unrun
    dropped: bool = False
    done: threading.Event = field(default_factory=threading.Event)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """Runs on the event loop: the job's outcome, unless its caller stopped waiting."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class PredictionPool:
    """``threads`` daemon threads running ``fn(arg)`` jobs for coroutines on one event loop."""

    def __init__(
        self,
        threads: int,
        *,
        max_abandoned: int = DEFAULT_MAX_ABANDONED,
        name: str = "mlmodel-predict",
    ) -> None:
        if threads < 1:
            raise ValueError("a prediction pool needs at least one thread")
        self.threads = threads
        self.max_abandoned = max_abandoned
        self._name = name
        self._numbers = itertools.count(1)
        self._jobs: queue.SimpleQueue[_Job[Any, Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._abandoned = 0
        self._closed = False
        with self._lock:
            for _ in range(threads):
                self._start_worker()

    @property
    def abandoned(self) -> int:
        """Abandoned predictions still running."""
        return self._abandoned

    @property
    def live(self) -> int:
        """Threads taking new jobs (``threads`` until the pool is closed)."""
        return len(self._live)

    async def run(self, fn: Callable[[T], R], arg: T, timeout: float) -> R:
        """``fn(arg)`` on a pool thread, its result or exception. Raises :class:`TimeoutError`
        after ``timeout`` seconds (waiting in the queue included; the job is then dropped or
        abandoned) and :class:`PoolExhausted` at once while too many abandoned predictions
        run."""
        with self._lock:
            if self._closed:
                raise PoolExhausted("the server is shutting down")
            if self._abandoned >= self.max_abandoned:
                raise PoolExhausted(
                    f"{self._abandoned} predictions that timed out are still running"
                )
        loop = asyncio.get_running_loop()
        job: _Job[T, R] = _Job(fn, arg, loop, loop.create_future())
        self._jobs.put(job)
        try:
            return await asyncio.wait_for(job.future, timeout)
        except (TimeoutError, asyncio.CancelledError):
            self._give_up(job)
            raise

    def close(self) -> None:
        """Stop the live threads once their current job is done; do not wait for them (nor for
        abandoned ones). Later :meth:`run` calls raise :class:`PoolExhausted`."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for _ in self._live:
                self._jobs.put(None)
            self._live.clear()

    # -- internals --------------------------------------------------------------------------

    def _start_worker(self) -> None:
        """A new live thread (the caller holds the lock)."""
        worker = _Worker()
        worker.thread = threading.Thread(
            target=self._work,
            args=(worker,),
            name=f"{self._name}-{next(self._numbers)}",
            daemon=True,
        )
        self._live.add(worker)
        worker.thread.start()

    def _give_up(self, job: _Job[Any, Any]) -> None:
        """The caller stopped waiting: drop the job if it has not started, else abandon its
        worker and start a replacement."""
        with self._lock:
            worker = job.worker
            if worker is None:
                job.dropped = True
                return
            if job.done.is_set() or worker.abandoned:
                return
            worker.abandoned = True
            self._abandoned += 1
            self._live.discard(worker)
            if not self._closed:
                self._start_worker()

    def _work(self, worker: _Worker) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                if job.dropped:
                    continue
                job.worker = worker
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.fn(job.arg)
            except Exception as exc:  # noqa: BLE001 - handed to the waiting coroutine
                error = exc
            except BaseException as exc:  # noqa: BLE001 - SystemExit from model code
                error = RuntimeError(f"the prediction raised {exc!r}")
            with self._lock:
                job.done.set()
                if worker.abandoned:
                    self._abandoned -= 1
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)
            if worker.abandoned:
                return
