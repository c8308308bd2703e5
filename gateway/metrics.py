"""Prometheus metrics of the gateway, in its own registry (GW-2).

Labels are bounded: the service name, the method (known ones, else ``OTHER``) and the
status class (``2xx``…), never the path. Label children are cached, so counting a
request is a dict lookup and two increments.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            "gateway_requests_total",
            "Requests answered by the gateway",
            ["service", "method", "status_class"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "gateway_request_duration_seconds",
            "Time from the request to the response headers, by service",
            ["service"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self._upstream_errors = Counter(
            "gateway_upstream_errors_total",
            "Upstream failures: unreachable (503), timeout (504), broken (502)",
            ["service", "kind"],
            registry=self.registry,
        )
        self._rejected = Counter(
            "gateway_rejected_total",
            "Requests refused at the edge",
            ["reason"],
            registry=self.registry,
        )
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[str, Histogram] = {}

    def observe(self, service: str, method: str, status: int, seconds: float) -> None:
        key = (service, method if method in _METHODS else "OTHER", status // 100)
        child = self._counters.get(key)
        if child is None:
            status_class = _CLASSES[key[2] - 1] if 1 <= key[2] <= 5 else "other"
            child = self._requests.labels(service, key[1], status_class)
            self._counters[key] = child
        child.inc()
        histogram = self._histograms.get(service)
        if histogram is None:
            histogram = self._latency.labels(service)
            self._histograms[service] = histogram
        histogram.observe(seconds)

    def upstream_error(self, service: str, kind: str) -> None:
        self._upstream_errors.labels(service, kind).inc()

    def rejected(self, reason: str) -> None:
        self._rejected.labels(reason).inc()
