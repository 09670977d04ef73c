"""Rate limits kept in the database, so that every web worker counts the same: failed logins, and the
public's survey answers and complaints per address.

Logins: a user name is blocked after ``limit`` failures within ``window`` seconds; an address only after ten
times as many, so one person's typing on a shared office address never locks out the others there,
while spraying many names from one address is still stopped.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from ..context import Context
from ..models import LoginFailure, utcnow

ADDRESS_FACTOR = 10
PUBLIC = "public:"
API = "api:"


def _limit_for(key: str, limit: int) -> int:
    return limit * ADDRESS_FACTOR if key.startswith("ip:") else limit


def blocked(ctx: Context, keys, limit: int, window: int, now: datetime | None = None) -> bool:
    now = now or utcnow()
    since = now - timedelta(seconds=window)
    with ctx.uow(write=False) as uow:
        counts = dict(uow.session.execute(
            select(LoginFailure.key, func.count()).where(LoginFailure.key.in_([k[:160] for k in keys]),
                                                         LoginFailure.at > since)
            .group_by(LoginFailure.key)).all())
    return any(counts.get(k[:160], 0) >= _limit_for(k, limit) for k in keys)


def fail(ctx: Context, keys, window: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    with ctx.uow() as uow:
        uow.session.execute(insert(LoginFailure), [{"key": k[:160], "at": now} for k in keys])
        # failures older than the window count for nothing: keep the table small
        uow.session.execute(delete(LoginFailure).where(~LoginFailure.key.startswith(PUBLIC),
                                                       ~LoginFailure.key.startswith(API),
                                                       LoginFailure.at < now - timedelta(seconds=max(window, 60))))
        uow.commit()


def reset(ctx: Context, keys) -> None:
    """After a success: the user name's failures are forgotten (the address keeps its count)."""
    names = [k[:160] for k in keys if not k.startswith("ip:")]
    if not names:
        return
    with ctx.uow() as uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.key.in_(names)))
        uow.commit()


def take(ctx: Context, address: str, limit: int, window: int, now: datetime | None = None,
         prefix: str = PUBLIC) -> bool:
    """Count one use by ``address`` (a public submitter's address; with ``prefix="api:"``, an API token);
    False (and nothing counted) when it already made ``limit`` within ``window`` seconds."""
    now = now or utcnow()
    key = (prefix + address)[:160]
    since = now - timedelta(seconds=window)
    with ctx.uow() as uow:
        used = uow.session.scalar(select(func.count()).select_from(LoginFailure)
                                  .where(LoginFailure.key == key, LoginFailure.at > since))
        if used >= limit:
            return False
        uow.session.execute(insert(LoginFailure), [{"key": key, "at": now}])
        if used == 0:  # a new address: forget the ones whose window has passed
            uow.session.execute(delete(LoginFailure).where(LoginFailure.key.startswith(prefix),
                                                           LoginFailure.at <= since))
        uow.commit()
    return True
