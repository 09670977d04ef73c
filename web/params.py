"""Parsing request parameters: bad values become defaults, never errors; JSON bodies read strictly."""
from __future__ import annotations

from flask import request

from engine import strictjson
from engine.errors import InvalidInput

INT64 = 2 ** 63 - 1  # what a database integer holds: beyond it a lookup would fail, not find nothing


def int_arg(value, default=None):
    try:
        number = int(str(value)[:40])
    except (TypeError, ValueError):
        return default
    return number if -INT64 <= number <= INT64 else default


def json_body() -> dict:
    """The request's JSON object (no NaN, no lone surrogates, not too deep), or a 400."""
    data = strictjson.loads(request.get_data(cache=False))
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


def fiscal_year_arg(value, default=None):
    """A fiscal year in the Buddhist Era (2500–2700), else the default."""
    year = int_arg(value)
    return year if year is not None and 2500 <= year <= 2700 else default


def year_arg(value, default=None):
    """A calendar year (Common Era, 1957–2157), else the default."""
    year = int_arg(value)
    return year if year is not None and 1957 <= year <= 2157 else default


def page_arg(value) -> int:
    """A page number from 1 to 100,000 (1 when missing or out of range)."""
    page = int_arg(value, 1)
    return page if 1 <= page <= 100_000 else 1
