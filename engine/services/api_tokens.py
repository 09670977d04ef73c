"""Tokens for the REST API, and service accounts (other systems of an agency).

A person creates their own tokens, acting as themselves within the scopes they choose; an
administrator creates service accounts for an agency (with roles, like a person, but no password and
no web login) and their tokens. A token is shown once; only an HMAC of it, keyed by the secret key, is
stored, so a copy of the database alone cannot be used to call the API. Tokens expire, are revoked at
once, and every creation and revocation is audited.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import audit
from ..actors import Actor, require
from ..clock import utcnow
from ..context import Context
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Agency, ApiToken, User, UserRole
from ..passwords import UNUSABLE
from ..roles import ADMIN, AGENCY_ROLES
from . import accounts

SCOPES = ("read", "work", "records")
PREFIX = "slf_"
MAX_DAYS = 366
_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    username: str


@dataclass(frozen=True)
class Caller:
    """Who calls the API: the token's user as an actor, and what the token allows."""

    actor: Actor
    scopes: frozenset[str]
    token_id: int
    language: str


def _digest(ctx: Context, token: str) -> str:
    key = hashlib.sha256(b"slaflow-api-token\n" + (ctx.settings.secret_key or "").encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _scopes(scopes) -> tuple[str, ...]:
    chosen = tuple(s for s in SCOPES if s in set(scopes or ()))
    if not chosen or set(scopes or ()) - set(SCOPES):
        raise InvalidInput(f"choose scopes among {', '.join(SCOPES)}", field="scopes")
    return chosen


def _new(ctx: Context, s, actor: Actor, user: User, name: str, scopes, days: int) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("a token needs a name (at most 100 characters)", field="name")
    if not 1 <= int(days) <= MAX_DAYS:
        raise InvalidInput(f"a token lasts 1 to {MAX_DAYS} days", field="days")
    chosen = _scopes(scopes)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, prefix=token[:10], token_hash=_digest(ctx, token),
                   scopes=" ".join(chosen), created_by_id=actor.user_id, created_at=utcnow(),
                   expires_at=utcnow() + timedelta(days=int(days)))
    s.add(row)
    s.flush()
    audit.record(s, actor, "api_token.create", agency_id=user.agency_id,
                 after={"token": row.id, "user": user.username, "name": name, "scopes": list(chosen),
                        "expires_at": row.expires_at.isoformat()})
    return token


def create(ctx: Context, actor: Actor, name: str, scopes, days: int = 90, user_id: int | None = None) -> str:
    """A new token, returned once: the actor's own, or (administrators) a service account's."""
    if actor.user_id is None:
        raise Forbidden("only a signed-in user creates tokens")
    with ctx.uow() as uow:
        s = uow.session
        target = user_id or actor.user_id
        if target != actor.user_id:
            require(actor, ADMIN, what="create tokens for a service account")
        user = s.get(User, target)
        if user is None or not user.active or (target != actor.user_id and user.kind != "service"):
            raise NotFound("service account not found")
        token = _new(ctx, s, actor, user, name, scopes, days)
        uow.commit()
        return token


def create_service_account(ctx: Context, actor: Actor, agency_id: int, name: str, roles) -> int:
    """A service account of an agency (another system of it), with agency roles and no password."""
    require(actor, ADMIN, what="create service accounts")
    roles = sorted(set(roles or ()))
    if not roles or set(roles) - set(AGENCY_ROLES):
        raise InvalidInput(f"a service account takes agency roles: {', '.join(sorted(AGENCY_ROLES))}", field="roles")
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").strip().lower()).strip("-")[:40]
    if not slug:
        raise InvalidInput("a service account needs a name in Latin letters or digits", field="name")
    with ctx.uow() as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("agency not found")
        username = f"svc-{agency.code.lower()}-{slug}"[:64]
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidInput("this agency already has a service account of that name", field="name")
        user = User(username=username, display_name=name.strip()[:255], email="", password_hash=UNUSABLE,
                    agency_id=agency_id, active=True, language="th", kind="service")
        user.role_rows = [UserRole(role=r) for r in roles]
        s.add(user)
        s.flush()
        audit.record(s, actor, "service_account.create", agency_id=agency_id,
                     after={"user": username, "roles": roles})
        uow.commit()
        return user.id


def revoke(ctx: Context, actor: Actor, token_id: int) -> None:
    with ctx.uow() as uow:
        s = uow.session
        row = s.get(ApiToken, token_id)
        if row is None or (row.user_id != actor.user_id and ADMIN not in actor.roles):
            raise NotFound("token not found")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            owner = s.get(User, row.user_id)
            audit.record(s, actor, "api_token.revoke", agency_id=owner.agency_id if owner else None,
                         before={"token": row.id, "name": row.name}, after={"revoked": True})
        uow.commit()


def listing(ctx: Context, actor: Actor, user_id: int | None = None) -> list[TokenRow]:
    """The actor's tokens; administrators: a user's, or every service account's."""
    with ctx.uow(write=False) as uow:
        stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
        if ADMIN in actor.roles and user_id is None:
            stmt = stmt.where((ApiToken.user_id == actor.user_id) | (User.kind == "service"))
        elif ADMIN in actor.roles:
            stmt = stmt.where(ApiToken.user_id == user_id)
        else:
            stmt = stmt.where(ApiToken.user_id == actor.user_id)
        return [TokenRow(t.id, t.name, t.prefix, tuple(t.scopes.split()), t.created_at, t.expires_at,
                         t.last_used_at, t.revoked_at, username) for t, username in uow.session.execute(stmt)]


def authenticate(ctx: Context, token: str) -> Caller | None:
    """The caller behind a bearer token, or None (unknown, revoked, expired, or its user inactive)."""
    if not token or not token.startswith(PREFIX) or len(token) > 100:
        return None
    now = utcnow()
    with ctx.uow(write=False) as uow:
        row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(ctx, token)))
        if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            return None
        token_id, scopes, stale = row.id, frozenset(row.scopes.split()), (
            row.last_used_at is None or now - row.last_used_at > _USED_EVERY)
        user_id = row.user_id
    loaded = accounts.load_session_user(ctx, user_id)
    if loaded is None:
        return None
    actor, profile = loaded
    if stale:
        with ctx.uow() as uow:
            uow.session.get(ApiToken, token_id).last_used_at = now
            uow.commit()
    return Caller(actor, scopes, token_id, profile.get("language") or "th")


def create_for_user(ctx: Context, username: str, name: str, scopes, days: int = 90) -> str:
    """A token for a user or service account by name (the ``slaflow token create`` command of operators)."""
    actor = Actor.system("cli")
    with ctx.uow() as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == (username or "").strip().lower()))
        if user is None or not user.active:
            raise NotFound(f"no active user {username!r}")
        token = _new(ctx, s, actor, user, name, scopes, days)
        uow.commit()
        return token
