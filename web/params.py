"""Parsing request parameters: bad values become defaults, never errors."""
from __future__ import annotations


def int_arg(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
