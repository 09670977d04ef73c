"""Logging for the web workers and the scheduler: one line per event, as JSON (``SLAFLOW_LOG_FORMAT=json``,
for collectors) or as text, each line carrying the id of the request or scheduler run it belongs to.

The id comes from the caller's ``X-Request-ID`` when it is a plain token (a proxy's, say), else a new
one; the web answers with it, so a user's report, the proxy's log and ours meet on one id.
"""
from __future__ import annotations

import logging
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str] = ContextVar("slaflow_request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def new_id(offered: str | None = None) -> str:
    """The caller's id when it is a plain token of at most 64 characters, else a fresh one."""
    return offered if offered and _VALID.match(offered) else uuid.uuid4().hex


@contextmanager
def request_id(value: str):
    token = REQUEST_ID.set(value)
    try:
        yield value
    finally:
        REQUEST_ID.reset(token)


def configure(fmt: str = "text", level: str = "INFO") -> None:
    """Set up the root logger once for the process (``fmt``: "json" or "text")."""
    handler = logging.StreamHandler()
    handler.addFilter(_WithRequestId())
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}, json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter(TEXT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, (level or "INFO").upper(), logging.INFO))
