"""``GET /metrics``: the server's counters in Prometheus' text format (``prometheus-client``).

Requests by route, method and status; request latency; pairs waiting for the inference thread; decoded
pixels in flight; API requests in flight; the model's load state. With ``serve --workers N`` the `serve`
command sets ``PROMETHEUS_MULTIPROC_DIR`` to a folder of its own, every worker writes its values there,
and whichever worker answers a scrape adds up all of them (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MODEL_STATES = ("loading", "ready", "failed")
ROUTES = frozenset({"/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/model", "/v1/verify",
                    "/v1/verify/batch"})  # fmt: skip
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def route_label(path: str) -> str:
    """The path as a label with few values: a known route, ``/static``, or ``other`` (404s, scans)."""
    if path in ROUTES:
        return path
    return "/static" if path.startswith("/static/") else "other"


class Metrics:
    """The app's metrics, in a registry of its own (several apps may live in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("animal_verifier_requests", "HTTP requests answered, by route, method and status",
                                ["route", "method", "status"], registry=r)  # fmt: skip
        self.latency = Histogram("animal_verifier_request_duration_seconds", "Time from request to answer",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.queue_depth = Gauge("animal_verifier_queue_depth", "Pairs waiting for the inference thread",
                                 registry=r, multiprocess_mode="livesum")  # fmt: skip
        self.pixels = Gauge("animal_verifier_pixels_in_flight", "Decoded pixels admitted and not yet given back",
                            registry=r, multiprocess_mode="livesum")  # fmt: skip
        self.in_flight = Gauge("animal_verifier_requests_in_flight", "API requests being served",
                               registry=r, multiprocess_mode="livesum")  # fmt: skip
        self.model_state = Gauge("animal_verifier_model_state", "Worker processes whose model is in each state",
                                 ["state"], registry=r, multiprocess_mode="livesum")  # fmt: skip

    def observe(self, path: str, method: str, status: int, seconds: float) -> None:
        route = route_label(path)
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def update(self, *, queue_depth: int, pixels: int, in_flight: int, model_state: str) -> None:
        self.queue_depth.set(queue_depth)
        self.pixels.set(pixels)
        self.in_flight.set(in_flight)
        for state in MODEL_STATES:
            self.model_state.labels(state).set(1 if state == model_state else 0)

    def render(self) -> tuple[bytes, str]:
        """The text of a scrape and its content type: this process's values, or all workers' together."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def forget_this_process() -> None:
    """At a worker's exit, drop its live gauges from the shared folder (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())
