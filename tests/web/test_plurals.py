"""Counts read right in both languages: "1 day", "3 days" in English; Thai has one form."""
from __future__ import annotations

import pytest
from flask import render_template_string

TEMPLATE = ("{{ ngettext('overdue %(num)s day', 'overdue %(num)s days', n) }} | "
            "{{ ngettext('%(num)s request', '%(num)s requests', n) }} | "
            "{{ ngettext('%(num)s copy', '%(num)s copies', n) }}")


@pytest.mark.parametrize("lang, n, shown", [
    ("en", 1, "overdue 1 day | 1 request | 1 copy"),
    ("en", 3, "overdue 3 days | 3 requests | 3 copies"),
    ("th", 1, "เลยกำหนด 1 วัน | 1 เรื่อง | 1 ฉบับ"),
    ("th", 3, "เลยกำหนด 3 วัน | 3 เรื่อง | 3 ฉบับ"),
])
def test_counted_words(app, lang, n, shown):
    with app.test_request_context(f"/?lang={lang}"):
        assert render_template_string(TEMPLATE, n=n) == shown
