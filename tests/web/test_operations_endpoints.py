"""What operators and proxies rely on: request ids on answers and log lines, JSON logs, Prometheus
metrics only for the scraper, and static files fingerprinted, cached for a year and compressed."""
from __future__ import annotations

import json
import logging
import re

from engine import logs


def test_request_ids_are_kept_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-42.a_b"}).headers["X-Request-ID"] == "proxy-42.a_b"
    for offered in ("has space", "x" * 65, "<script>", ""):
        made = client.get("/healthz", headers={"X-Request-ID": offered}).headers["X-Request-ID"]
        assert made != offered and re.fullmatch(r"[0-9a-f]{32}", made)


def test_json_log_lines_carry_the_request_id(capsys):
    logs.configure("json", "INFO")
    try:
        with logs.request_id("req-7"):
            logging.getLogger("slaflow.test").info("ส่งงานแล้ว %s", 3)
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["request_id"] == "req-7" and line["message"] == "ส่งงานแล้ว 3" and line["level"] == "INFO"
        logs.configure("text", "INFO")
        logging.getLogger("slaflow.test").warning("no request")
        assert "[-]: no request" in capsys.readouterr().err
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)


def test_metrics_for_the_scraper_only(app, client, world):
    from dataclasses import replace

    from web import create_app

    client.get("/healthz")
    allowed = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    text = allowed.get_data(as_text=True)
    assert allowed.status_code == 200
    assert 'slaflow_http_requests_total{endpoint="health.healthz",method="GET",status="200"}' in text
    assert "slaflow_http_request_duration_seconds_bucket" in text
    for figure in ("slaflow_sweep_backlog ", "slaflow_incidents_open ", "slaflow_outbox_pending ",
                   "slaflow_tasks_completed_total ", "slaflow_sweep_backlog_age_seconds "):
        assert figure in text, figure
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 404
    tokened = create_app(ctx=replace(world.ctx, settings=world.ctx.settings.replace(
        metrics_token="scrape-me", metrics_networks=()))).test_client()
    assert tokened.get("/metrics").status_code == 404
    assert tokened.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert tokened.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_static_files_fingerprinted_cached_and_compressed(client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'/static/app\.css\?v=([0-9a-f]{12})', page).group(0)
    fresh = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fresh.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in fresh.headers["Vary"]
    plain = client.get("/static/app.css")
    assert plain.headers["Cache-Control"] == "no-cache" and "Content-Encoding" not in plain.headers
    assert client.get("/static/app.css", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert client.get("/static/app.css?v=000000000000").headers["Cache-Control"] == "no-cache"  # an old release's
    assert client.get("/static/../engine/config.py").status_code == 404


def test_the_thai_web_font_is_served_by_the_app(client):
    css = client.get("/static/app.css").get_data(as_text=True)
    assert '@font-face { font-family: "Sarabun"; src: url("/fonts/Sarabun-Regular.ttf")' in css
    font = client.get("/fonts/Sarabun-Regular.ttf", headers={"Accept-Encoding": "gzip"})
    assert font.status_code == 200 and font.headers["Content-Type"].startswith("font/")
    assert client.get("/fonts/../../etc/passwd").status_code == 404
    assert client.get("/fonts/Other.ttf").status_code == 404


def test_the_print_button_script_of_documents_is_served(client):
    assert "window.print()" in client.get("/static/print.js").get_data(as_text=True)


def test_static_answers_never_set_the_session_cookie(client):
    from tests.web.conftest import login

    assert login(client, "officer.a").status_code == 302
    for path in ("/static/app.css", "/fonts/Sarabun-Regular.ttf", "/healthz", "/static/favicon.ico"):
        answer = client.get(path)
        assert "Set-Cookie" not in answer.headers, path
