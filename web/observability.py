"""Request ids on every log line and response, and Prometheus metrics at ``/metrics``: requests and
their latency per endpoint (this process), and what the database says for all (the due backlog and its
age, failed deadlines, incidents, the e-mail outbox, tasks). ``/metrics`` answers only a scraper with
``SLAFLOW_METRICS_TOKEN`` or from ``SLAFLOW_METRICS_NETWORKS``; anyone else gets 404."""
from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from engine import logs
from engine.services import operations

from .context import engine_context

bp = Blueprint("observability", __name__)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _FromDatabase:
    """Figures read from the database at each scrape (every worker reports the same)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        with self.app.app_context():
            figures = operations.gauges(engine_context())
        for name, value in figures.items():
            if name.endswith("_total"):
                family = CounterMetricFamily(name[:-len("_total")], name.replace("_", " "))
            else:
                family = GaugeMetricFamily(name, name.replace("_", " "))
            family.add_metric([], value)
            yield family


def install(app) -> None:
    registry = CollectorRegistry()
    metrics = {
        "requests": Counter("slaflow_http_requests", "HTTP requests answered by this process",
                            ["method", "endpoint", "status"], registry=registry),
        "latency": Histogram("slaflow_http_request_duration_seconds", "time to answer, by endpoint",
                             ["method", "endpoint"], buckets=BUCKETS, registry=registry),
        "registry": registry,
    }
    registry.register(_FromDatabase(app))
    app.extensions["slaflow_metrics"] = metrics

    @app.before_request
    def _begin():
        g.request_id = logs.new_id(request.headers.get("X-Request-ID"))
        g.request_id_token = logs.REQUEST_ID.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _end(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        started = g.get("request_started")
        if started is not None and request.endpoint != "observability.metrics":
            endpoint = request.endpoint or "unknown"
            metrics["requests"].labels(request.method, endpoint, str(response.status_code)).inc()
            metrics["latency"].labels(request.method, endpoint).observe(time.perf_counter() - started)
        return response

    @app.teardown_request
    def _forget(exc=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            logs.REQUEST_ID.reset(token)

    app.register_blueprint(bp)


def _allowed() -> bool:
    settings = engine_context().settings
    header = request.headers.get("Authorization", "")
    if settings.metrics_token and hmac.compare_digest(header, f"Bearer {settings.metrics_token}"):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.metrics_networks)


@bp.route("/metrics")
def metrics():
    if not _allowed():
        abort(404)
    body = generate_latest(current_app.extensions["slaflow_metrics"]["registry"])
    return Response(body, mimetype="text/plain; version=0.0.4", headers={"Cache-Control": "no-store"})
