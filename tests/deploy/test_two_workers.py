"""The deployment the README documents, without Docker: PostgreSQL, two web workers and the scheduler as
separate processes. A client using only the API starts a workflow on one worker, submits its first task,
and reads its status and its agency's score; the other worker sees the same."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine import context as context_mod
from engine import migrate
from engine.services import accounts, api_tokens
from tests.conftest import ADMIN, PG_URL, _postgres_database
from tests.workflows.test_sla_paths import deploy_all

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError:
        return 0, {}


@pytest.mark.skipif(not PG_URL and os.environ.get("CI") != "true", reason="no PostgreSQL server")
def test_two_workers_and_the_scheduler_on_postgresql(tmp_path):
    admin, name, url = _postgres_database()
    env = {**os.environ, "SLAFLOW_DATABASE_URL": url, "SLAFLOW_SECRET_KEY": "deploy-test-secret",
           "SLAFLOW_INSTANCE_DIR": str(tmp_path / "var"), "SLAFLOW_SCHEDULER_INTERVAL": "2",
           "SLAFLOW_LOG_FORMAT": "json"}
    subprocess.run([str(BIN / "slaflow"), "init-db"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    from engine.config import Settings

    ctx = context_mod.build(Settings.from_env(env))
    migrate.upgrade(ctx.db)
    agency = accounts.create_agency(ctx, ADMIN, "DEPLOY", "กรมทดสอบการติดตั้ง")
    accounts.create_user(ctx, ADMIN, "officer.deploy", "password-123", "เจ้าหน้าที่", ["officer"], agency)
    deploy_all(ctx)
    token = api_tokens.create_for_user(ctx, "officer.deploy", "ระบบ e-service", ["read", "work"])
    ctx.close()

    ports = [_free_port(), _free_port()]
    processes = [subprocess.Popen([str(BIN / "slaflow"), "run", "--port", str(p)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in ports]
    processes.append(subprocess.Popen([str(BIN / "slaflow"), "scheduler"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(_get(f"http://127.0.0.1:{p}/readyz")[0] == 200 for p in ports):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the workers never became ready: {[_get(f'http://127.0.0.1:{p}/readyz') for p in ports]}")
        from engine.fiscal import fiscal_year_of
        from engine.models import utcnow

        year = fiscal_year_of(utcnow().date())
        out = subprocess.run([sys.executable, str(ROOT / "docs" / "api_example.py"), str(agency), str(year)],
                             env={**env, "SLAFLOW_URL": f"http://127.0.0.1:{ports[0]}", "SLAFLOW_TOKEN": token},
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "started workflow" in out.stdout and "submitted" in out.stdout and "status running" in out.stdout
        status, listed = _get(f"http://127.0.0.1:{ports[1]}/api/v1/workflows", token)  # the other worker
        assert status == 200 and listed["total"] == 1 and listed["items"][0]["stages"]["select_process"] == "done"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        from sqlalchemy import text

        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
