"""JSON from outside, read strictly: what ``json.loads`` lets through but nothing else can store or show.

Refused, with a clear message: ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON; a draft holding NaN made
its task unworkable in the browser), strings or keys with lone surrogates (they cannot be written as
UTF-8), nesting deeper than ``MAX_DEPTH``, and texts longer than ``MAX_BYTES``.
"""
from __future__ import annotations

import json

from .errors import InvalidInput

MAX_DEPTH = 64
MAX_BYTES = 5 * 1024 * 1024


def _no_constant(name: str):
    raise InvalidInput(f"{name} is not a JSON number", field="_json")


def loads(text: str | bytes, field: str = "_json"):
    if text is None or len(text) > MAX_BYTES:
        raise InvalidInput("the JSON text is missing or too long", field=field)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InvalidInput(f"the JSON is nested deeper than {MAX_DEPTH} levels", field=field) from None
    except InvalidInput as exc:
        raise InvalidInput(str(exc), field=field) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not valid JSON: {str(exc)[:200]}", field=field) from None
    check(value, field)
    return value


def check(value, field: str = "_json") -> None:
    """Depth and text checks on an already parsed value (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(f"the JSON is nested deeper than {MAX_DEPTH} levels", field=field)
        if isinstance(item, str):
            _text(item, field)
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise InvalidInput("NaN and Infinity are not JSON numbers", field=field)
        elif isinstance(item, dict):
            for key, child in item.items():
                _text(str(key), field)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _text(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("the text holds characters that are not valid Unicode", field=field) from None
