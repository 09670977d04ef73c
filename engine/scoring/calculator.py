"""Scores from a scheme and results, with exact decimals and the working of every line.

Weighted score = sum(W_i x SM_i) / sum(W_i). Thresholds give levels 1..5 with linear interpolation
between them (below the first threshold: the scheme's ``below``, 0 by default; capped at 5).
Milestones give the level reached, with fractional parts (e.g. 0.5 + 0.5). A late penalty removes
points per day late, floored. Several service processes of one agency are averaged.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .schemes import Scheme

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
FIVE = Decimal(5)
ZERO = Decimal(0)


class ResultsInvalid(ValueError):
    pass


def d(value) -> Decimal:
    """A Decimal from a JSON number or text (floats go through their repr, so 85.1 stays 85.1)."""
    if isinstance(value, bool):
        raise ResultsInvalid("a yes/no value is not a number")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ResultsInvalid(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ResultsInvalid(f"{value!r} is not a finite number")
    return number


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def level_from_thresholds(value: Decimal, criteria: dict) -> Decimal:
    thresholds = [d(t) for t in criteria["thresholds"]]
    first_level = 6 - len(thresholds)  # 5 thresholds: levels 1..5; fewer: the top ones
    if value < thresholds[0]:
        return min(d(criteria.get("below", 0)), FIVE)
    if value >= thresholds[-1]:
        return FIVE
    for i in range(len(thresholds) - 1):
        low, high = thresholds[i], thresholds[i + 1]
        if low <= value < high:
            level = Decimal(first_level + i)
            if criteria.get("interpolate", True):
                level += (value - low) / (high - low)
            return min(level, FIVE)
    return FIVE  # unreachable: the thresholds increase


def level_from_milestones(value, criteria: dict) -> Decimal:
    """``value`` is the level reached (a number) or {"achieved": [milestone or part codes]}."""
    levels = criteria["levels"]
    if not isinstance(value, dict):
        level = d(value)
        allowed = {Decimal(0)} | {d(lv["level"]) for lv in levels}
        for lv in levels:  # half points inside a level with parts
            previous = [d(x["level"]) for x in levels if x["level"] < lv["level"]]
            base = max(previous) if previous else ZERO
            acc = base
            for part in lv.get("parts", []):
                acc += d(part["points"])
                allowed.add(acc)
        if level not in allowed:
            raise ResultsInvalid(f"level {value} is not one of the scheme's levels {sorted(allowed)}")
        return level
    achieved = set(value.get("achieved") or [])
    reached = ZERO
    for lv in levels:
        parts = lv.get("parts")
        if lv["code"] in achieved:
            reached = d(lv["level"])
            continue
        if parts:
            gained = sum((d(p["points"]) for p in parts if p["code"] in achieved), ZERO)
            reached += gained
        break  # levels are reached in order
    return min(reached, FIVE)


def line(indicator: dict, value, days_late: int, scheme_penalty: dict | None) -> dict:
    crit = indicator["criteria"]
    if value is None:
        level = ZERO
    elif crit["type"] == "thresholds":
        level = level_from_thresholds(d(value), crit)
    elif crit["type"] == "milestones":
        level = level_from_milestones(value, crit)
    else:
        level = d(value)
        if not ZERO <= level <= FIVE:
            raise ResultsInvalid(f"{indicator['code']}: a score is between 0 and 5")
    level = q4(level)
    penalty_rule = indicator.get("late_penalty") or scheme_penalty
    penalty = q4(ZERO)
    if penalty_rule and days_late:
        if int(days_late) < 0:
            raise ResultsInvalid("days late cannot be negative")
        penalty = q4(d(penalty_rule["per_day"]) * int(days_late))
    floor = d((penalty_rule or {}).get("floor", 0))
    final = max(level - penalty, floor) if penalty > 0 else level
    weight = d(indicator["weight"])
    return {"code": indicator["code"], "title": indicator["title"], "weight": str(weight),
            "value": value if not isinstance(value, Decimal) else str(value),
            "level": str(level), "days_late": int(days_late or 0), "penalty": str(penalty),
            "score": str(q4(final)), "weighted": str(q4(weight * final))}


def weighted(lines: list[dict]) -> Decimal:
    total_weight = sum((d(x["weight"]) for x in lines), ZERO)
    if total_weight == 0:
        return ZERO
    return q4(sum((d(x["weight"]) * d(x["score"]) for x in lines), ZERO) / total_weight)


def score(scheme: Scheme, results: dict) -> dict:
    """Score ``results`` = {"processes": [{"name", "values": {code: value}, "days_late": {code: n}}]}
    (or one {"values", "days_late"} for a single process)."""
    if not isinstance(results, dict):
        raise ResultsInvalid("results are a JSON object")
    processes = results.get("processes") or [results]
    if not isinstance(processes, list) or not all(isinstance(p, dict) for p in processes):
        raise ResultsInvalid("processes is a list of objects")
    scheme_penalty = scheme.data.get("late_penalty")
    out_processes = []
    for i, proc in enumerate(processes):
        values, late = proc.get("values") or {}, proc.get("days_late") or {}
        if not isinstance(values, dict) or not isinstance(late, dict):
            raise ResultsInvalid("values and days_late are objects keyed by indicator code")
        unknown = set(values) - {ind["code"] for ind in scheme.indicators}
        if unknown:
            raise ResultsInvalid(f"unknown indicators: {', '.join(sorted(unknown))}")
        lines = [line(ind, values.get(ind["code"]), late.get(ind["code"], 0), scheme_penalty)
                 for ind in scheme.indicators]
        out_processes.append({"name": proc.get("name") or f"#{i + 1}", "lines": lines,
                              "score": str(weighted(lines))})
    aggregate = scheme.data.get("aggregate", "average")
    scores = [d(p["score"]) for p in out_processes]
    total = {"average": lambda s: sum(s, ZERO) / len(s), "minimum": min, "maximum": max}[aggregate](scores)
    total = q4(total)
    indicators = []
    for j, ind in enumerate(scheme.indicators):
        per = [d(p["lines"][j]["score"]) for p in out_processes]
        indicators.append({"code": ind["code"], "title": ind["title"], "weight": str(d(ind["weight"])),
                           "score": str(q4(sum(per, ZERO) / len(per)))})
    result = {"scheme": scheme.code, "title": scheme.title, "fiscal_year": scheme.fiscal_year,
              "score": str(total), "score_display": str(total.quantize(TWO, rounding=ROUND_HALF_UP)),
              "aggregate": aggregate, "processes": out_processes, "indicators": indicators}
    if scheme.data.get("dimensions"):
        result["dimensions"] = _dimensions(scheme, indicators)
    if scheme.data.get("classification"):
        result["classification"] = classify(scheme, [d(i["score"]) for i in indicators])
    return result


def _dimensions(scheme: Scheme, indicators: list[dict]) -> list[dict]:
    out = []
    for dim in scheme.data["dimensions"]:
        members = [i for i, ind in zip(indicators, scheme.indicators, strict=True)
                   if ind.get("dimension") == dim["code"]]
        value = weighted(members) if members else ZERO
        out.append({"code": dim["code"], "title": dim["title"], "weight": str(d(dim["weight"])), "score": str(value)})
    return out


def classify(scheme: Scheme, kpi_scores: list[Decimal]) -> dict | None:
    """The highest classification all of whose conditions hold (e.g. Best practice over Standard)."""
    if not kpi_scores:
        return None
    average = sum(kpi_scores, ZERO) / len(kpi_scores)
    best = None
    for cls in scheme.data.get("classification", []):
        ok = ("min_each" not in cls or all(s >= d(cls["min_each"]) for s in kpi_scores)) and \
             ("min_average" not in cls or average >= d(cls["min_average"]))
        if ok:
            best = {"code": cls["code"], "title": cls["title"]}
    return best
