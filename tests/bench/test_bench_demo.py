"""The demo data a new user meets (``slaflow load-demo``): 34 agencies through both fiscal years."""
from __future__ import annotations

import time

import pytest

from tests.bench.targets import check
from tests.conftest import make_ctx
from workflows import demo

pytestmark = pytest.mark.bench


def test_load_demo_in_under_30_seconds(tmp_path):
    ctx = make_ctx(tmp_path)  # a migrated, empty file SQLite database, as `make run` has it
    t0 = time.perf_counter()
    logins = demo.load(ctx)
    elapsed = time.perf_counter() - t0
    ctx.close()
    print(f"\nload-demo: {len(demo.ROSTER)} agencies, {len(logins)} logins listed")
    check("load-demo", elapsed, 30, " s")
