"""A live server with the demo data and a real Debian chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine import context as context_mod
from tests.conftest import _settings, make_ctx
from web import create_app
from workflows import demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


class LiveApp(str):
    """The live server's address, and the engine behind it (for the scheduler's part of a journey)."""

    ctx = None


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """The demo loaded once per test session; each module's server runs on a copy of it."""
    home = tmp_path_factory.mktemp("demo-template")
    ctx = make_ctx(home)
    demo.load(ctx)
    ctx.close()
    return home


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, demo_home):
    home = tmp_path_factory.mktemp("e2e")
    shutil.copytree(demo_home / "instance", home / "instance")
    ctx = context_mod.build(_settings(home))
    app = create_app(ctx=ctx)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveApp(f"http://127.0.0.1:{server.server_port}")
    live.ctx = ctx
    yield live
    server.shutdown()
    ctx.close()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Debian chromium is not installed")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
