"""Validation of task data against the task's JSON Schema, with messages per field (Thai / English)."""
from __future__ import annotations

from .errors import FormInvalid
from .schemas import FORMATS as _FORMATS
from .schemas import FormValidator

_MESSAGES = {
    "required": ("กรุณากรอกข้อมูลนี้", "this field is required"),
    "type": ("ชนิดข้อมูลไม่ถูกต้อง (ต้องเป็น {expected})", "wrong type (expected {expected})"),
    "enum": ("กรุณาเลือกจากรายการที่กำหนด", "choose one of the listed values"),
    "const": ("ค่าไม่ถูกต้อง", "invalid value"),
    "minLength": ("ต้องมีอย่างน้อย {limit} ตัวอักษร", "at least {limit} characters"),
    "maxLength": ("ต้องไม่เกิน {limit} ตัวอักษร", "at most {limit} characters"),
    "minimum": ("ต้องไม่น้อยกว่า {limit}", "must be at least {limit}"),
    "maximum": ("ต้องไม่เกิน {limit}", "must be at most {limit}"),
    "exclusiveMinimum": ("ต้องมากกว่า {limit}", "must be more than {limit}"),
    "exclusiveMaximum": ("ต้องน้อยกว่า {limit}", "must be less than {limit}"),
    "minItems": ("ต้องมีอย่างน้อย {limit} รายการ", "at least {limit} rows"),
    "maxItems": ("ต้องไม่เกิน {limit} รายการ", "at most {limit} rows"),
    "pattern": ("รูปแบบไม่ถูกต้อง", "does not match the expected pattern"),
    "format": ("รูปแบบ {limit} ไม่ถูกต้อง", "not a valid {limit}"),
    "additionalProperties": ("มีข้อมูลที่แบบฟอร์มไม่รู้จัก: {limit}", "unknown fields: {limit}"),
    "uniqueItems": ("มีรายการซ้ำกัน", "rows must not repeat"),
    "file": ("ไม่พบไฟล์ที่แนบ", "the attached file was not found"),
    "x-date-order": ("ต้องไม่ก่อน{limit}", "must not be before {limit}"),
}
_TYPES_TH = {"string": "ข้อความ", "integer": "จำนวนเต็ม", "number": "ตัวเลข", "boolean": "ใช่/ไม่ใช่",
             "array": "รายการ", "object": "กลุ่มข้อมูล"}
MAX_ERRORS = 200


def _path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        # "'name' is a required property" -> point at the missing field itself
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else ""
        parts.append(missing)
    return ".".join(parts) or "_form"


def _message(error, lang: str) -> str:
    th, en = _MESSAGES.get(error.validator, ("ข้อมูลไม่ถูกต้อง", "invalid value"))
    limit = error.validator_value
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        limit = ", ".join(extra)
    if error.validator == "x-date-order":  # the other field, by its title
        other = (error.schema.get("properties") or {}).get(error.validator_value) or {}
        limit = other.get("title") or error.validator_value
    elif error.validator == "format" and error.validator_value == "uri":
        limit = "ที่อยู่เว็บ (http:// หรือ https://)" if lang == "th" else "web address (http:// or https://)"
    expected = error.validator_value
    if error.validator == "type":
        expected = _TYPES_TH.get(expected, expected) if lang == "th" else expected
    template = th if lang == "th" else en
    return template.format(limit=limit, expected=expected)


_VALIDATORS: dict[object, FormValidator] = {}
_SCHEMAS: dict[object, dict | None] = {}


def cached_schema(cache_key, loader) -> dict | None:
    """A deployed form's schema, loaded once per (version id, form) key: deployed forms never change."""
    if cache_key not in _SCHEMAS:
        if len(_SCHEMAS) > 1024:
            _SCHEMAS.clear()
        _SCHEMAS[cache_key] = loader()
    return _SCHEMAS[cache_key]


def _validator(schema, cache_key) -> FormValidator | None:
    if cache_key is None:
        schema = schema() if callable(schema) else schema
        return FormValidator(schema, format_checker=_FORMATS) if schema is not None else None
    validator = _VALIDATORS.get(cache_key)
    if validator is None:
        schema = schema() if callable(schema) else schema
        if schema is None:
            return None
        if len(_VALIDATORS) > 1024:
            _VALIDATORS.clear()
        validator = _VALIDATORS[cache_key] = FormValidator(schema, format_checker=_FORMATS)
    return validator


def validate(schema, data, lang: str = "th", cache_key=None) -> None:
    """Raise FormInvalid with messages per field path when ``data`` does not match ``schema``.

    ``schema`` is a JSON Schema or a function returning one (None: nothing to check); ``cache_key``
    names an immutable schema (a deployed version's form) so its validator is built once.
    """
    validator = _validator(schema, cache_key)
    if validator is None:
        return
    errors: dict[str, list[str]] = {}
    for count, error in enumerate(validator.iter_errors(data)):
        if count >= MAX_ERRORS:
            break
        errors.setdefault(_path(error), []).append(_message(error, lang))
    if errors:
        raise FormInvalid(errors)


def workflow_data(schema: dict | None, data: dict) -> dict:
    """The part of submitted data the workflow keeps: fields marked ``"x-large": true`` (long
    texts, big tables) stay only in the submission table."""
    if not schema:
        return dict(data)
    props = schema.get("properties", {})
    return {k: v for k, v in data.items() if not (props.get(k) or {}).get("x-large")}


def message(key: str, lang: str = "th") -> str:
    th, en = _MESSAGES[key]
    return th if lang == "th" else en
