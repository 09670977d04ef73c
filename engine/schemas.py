"""JSON Schema validation whose ``pattern`` runs in linear time.

Python's ``re`` backtracks: a designer's ``^(a+)+$`` took seconds on one field and stalled every request
of the worker. Patterns here run on RE2 (google-re2), whose time grows linearly with the text; a pattern
RE2 cannot run (backreferences, look-around) is refused when the form is checked, with the field named.
"""
from __future__ import annotations

from functools import lru_cache

import re2
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

MAX_PATTERN = 1000  # characters


class PatternError(ValueError):
    pass


@lru_cache(maxsize=2048)
def compiled(pattern: str):
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise PatternError(f"a pattern is text of at most {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise PatternError(f"the pattern {pattern[:80]!r} cannot be used ({exc}); back-references and look-around "
                           f"are not supported") from None


def _pattern(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    try:
        regex = compiled(pattern)
    except PatternError as exc:
        yield ValidationError(str(exc))
        return
    if not regex.search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, patterns, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        try:
            regex = compiled(pattern)
        except PatternError as exc:
            yield ValidationError(str(exc))
            continue
        for key, value in instance.items():
            if regex.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _date_order(validator, pairs, instance, schema):
    """``"x-date-order": [["start", "end"]]`` on an object: ``end`` is not before ``start`` (ISO dates or
    date-times as given by the form; a missing or malformed one is left to its own checks)."""
    if not validator.is_type(instance, "object") or not isinstance(pairs, list):
        return
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        first, second = instance.get(pair[0]), instance.get(pair[1])
        if isinstance(first, str) and isinstance(second, str) and len(first) == len(second) and second < first:
            yield ValidationError(f"{pair[1]} is before {pair[0]}", validator="x-date-order",
                                  validator_value=pair[0], path=(pair[1],), schema=schema)


FormValidator = validators.extend(Draft202012Validator, {"pattern": _pattern,
                                                          "patternProperties": _pattern_properties,
                                                          "x-date-order": _date_order})
FORMATS = FormatChecker()


@FORMATS.checks("uri", raises=ValueError)
def _uri(value) -> bool:
    """A web address people can open: http(s), a host, no spaces (jsonschema checks "uri" only with an
    extra package; government forms need links to open, not any RFC 3986 string)."""
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return (len(value) <= 2000 and parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(c.isspace() for c in value))


def unusable_patterns(schema, path: str = "") -> list[str]:
    """Every pattern in the schema that RE2 cannot run, as 'path: reason'."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            here = f"{path}.{key}" if path else key
            if key == "pattern" and isinstance(value, str):
                try:
                    compiled(value)
                except PatternError as exc:
                    found.append(f"{path or '-'}: {exc}")
            elif key == "patternProperties" and isinstance(value, dict):
                for pattern in value:
                    try:
                        compiled(pattern)
                    except PatternError as exc:
                        found.append(f"{here}: {exc}")
                found += [f for v in value.values() for f in unusable_patterns(v, here)]
            else:
                found += unusable_patterns(value, here)
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            found += unusable_patterns(item, f"{path}[{i}]")
    return found
