"""Prometheus metrics of the scoring server: names, buckets and the text exposition format.

The application records (:meth:`Metrics.observe`, :meth:`Metrics.in_flight`); this module
owns what is exported at ``/metrics``: ``mlmodel_requests_total{route,method,status}``,
``mlmodel_request_duration_seconds{route}`` (histogram), ``mlmodel_requests_in_flight``,
``mlmodel_model_load_seconds`` and, with batching on, ``mlmodel_batches_total`` and
``mlmodel_batched_requests_total`` (predicts made for several requests at once, and those
requests). Each worker process exports its own counts.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from typing import Final

#: latency buckets in seconds (upper bounds; +Inf is implicit)
BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if value != int(value) else str(int(value))


class Metrics:
    """Counters, a latency histogram per route, an in-flight gauge and the model load time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._buckets: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self._sum: defaultdict[str, float] = defaultdict(float)
        self._count: defaultdict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.model_load_seconds = 0.0
        self.batches = 0
        self.batched_requests = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(route, method, str(status))] += 1
            index = bisect.bisect_left(BUCKETS, seconds)
            if index < len(BUCKETS):
                self._buckets[route][index] += 1
            else:
                self._buckets[route]
            self._sum[route] += seconds
            self._count[route] += 1

    def observe_batch(self, requests: int) -> None:
        """One ``predict`` made for ``requests`` merged requests."""
        with self._lock:
            self.batches += 1
            self.batched_requests += requests

    def render(self) -> str:
        """The text exposition format (version 0.0.4)."""
        lines = [
            "# HELP mlmodel_requests_total HTTP requests answered, by route, method and status.",
            "# TYPE mlmodel_requests_total counter",
        ]
        with self._lock:
            for (route, method, status), count in sorted(self._requests.items()):
                labels = _labels(route=route, method=method, status=status)
                lines.append(f"mlmodel_requests_total{labels} {count}")
            lines += [
                "# HELP mlmodel_request_duration_seconds Time to answer a request, by route.",
                "# TYPE mlmodel_request_duration_seconds histogram",
            ]
            for route in sorted(self._count):
                cumulative = 0
                for bound, hits in zip(BUCKETS, self._buckets[route], strict=True):
                    cumulative += hits
                    labels = _labels(route=route, le=_number(bound))
                    lines.append(f"mlmodel_request_duration_seconds_bucket{labels} {cumulative}")
                labels = _labels(route=route, le="+Inf")
                lines.append(
                    f"mlmodel_request_duration_seconds_bucket{labels} {self._count[route]}"
                )
                lines.append(
                    f"mlmodel_request_duration_seconds_sum{_labels(route=route)} "
                    f"{self._sum[route]!r}"
                )
                lines.append(
                    f"mlmodel_request_duration_seconds_count{_labels(route=route)} "
                    f"{self._count[route]}"
                )
            lines += [
                "# HELP mlmodel_requests_in_flight Requests being answered now.",
                "# TYPE mlmodel_requests_in_flight gauge",
                f"mlmodel_requests_in_flight {self.in_flight}",
                "# HELP mlmodel_model_load_seconds Time taken to validate and load the model.",
                "# TYPE mlmodel_model_load_seconds gauge",
                f"mlmodel_model_load_seconds {self.model_load_seconds!r}",
                "# HELP mlmodel_batches_total Predictions made for several merged requests.",
                "# TYPE mlmodel_batches_total counter",
                f"mlmodel_batches_total {self.batches}",
                "# HELP mlmodel_batched_requests_total Requests answered from a merged batch.",
                "# TYPE mlmodel_batched_requests_total counter",
                f"mlmodel_batched_requests_total {self.batched_requests}",
            ]
        return "\n".join(lines) + "\n"
