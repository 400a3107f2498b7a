"""Prometheus metrics and a health check for ``run`` (``METRICS_PORT``,
``METRICS_HOST``; PRODUCT.md's settings).

One registry per process (a process with several shards is one target):

* ``storybot_questions_total{outcome}``: questions by ``outcome``, one of
  ``OUTCOMES`` (answered, declined, busy, cooldown) -- the only label, so
  the series are bounded: no question text, no user, guild or channel id;
* ``storybot_answer_seconds``: a question's time from asking the service to
  its answer (the queue for a worker included);
* ``storybot_engines_loaded``: engines in memory (the shared articles',
  and the servers' own);
* ``storybot_gateway_latency_seconds``: the gateway's heartbeat latency
  (NaN before the first heartbeat).

``GET /metrics``: the metrics, in Prometheus's text format; ``GET /healthz``:
200 once the bot is connected and the corpus is loaded, 503 otherwise (its
body says which).  Served by aiohttp on the bot's own event loop.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

OUTCOMES = ("answered", "declined", "busy", "cooldown")
"""``storybot_questions_total``'s outcomes (the label's only values)."""

ANSWER_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: a question takes tens of milliseconds; the queue's limit is
``ANSWER_MAX_WAIT_SECONDS`` (5 s by default)."""


class Metrics:
    """The process's metrics (a registry of its own: tests and several bots
    in one process do not share counts)."""

    def __init__(
        self,
        engines_loaded: Callable[[], float] = lambda: 0.0,
        gateway_latency: Callable[[], float] = lambda: math.nan,
    ) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter("storybot_questions", "Questions, by outcome.", ["outcome"], registry=self.registry)
        for outcome in OUTCOMES:  # every series there from the start, at 0
            self.questions.labels(outcome=outcome)
        self.answer_seconds = Histogram(
            "storybot_answer_seconds", "Time to answer a question.", buckets=ANSWER_BUCKETS, registry=self.registry
        )
        engines = Gauge("storybot_engines_loaded", "Engines (indexes) in memory.", registry=self.registry)
        engines.set_function(engines_loaded)
        latency = Gauge(
            "storybot_gateway_latency_seconds", "Discord gateway heartbeat latency.", registry=self.registry
        )
        latency.set_function(gateway_latency)

    def question(self, outcome: str, seconds: float | None = None) -> None:
        """Count one question (``outcome`` one of ``OUTCOMES``), and the
        time it took to answer when it was answered or declined."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.questions.labels(outcome=outcome).inc()
        if seconds is not None:
            self.answer_seconds.observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)


Health = Callable[[], str | None]
"""None when healthy, else why not (one line)."""


def app(metrics: Metrics, health: Health) -> web.Application:
    """``/metrics`` and ``/healthz``."""

    async def get_metrics(request: web.Request) -> web.Response:
        return web.Response(body=metrics.text(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def get_health(request: web.Request) -> web.Response:
        problem = health()
        if problem is None:
            return web.Response(text="ok\n")
        return web.Response(status=503, text=problem + "\n")

    application = web.Application()
    application.router.add_get("/metrics", get_metrics)
    application.router.add_get("/healthz", get_health)
    return application


async def serve(metrics: Metrics, health: Health, host: str, port: int) -> web.AppRunner:
    """Listen at ``host:port``; ``OSError`` when the address cannot be had."""
    runner = web.AppRunner(app(metrics, health), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    log.info("metrics at http://%s:%d/metrics, health at /healthz", host, port)
    return runner
