"""Service-task handlers of the SLA lifecycle."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def average_progress(data: dict, ctx=None, activities_field: str = "activities", percent_field: str = "progress") -> dict:
    """Average % progress of the plan activities in ``data[activities_field]`` (2 decimal places)."""
    rows = data.get(activities_field) or []
    values = []
    for row in rows:
        try:
            values.append(Decimal(str(row.get(percent_field))))
        except (InvalidOperation, AttributeError, TypeError):
            continue
    if not values:
        return {"average": None, "count": 0}
    avg = (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"average": str(avg), "count": len(values)}


def summary(data: dict, ctx=None, **params) -> dict:
    """Headline fields of an instance, kept in the task data for listings."""
    keys = ("service_process", "fiscal_year", "agency_name")
    return {k: data.get(k) for k in keys if k in data}
