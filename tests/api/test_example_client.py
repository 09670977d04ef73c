"""The client in docs/api_example.py, run as another system would: a separate process, over HTTP, with a
token only."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import time_machine
from werkzeug.serving import make_server

from engine.services import api_tokens
from tests.workflows.test_sla_paths import START, deploy_all

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "api_example.py"


def test_the_documented_client_starts_submits_and_reads(app, world):
    deploy_all(world.ctx)
    token = api_tokens.create(world.ctx, world.actor("officer.a"), "ระบบ e-service", ["read", "work"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with time_machine.travel(START, tick=False):  # the server's clock; the client has none to share
            out = subprocess.run([sys.executable, str(EXAMPLE), str(world.agency_a), "2569"], capture_output=True,
                                 text=True, timeout=60, env={**os.environ, "SLAFLOW_TOKEN": token,
                                                             "SLAFLOW_URL": f"http://127.0.0.1:{server.server_port}"})
    finally:
        server.shutdown()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "started workflow" in out.stdout and "submitted" in out.stdout
    assert "status running" in out.stdout and "scores" in out.stdout
