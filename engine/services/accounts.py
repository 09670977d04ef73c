"""Accounts: authenticate, create users and agencies (admin), change password."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select

from .. import audit, organisation
from ..actors import Actor, require
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import Agency, User, UserRole
from ..passwords import hash_password, needs_rehash, verify_password
from ..roles import ADMIN, AGENCY_ROLES, EVALUATOR, ROLES


def authenticate(ctx: Context, username: str, password: str, address: str = "") -> Actor | None:
    """The actor for a right user name and password; a failure is recorded in the audit trail too (the
    name tried and the address, never the password)."""
    username = (username or "").strip().lower()
    with ctx.uow() as uow:
        user = uow.session.scalar(select(User).where(func.lower(User.username) == username))
        ok = verify_password(user.password_hash if user else None, password or "")
        if not ok or user is None or not user.active:
            why = "unknown user" if user is None else ("inactive" if not user.active else "wrong password")
            audit.record(uow.session, Actor.system("login"), "login.failed",
                         agency_id=user.agency_id if user else None,
                         after={"username": username[:64], "address": (address or "")[:64], "reason": why})
            uow.commit()
            return None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        actor = Actor.from_user(user, _oversees(uow.session, user.agency_id, user.roles))
        audit.record(uow.session, actor, "login", agency_id=user.agency_id,
                     after={"username": user.username, "address": (address or "")[:64]})
        uow.commit()
        return actor


def _oversees(session, agency_id: int | None, roles) -> frozenset[int]:
    """A department evaluator oversees its department's subtree; nobody else needs the tree."""
    return organisation.subtree(session, agency_id) if EVALUATOR in roles else frozenset()


def _profile(user, agency_name: str | None, roles) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "agency": agency_name or "", "roles": sorted(roles), "language": user.language,
            "session_epoch": user.session_epoch or 0}


_user, _agency, _role = User.__table__, Agency.__table__, UserRole.__table__
# every web request reads its user: one statement, built once, no ORM objects
_SESSION_USER = (
    select(_user.c.id, _user.c.username, _user.c.display_name, _user.c.agency_id, _user.c.language,
           _user.c.session_epoch, _agency.c.name.label("agency_name"), _role.c.role)
    .select_from(_user.outerjoin(_agency, _agency.c.id == _user.c.agency_id)
                 .outerjoin(_role, _role.c.user_id == _user.c.id))
    .where(_user.c.id == bindparam("user_id"), _user.c.active.is_(True))
)


def load_session_user(ctx: Context, user_id: int) -> tuple[Actor, dict] | None:
    """The actor and profile of an active user, in one read (every web request needs both)."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.connection().execute(_SESSION_USER, {"user_id": user_id}).all()
        if not rows:
            return None
        user = rows[0]
        roles = frozenset(row.role for row in rows if row.role)
        oversees = _oversees(uow.session, user.agency_id, roles)
    return Actor(user.id, user.username, user.agency_id, roles, oversees), _profile(user, user.agency_name, roles)


def user_profile(ctx: Context, user_id: int) -> dict | None:
    with ctx.uow(write=False) as uow:
        user = uow.session.get(User, user_id)
        return _profile(user, user.agency.name if user.agency else None, user.roles) if user is not None else None


def _check_place(session, agency_id: int | None, parent_id: int | None, kind: str) -> None:
    """A unit sits under a department (or another unit); the tree has no cycle."""
    if kind not in organisation.KINDS:
        raise InvalidInput("choose department or unit", field="kind")
    if parent_id is None:
        return
    if session.get(Agency, parent_id) is None:
        raise InvalidInput("the parent agency does not exist", field="parent_id")
    if agency_id is not None and parent_id in organisation.subtree(session, agency_id):
        raise InvalidInput("an agency cannot sit under itself or one of its units", field="parent_id")


def create_agency(ctx: Context, actor: Actor, code: str, name: str, ministry: str = "", province: str = "",
                  region: str = "", parent_id: int | None = None, kind: str = "department") -> int:
    require(actor, what="manage agencies and users")
    if not code.strip() or not name.strip():
        raise InvalidInput("agency code and name are required")
    with ctx.uow() as uow:
        _check_place(uow.session, None, parent_id, kind)
        agency = Agency(code=code.strip(), name=name.strip(), ministry=ministry, province=province, region=region,
                        active=True, parent_id=parent_id, kind=kind)
        uow.session.add(agency)
        uow.flush()
        audit.record(uow.session, actor, "agency.create", agency_id=agency.id,
                     after={"code": code, "name": name, "parent_id": parent_id, "kind": kind})
        uow.commit()
        return agency.id


def create_user(ctx: Context, actor: Actor, username: str, password: str, display_name: str,
                roles: list[str], agency_id: int | None = None, email: str = "", *,
                password_hash: str | None = None) -> int:
    """``password_hash``, instead of ``password``: the Argon2 hash of a password hashed once for many
    accounts (a bulk load), since hashing is deliberately slow."""
    require(actor, what="manage agencies and users")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(f"unknown roles: {', '.join(sorted(unknown))}", field="roles")
    if not username.strip():
        raise InvalidInput("username is required", field="username")
    if password_hash is not None:
        if not password_hash.startswith("$argon2id$"):
            raise InvalidInput("not an Argon2id password hash", field="password")
    else:
        try:
            password_hash = hash_password(password)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="password") from None
    with ctx.uow() as uow:
        if agency_id is not None and uow.session.get(Agency, agency_id) is None:
            raise NotFound("agency not found")
        user = User(username=username.strip().lower(), display_name=display_name, email=email,
                    password_hash=password_hash, agency_id=agency_id, active=True)
        user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
        uow.session.add(user)
        uow.flush()
        audit.record(uow.session, actor, "user.create", agency_id=agency_id,
                     after={"username": user.username, "roles": sorted(set(roles))})
        uow.commit()
        return user.id


def change_password(ctx: Context, actor: Actor, old: str, new: str) -> int:
    with ctx.uow() as uow:
        user = uow.session.get(User, actor.user_id)
        if user is None:
            raise NotFound("user not found")
        if not verify_password(user.password_hash, old or ""):
            raise InvalidInput("the current password is wrong", field="old_password")
        try:
            user.password_hash = hash_password(new or "")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="new_password") from None
        user.session_epoch = (user.session_epoch or 0) + 1  # every other session of the user ends
        audit.record(uow.session, actor, "user.password", agency_id=user.agency_id,
                     after={"user_id": user.id, "username": user.username, "sessions_ended": True})
        uow.commit()
        return user.session_epoch


def end_sessions(ctx: Context, actor: Actor, user_id: int, reason: str = "logout") -> int:
    """End every session of a user (at logout, the user's own; an administrator, anyone's). Returns the new
    epoch, which a session that should live on (none at logout) carries from now on."""
    if actor.user_id != user_id:
        require(actor, what="end another user's sessions")
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        user.session_epoch = (user.session_epoch or 0) + 1
        audit.record(uow.session, actor, "user.sessions_end", agency_id=user.agency_id,
                     after={"user_id": user.id, "username": user.username, "reason": reason[:64]})
        uow.commit()
        return user.session_epoch




def list_agencies(ctx: Context, actor: Actor) -> list[Agency]:
    require(actor, what="manage agencies and users")
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(Agency).order_by(Agency.code)))


def _user_row(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "email": u.email,
            "agency": u.agency.name if u.agency else "", "agency_id": u.agency_id, "roles": sorted(u.roles),
            "active": u.active}


def list_users(ctx: Context, actor: Actor) -> list[dict]:
    require(actor, what="manage agencies and users")
    with ctx.uow(write=False) as uow:
        return [_user_row(u) for u in uow.session.scalars(select(User).order_by(User.username))]


def get_user(ctx: Context, actor: Actor, user_id: int) -> dict:
    require(actor, what="manage agencies and users")
    with ctx.uow(write=False) as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        return _user_row(user)


def update_agency(ctx: Context, actor: Actor, agency_id: int, name: str, ministry: str, province: str,
                  active: bool, parent_id: int | None = None, kind: str | None = None) -> None:
    require(actor, what="manage agencies and users")
    if not name.strip():
        raise InvalidInput("agency name is required", field="name")
    with ctx.uow() as uow:
        agency = uow.session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("agency not found")
        kind = kind or agency.kind
        _check_place(uow.session, agency.id, parent_id, kind)
        before = {"name": agency.name, "ministry": agency.ministry, "province": agency.province,
                  "active": agency.active, "parent_id": agency.parent_id, "kind": agency.kind}
        agency.name, agency.ministry, agency.province, agency.active = name.strip(), ministry, province, active
        agency.parent_id, agency.kind = parent_id, kind
        after = {"name": agency.name, "ministry": agency.ministry, "province": agency.province, "active": active,
                 "parent_id": parent_id, "kind": kind}
        b, a = audit.changed(before, after)
        audit.record(uow.session, actor, "agency.update", agency_id=agency.id, before=b, after=a)
        uow.commit()


def update_user(ctx: Context, actor: Actor, user_id: int, display_name: str, email: str, roles: list[str],
                agency_id: int | None, active: bool, new_password: str = "") -> None:
    require(actor, what="manage agencies and users")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(f"unknown roles: {', '.join(sorted(unknown))}", field="roles")
    if set(roles) & (AGENCY_ROLES | {EVALUATOR}) and agency_id is None:
        raise InvalidInput("officers, supervisors, heads and department evaluators belong to an agency",
                           field="agency_id")
    with ctx.uow() as uow:
        s = uow.session
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        if agency_id is not None and s.get(Agency, agency_id) is None:
            raise NotFound("agency not found")
        if user.id == actor.user_id and (not active or ADMIN not in roles):
            raise InvalidInput("you cannot remove your own administrator access", field="roles")
        before = {"display_name": user.display_name, "email": user.email, "roles": sorted(user.roles),
                  "agency_id": user.agency_id, "active": user.active}
        user.display_name, user.email, user.agency_id, user.active = display_name.strip(), email.strip(), \
            agency_id, active
        current = {r.role: r for r in user.role_rows}
        user.role_rows = [current.get(r) or UserRole(role=r) for r in sorted(set(roles))]
        if new_password:
            try:
                user.password_hash = hash_password(new_password)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="new_password") from None
        after = {"display_name": user.display_name, "email": user.email, "roles": sorted(set(roles)),
                 "agency_id": agency_id, "active": active}
        b, a = audit.changed(before, after)
        if new_password or b.get("roles") is not None or not active:
            user.session_epoch = (user.session_epoch or 0) + 1  # a reset, new roles or deactivation: log in again
        if new_password:
            a["password_reset"] = True
        if a or b:  # nothing changed: no event
            a.update({"user_id": user.id, "username": user.username})  # whose account, whatever changed
            audit.record(s, actor, "user.update", agency_id=agency_id, before=b, after=a)
        uow.commit()


def service_accounts(ctx: Context, actor: Actor) -> list[dict]:
    """Every agency's service accounts (administrators)."""
    require(actor, ADMIN, what="see service accounts")
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(User).where(User.kind == "service").order_by(User.username))
        return [{"id": u.id, "username": u.username, "display_name": u.display_name,
                 "agency": u.agency.name if u.agency else "", "roles": sorted(u.roles), "active": u.active}
                for u in rows]


def visible_agencies(ctx: Context, actor: Actor) -> list[Agency]:
    """The organisation tree as the actor sees it: everything for the central office and administrators;
    otherwise their own agency, the department above it and the units below it they oversee."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        stmt = select(Agency).where(Agency.active.is_(True)).order_by(Agency.ministry, Agency.name)
        if not actor.sees_all_agencies:
            own = s.get(Agency, actor.agency_id) if actor.agency_id else None
            ids = {actor.agency_id, *actor.oversees, own.parent_id if own else None} - {None}
            stmt = stmt.where(Agency.id.in_(sorted(ids)))
        rows = list(s.scalars(stmt))
        for row in rows:
            s.expunge(row)
        return rows
