"""Properties of every shipped scheme: scores stay within 0..5 and never fall when inputs get better."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scoring.calculator import score
from engine.scoring.schemes import shipped_schemes

G1 = {s.code: s for s in shipped_schemes()}["sla-2558-group1"]
KPI66 = {s.code: s for s in shipped_schemes()}["process-improvement-2566"]
percent = st.decimals(min_value=0, max_value=120, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(a=percent, b=percent, c=percent, bump=st.decimals(min_value=0, max_value=30, places=2), which=st.integers(0, 2))
def test_thresholds_bounded_and_monotonic(a, b, c, bump, which):
    values = {"1.1": str(a), "1.2": str(b), "1.3": str(c)}
    base = Decimal(score(G1, {"values": values})["score"])
    assert 0 <= base <= 5
    code = ["1.1", "1.2", "1.3"][which]
    better = dict(values, **{code: str(Decimal(values[code]) + bump)})
    assert Decimal(score(G1, {"values": better})["score"]) >= base


@settings(max_examples=200, deadline=None)
@given(r1=st.sampled_from([0, 1, 3, 5]), r2=st.sampled_from([0, 1, 2, 2.5, 3, 4, 5]),
       late1=st.integers(0, 80), late2=st.integers(0, 80), fewer=st.integers(0, 80))
def test_penalties_bounded_and_monotonic(r1, r2, late1, late2, fewer):
    result = score(KPI66, {"values": {"round1": r1, "round2": r2}, "days_late": {"round1": late1, "round2": late2}})
    assert 0 <= Decimal(result["score"]) <= 5
    earlier = score(KPI66, {"values": {"round1": r1, "round2": r2},
                            "days_late": {"round1": max(0, late1 - fewer), "round2": late2}})
    assert Decimal(earlier["score"]) >= Decimal(result["score"])
