"""Journey: an officer creates an API token for the agency's e-service, sees it once, uses it, revokes it."""
from __future__ import annotations

import json
import urllib.request

import pytest

from workflows.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
            json.loads(response.read())
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_create_use_and_revoke_a_token(live_server, page):
    page.goto(live_server + "/login")
    page.fill("#username", "officer.dol")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("[data-testid=nav-tokens]")
    assert "โทเคน API" in page.inner_text("h1")
    page.fill("#name", "ระบบบริการอิเล็กทรอนิกส์ของกรม")
    page.check("input[name=scopes][value=work]")
    page.click("[data-testid=token-form] button[type=submit]")
    token = page.inner_text("[data-testid=new-token] code").strip()
    assert token.startswith("slf_")
    assert _status(live_server + "/api/v1/tasks", token) == 200
    page.goto(live_server + "/account/tokens")  # shown once: not on the page any more
    assert token not in page.content() and token[:10] in page.inner_text("[data-testid=tokens]")
    page.click("[data-testid=tokens] button:has-text('ยกเลิก')")
    page.wait_for_selector(".flash.success")
    assert _status(live_server + "/api/v1/tasks", token) == 401
