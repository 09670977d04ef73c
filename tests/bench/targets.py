"""Targets of ``make bench``: each figure is printed with its target, and a miss fails the run."""
from __future__ import annotations


def check(label: str, value: float, limit: float, unit: str = "", at_least: bool = False) -> None:
    met = value >= limit if at_least else value <= limit
    sign = ">=" if at_least else "<="
    print(f"  {label}: {value:,.2f}{unit} (target {sign} {limit:,}{unit}: {'met' if met else 'MISSED'})")
    assert met, f"{label}: {value:,.2f}{unit} misses the target {sign} {limit:,}{unit}"
