"""The time: always aware, always UTC (people read it in Bangkok time; see ``thaidate``)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
