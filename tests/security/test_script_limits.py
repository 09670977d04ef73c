"""Diagram scripts are stopped at the time limit even in a loop without a new line, and the limit counts
the script's own work only: a helper warming a holiday calendar is not charged to it."""
from __future__ import annotations

import hashlib
import time

import pytest

from engine.errors import ScriptTimeout
from engine.scripting import RestrictedEnvironment


@pytest.mark.parametrize("source", ["while 1: pass", "x = 0\nwhile True:\n    x += 1",
                                    "while 1:\n    [i for i in (1, 2, 3)]"])
def test_endless_loops_stop_at_the_limit(source):
    env = RestrictedEnvironment({}, timeout=0.3)
    context = {"kept": 1}
    with pytest.raises(ScriptTimeout):
        env.execute(source, context)
    assert context["kept"] == 1


_WARM: set[int] = set()


def _slow_helper(n: int) -> int:
    """Trusted glue that takes a while the first time for a year (like computing its Thai holidays)."""
    if n not in _WARM:
        deadline = time.monotonic() + 0.6
        digest = b""
        while time.monotonic() < deadline:
            digest = hashlib.sha256(digest).digest()
        _WARM.add(n)
    return n + 1


def test_helper_time_is_not_charged_to_the_script():
    env = RestrictedEnvironment({"warm": _slow_helper}, timeout=0.3)
    _WARM.clear()
    assert env.evaluate("warm(1) + warm(2)", {}) == 5  # 1.2 s in the helper, well within 0.3 s of script work
    with pytest.raises(ScriptTimeout):  # but the script's own loop is still counted
        env.execute("while 1:\n    warm(0)", {})
