"""Scores from a scheme and results, with exact decimals and the working of every line.

Weighted score = sum(W_i x SM_i) / sum(W_i) (seed 000 slide 7); with dimensions, each dimension is the
weighted mean of its indicators and the score is the dimension-weighted mean (seed 002 slide 3).
Thresholds give levels 1..5 with linear interpolation between them (below the first threshold: the
scheme's ``below``, 0 by default; capped at 5). Milestones give the level reached, in order, with
fractional parts (0.5 + 0.5). A late penalty removes points per day late (seed 004), either from the
score of the indicator (the scheme's score, after rounds are combined: never diluted) or from each line.

Several service processes of one agency are combined in the order the scheme names
(``aggregate_order``): ``values_first`` averages each indicator's values and scores the averages
(seed 000 slide 9, condition 5); ``scores_first`` scores each process and averages the scores.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .schemes import Scheme

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
FIVE = Decimal(5)
ZERO = Decimal(0)

COMBINE = {"average": lambda s: sum(s, ZERO) / len(s), "minimum": min, "maximum": max}


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


def show(value: Decimal) -> str:
    return str(value.quantize(TWO, rounding=ROUND_HALF_UP))


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


def _allowed_levels(levels: list[dict]) -> set[Decimal]:
    allowed = {ZERO} | {d(lv["level"]) for lv in levels}
    previous = ZERO
    for lv in levels:  # part points inside a level with parts
        acc = previous
        for part in lv.get("parts", []):
            acc += d(part["points"])
            allowed.add(acc)
        previous = d(lv["level"])
    return allowed


def level_from_milestones(value, criteria: dict) -> Decimal:
    """``value`` is the level reached (a number) or {"achieved": [milestone or part codes]}.

    Levels count in order: a level is reached when its code is achieved or all its parts are; the
    first level not reached ends the count, adding the points of those of its parts that are achieved."""
    levels = criteria["levels"]
    if not isinstance(value, dict):
        level = d(value)
        allowed = _allowed_levels(levels)
        if level not in allowed:
            raise ResultsInvalid(f"level {value} is not one of the scheme's levels {sorted(allowed)}")
        return level
    achieved = value.get("achieved") or []
    if not isinstance(achieved, list) or not all(isinstance(a, str) for a in achieved):
        raise ResultsInvalid("achieved is a list of milestone codes")
    achieved = set(achieved)
    reached = ZERO
    for lv in levels:
        parts = lv.get("parts") or []
        if lv["code"] in achieved or (parts and all(p["code"] in achieved for p in parts)):
            reached = d(lv["level"])
            continue
        reached += sum((d(p["points"]) for p in parts if p["code"] in achieved), ZERO)
        break
    return min(reached, FIVE)


def level_of(indicator: dict, value) -> Decimal:
    crit = indicator["criteria"]
    if value is None:
        return ZERO
    if crit["type"] == "thresholds":
        return level_from_thresholds(d(value), crit)
    if crit["type"] == "milestones":
        return level_from_milestones(value, crit)
    level = d(value)
    if not ZERO <= level <= FIVE:
        raise ResultsInvalid(f"{indicator['code']}: a score is between 0 and 5")
    return level


def _days(value) -> int:
    try:
        days = int(value or 0)
    except (TypeError, ValueError):
        raise ResultsInvalid("days late is a whole number") from None
    if days < 0:
        raise ResultsInvalid("days late cannot be negative")
    return days


def _penalty(rule: dict | None, days: int) -> Decimal:
    return q4(d(rule["per_day"]) * days) if rule and days else q4(ZERO)


def _after_penalty(value: Decimal, penalty: Decimal, rule: dict | None) -> Decimal:
    return max(value - penalty, d((rule or {}).get("floor", 0))) if penalty > 0 else value


def _line_rule(indicator: dict, scheme_rule: dict | None) -> dict | None:
    """The penalty taken from this line: its own rule, or the scheme's when it applies to each line."""
    if indicator.get("late_penalty"):
        return indicator["late_penalty"]
    if scheme_rule and scheme_rule.get("applies", "indicator") == "each_line":
        return scheme_rule
    return None


def line(indicator: dict, value, days_late: int, scheme_penalty: dict | None, level: Decimal | None = None) -> dict:
    days = _days(days_late)
    level = q4(level_of(indicator, value) if level is None else level)
    rule = _line_rule(indicator, scheme_penalty)
    penalty = _penalty(rule, days)
    final = _after_penalty(level, penalty, rule)
    weight = d(indicator["weight"])
    out = {"code": indicator["code"], "title": indicator["title"], "weight": str(weight),
           "value": str(value) if isinstance(value, Decimal) else value,
           "level": str(level), "days_late": days, "penalty": str(penalty),
           "score": str(q4(final)), "weighted": str(q4(weight * final))}
    if indicator["criteria"].get("provisional") or indicator.get("provisional"):
        out["provisional"] = True
    if indicator.get("dimension"):
        out["dimension"] = indicator["dimension"]
    return out


def weighted(lines: list[dict]) -> Decimal:
    total_weight = sum((d(x["weight"]) for x in lines), ZERO)
    if total_weight == 0:
        return ZERO
    return q4(sum((d(x["weight"]) * d(x["score"]) for x in lines), ZERO) / total_weight)


def _subtotal(scheme: Scheme, lines: list[dict]) -> Decimal:
    """Σ(W x SM) / ΣW over the lines; with dimensions, over the dimensions' weighted means."""
    dims = scheme.data.get("dimensions")
    if not dims:
        return weighted(lines)
    parts = _dimensions(scheme, lines)
    total_weight = sum((d(x["weight"]) for x in parts), ZERO)
    return q4(sum((d(x["weight"]) * d(x["score"]) for x in parts), ZERO) / total_weight)


def _total_penalty(scheme_rule: dict | None, lines: list[dict]) -> dict | None:
    """The penalty taken from the indicator's score (the scheme's), for every day late of every round."""
    if not scheme_rule or scheme_rule.get("applies", "indicator") != "indicator":
        return None
    days = sum(int(x["days_late"]) for x in lines)
    return {"days_late": days, "per_day": str(d(scheme_rule["per_day"])), "penalty": str(_penalty(scheme_rule, days)),
            "floor": str(d(scheme_rule.get("floor", 0)))}


def _finish(scheme: Scheme, lines: list[dict]) -> dict:
    subtotal = _subtotal(scheme, lines)
    late = _total_penalty(scheme.data.get("late_penalty"), lines)
    total = q4(_after_penalty(subtotal, d(late["penalty"]), scheme.data.get("late_penalty")) if late else subtotal)
    out = {"subtotal": str(subtotal), "score": str(total)}
    if late:
        out["late"] = late
    return out


def _process_inputs(scheme: Scheme, results: dict) -> list[dict]:
    if not isinstance(results, dict):
        raise ResultsInvalid("results are a JSON object")
    processes = results.get("processes") or [results]
    if not isinstance(processes, list) or not all(isinstance(p, dict) for p in processes):
        raise ResultsInvalid("processes is a list of objects")
    codes = {ind["code"] for ind in scheme.indicators}
    for proc in processes:
        for key in ("values", "days_late", "evidence"):
            if not isinstance(proc.get(key) or {}, dict):
                raise ResultsInvalid(f"{key} is an object keyed by indicator code")
            unknown = set(proc.get(key) or {}) - codes
            if unknown:
                raise ResultsInvalid(f"unknown indicators: {', '.join(sorted(unknown))}")
    return processes


def score(scheme: Scheme, results: dict) -> dict:
    """Score ``results`` = {"processes": [{"name", "values": {code: value}, "days_late": {code: n},
    "evidence": {code: n}}]} (or one {"values", "days_late", "evidence"} for a single process)."""
    processes = _process_inputs(scheme, results)
    scheme_penalty = scheme.data.get("late_penalty")
    function = scheme.data.get("aggregate", "average")
    order = scheme.data.get("aggregate_order", "scores_first")
    combine = COMBINE[function]
    out_processes = []
    for i, proc in enumerate(processes):
        values, late = proc.get("values") or {}, proc.get("days_late") or {}
        lines = [line(ind, values.get(ind["code"]), late.get(ind["code"], 0), scheme_penalty)
                 for ind in scheme.indicators]
        out_processes.append({"name": proc.get("name") or f"#{i + 1}", "lines": lines, **_finish(scheme, lines)})

    indicators = []
    for j, ind in enumerate(scheme.indicators):
        per = [p["lines"][j] for p in out_processes]
        days = max(x["days_late"] for x in per)
        if order == "values_first":
            value = _combined_value(ind, [proc.get("values", {}).get(ind["code"]) for proc in processes], combine)
            combined = line(ind, value, days, scheme_penalty,
                            level=level_of(ind, value) if ind["criteria"]["type"] != "milestones" else value)
        else:
            combined = {**per[0], "value": None, "days_late": days,
                        "level": str(q4(combine([d(x["level"]) for x in per]))),
                        "penalty": str(q4(combine([d(x["penalty"]) for x in per]))),
                        "score": str(q4(combine([d(x["score"]) for x in per])))}
            combined["weighted"] = str(q4(d(combined["weight"]) * d(combined["score"])))
        combined["evidence"] = sum(_evidence(proc, ind["code"]) for proc in processes)
        indicators.append(combined)

    if order == "values_first":
        finished = _finish(scheme, indicators)
    else:
        total = q4(combine([d(p["score"]) for p in out_processes]))
        finished = {"subtotal": str(q4(combine([d(p["subtotal"]) for p in out_processes]))), "score": str(total)}
        lates = [p["late"] for p in out_processes if "late" in p]
        if lates:
            finished["late"] = {"days_late": max(x["days_late"] for x in lates), "per_day": lates[0]["per_day"],
                                "penalty": str(q4(combine([d(x["penalty"]) for x in lates]))),
                                "floor": lates[0]["floor"]}
    total = d(finished["score"])
    result = {"scheme": scheme.code, "title": scheme.title, "fiscal_year": scheme.fiscal_year,
              **finished, "score_display": show(total), "aggregate": function, "aggregate_order": order,
              "processes": out_processes, "indicators": indicators}
    if scheme.data.get("dimensions"):
        result["dimensions"] = _dimensions(scheme, indicators)
    if scheme.data.get("classification"):
        result["classification"] = classify(scheme, indicators, total)
    return result


def _combined_value(indicator: dict, values: list, combine):
    """One value per indicator from every process: numbers combined (a process with no value counts
    0); milestones combined as the levels each process reached."""
    if indicator["criteria"]["type"] == "milestones":
        return q4(combine([level_of(indicator, v) for v in values]))
    return q4(combine([ZERO if v is None else d(v) for v in values]))


def _evidence(proc: dict, code: str) -> int:
    value = (proc.get("evidence") or {}).get(code, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ResultsInvalid("evidence is a count of files per indicator")
    return value


def _dimensions(scheme: Scheme, lines: list[dict]) -> list[dict]:
    out = []
    for dim in scheme.data["dimensions"]:
        members = [x for x, ind in zip(lines, scheme.indicators, strict=True) if ind.get("dimension") == dim["code"]]
        out.append({"code": dim["code"], "title": dim["title"], "weight": str(d(dim["weight"])),
                    "indicators": [x["code"] for x in members],
                    "score": str(weighted(members) if members else ZERO)})
    return out


def classify(scheme: Scheme, indicators: list[dict], total: Decimal) -> dict:
    """Every classification of the scheme with each condition checked and shown, and the highest
    one whose conditions all hold (e.g. Best practice over Standard; seed 002 slide 3).

    ``min_each``: every indicator's score; ``min_average``: the plain mean of the indicator scores
    (``average: "mean"``) or the scheme's weighted score (``average: "weighted"``); ``min_evidence``:
    files of evidence per indicator."""
    scores = {x["code"]: d(x["score"]) for x in indicators}
    mean = q4(sum(scores.values(), ZERO) / len(scores)) if scores else ZERO
    checks, reached = [], None
    for cls in scheme.data.get("classification", []):
        conditions = []
        if "min_each" in cls:
            need = d(cls["min_each"])
            low = sorted(code for code, s in scores.items() if s < need)
            conditions.append({"rule": "min_each", "required": show(need),
                               "actual": show(min(scores.values(), default=ZERO)), "failing": low, "met": not low})
        if "min_average" in cls:
            need = d(cls["min_average"])
            kind = cls.get("average", "mean")
            actual = mean if kind == "mean" else total
            conditions.append({"rule": "min_average", "average": kind, "required": show(need),
                               "actual": str(actual), "met": actual >= need})
        if cls.get("min_evidence"):
            need = int(cls["min_evidence"])
            short = [x["code"] for x in indicators if int(x.get("evidence", 0)) < need]
            conditions.append({"rule": "min_evidence", "required": need, "failing": short, "met": not short})
        met = all(c["met"] for c in conditions)
        checks.append({"code": cls["code"], "title": cls["title"], "conditions": conditions, "met": met})
        if met:
            reached = {"code": cls["code"], "title": cls["title"]}
    return {"reached": reached, "mean": str(mean), "checks": checks,
            "code": reached["code"] if reached else None, "title": reached["title"] if reached else None}
