"""Published SLAs: what the public reads. An SLA becomes public when its publication is approved in the
workflow (the handler context calls ``publish``); replacing it adds a version, withdrawing it takes it
off the public pages; both are audited. Only published content is ever read by the public pages."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import audit
from ..actors import Actor, require
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import Agency, Instance, PublicSla, PublicSlaVersion, utcnow
from ..roles import CENTRAL, HEAD, SUPERVISOR

PAGE = 20
_SPACES = re.compile(r"[\s/]+")


def slug_of(service_process: str) -> str:
    """A stable, readable address part for a service (Thai letters kept, spaces as dashes)."""
    kept = "".join(ch for ch in unicodedata.normalize("NFC", service_process or "").strip()
                   if unicodedata.category(ch)[0] in "LMN" or ch in " -/")
    return _SPACES.sub("-", kept).strip("-")[:80] or "service"


def publish(session: Session, instance: Instance, title: str, content: dict, promised_time: str, now: datetime,
            actor_id: int | None = None) -> tuple[int, int]:
    """Publish this instance's SLA as the current version of its agency's service page."""
    slug = slug_of(instance.service_process)
    page = session.scalar(select(PublicSla).where(PublicSla.agency_id == instance.agency_id, PublicSla.slug == slug))
    if page is None:
        page = PublicSla(agency_id=instance.agency_id, service_process=instance.service_process, slug=slug,
                         status="published", updated_at=now)
        session.add(page)
        session.flush()
    number = (session.scalar(select(func.max(PublicSlaVersion.version))
                             .where(PublicSlaVersion.public_sla_id == page.id)) or 0) + 1
    version = PublicSlaVersion(public_sla_id=page.id, version=number, fiscal_year=instance.fiscal_year,
                               instance_id=instance.id, content=content, published_at=now, published_by_id=actor_id)
    session.add(version)
    session.flush()
    before = {"status": page.status, "version": number - 1} if number > 1 else None
    page.current_version_id, page.status, page.updated_at = version.id, "published", now
    page.title, page.promised_time = title[:500], promised_time[:100]
    audit.record(session, Actor.system(), "sla.publish", agency_id=instance.agency_id, instance_id=instance.id,
                 before=before, after={"public_sla_id": page.id, "version": number, "slug": slug,
                                       "fiscal_year": instance.fiscal_year})
    return page.id, number


def withdraw(ctx: Context, actor: Actor, public_sla_id: int, reason: str) -> None:
    """Take an SLA off the public pages (the agency's supervisor or head, or the central office)."""
    require(actor, SUPERVISOR, HEAD, CENTRAL, what="withdraw a published SLA")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    with ctx.uow() as uow:
        page = uow.session.get(PublicSla, public_sla_id)
        if page is None or not actor.can_see_agency(page.agency_id):
            raise NotFound("published SLA not found")
        if page.status == "withdrawn":
            return
        page.status, page.updated_at = "withdrawn", utcnow()
        audit.record(uow.session, actor, "sla.withdraw", agency_id=page.agency_id, before={"status": "published"},
                     after={"status": "withdrawn", "public_sla_id": page.id}, comment=reason[:2000])
        uow.commit()


@dataclass(frozen=True)
class Listed:
    agency_code: str
    agency_name: str
    ministry: str
    province: str
    slug: str
    title: str
    service_process: str
    promised_time: str


@dataclass(frozen=True)
class Directory:
    items: list[Listed]
    total: int
    page: int
    ministries: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def directory(ctx: Context, q: str = "", ministry: str = "", province: str = "", page: int = 1) -> Directory:
    """Published SLAs, searchable by service, agency, ministry and province (no login)."""
    q, page = (q or "").strip()[:100], max(1, int(page))
    with ctx.uow(write=False) as uow:
        s = uow.session
        stmt = (select(PublicSla.slug, PublicSla.title, PublicSla.service_process, PublicSla.promised_time,
                       Agency.code, Agency.name, Agency.ministry, Agency.province)
                .join(Agency, Agency.id == PublicSla.agency_id).where(PublicSla.status == "published"))
        if q:
            stmt = stmt.where(or_(PublicSla.service_process.like(_like(q), escape="\\"),
                                  PublicSla.title.like(_like(q), escape="\\"),
                                  Agency.name.like(_like(q), escape="\\")))
        if ministry:
            stmt = stmt.where(Agency.ministry == ministry[:255])
        if province:
            stmt = stmt.where(Agency.province == province[:128])
        total = s.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = s.execute(stmt.order_by(PublicSla.service_process, Agency.name, PublicSla.id)
                         .limit(PAGE).offset((page - 1) * PAGE)).all()
        listed = select(Agency.ministry, Agency.province).join(PublicSla, PublicSla.agency_id == Agency.id) \
            .where(PublicSla.status == "published").distinct()
        pairs = s.execute(listed).all()
    return Directory([Listed(r.code, r.name, r.ministry, r.province, r.slug, r.title, r.service_process,
                             r.promised_time) for r in rows], total, page,
                     sorted({m for m, _ in pairs if m}), sorted({p for _, p in pairs if p}))


@dataclass(frozen=True)
class PublicPage:
    id: int
    agency_code: str
    agency_name: str
    ministry: str
    province: str
    slug: str
    title: str
    service_process: str
    version: int
    fiscal_year: int
    content: dict
    years: list[int]
    updated_at: datetime


def page(ctx: Context, agency_code: str, slug: str) -> PublicPage:
    """The current version of a published SLA; a withdrawn or unknown one is not found."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        row = s.execute(select(PublicSla, Agency).join(Agency, Agency.id == PublicSla.agency_id)
                        .where(Agency.code == (agency_code or "")[:32], PublicSla.slug == (slug or "")[:80],
                               PublicSla.status == "published")).first()
        if row is None or row[0].current_version_id is None:
            raise NotFound("no published SLA here")
        sla, agency = row
        version = s.get(PublicSlaVersion, sla.current_version_id)
        years = sorted(set(s.scalars(select(PublicSlaVersion.fiscal_year)
                                     .where(PublicSlaVersion.public_sla_id == sla.id))))
        return PublicPage(sla.id, agency.code, agency.name, agency.ministry, agency.province, sla.slug, sla.title,
                          sla.service_process, version.version, version.fiscal_year, dict(version.content), years,
                          sla.updated_at)


def validator(ctx: Context, agency_code: str, slug: str) -> tuple[int, datetime] | None:
    """The current version and its time, for conditional requests (ETag / Last-Modified)."""
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(
            select(PublicSla.current_version_id, PublicSla.updated_at).join(Agency, Agency.id == PublicSla.agency_id)
            .where(Agency.code == (agency_code or "")[:32], PublicSla.slug == (slug or "")[:80],
                   PublicSla.status == "published")).first()
    return (row[0], row[1]) if row and row[0] is not None else None


def preview(ctx: Context, actor: Actor, instance_id: int) -> PublicPage:
    """An instance's SLA as its public page will read once the publication is approved (for the
    poster the publication task offers)."""
    from .. import profiles
    from ..scoring import collect

    with ctx.uow(write=False) as uow:
        s = uow.session
        instance = s.get(Instance, instance_id)
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        profile = profiles.of_instance(s, instance)
        if profile.public_page is None:
            raise NotFound("this workflow has no public page")
        title, content, _promised = profile.public_page(collect.facts_of(s, instance)[0])
        agency = s.get(Agency, instance.agency_id)
        return PublicPage(0, agency.code, agency.name, agency.ministry, agency.province,
                          slug_of(instance.service_process), title, instance.service_process, 0,
                          instance.fiscal_year, content, [instance.fiscal_year], instance.updated_at)


@dataclass(frozen=True)
class AgencyPublication:
    id: int
    slug: str
    agency_code: str
    title: str
    status: str
    version: int | None
    fiscal_year: int | None
    updated_at: datetime


def of_agency(ctx: Context, actor: Actor, agency_id: int) -> list[AgencyPublication]:
    """An agency's published and withdrawn SLAs (for the people who may see the agency)."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        out = []
        for sla in s.scalars(select(PublicSla).where(PublicSla.agency_id == agency_id).order_by(PublicSla.title)):
            version = s.get(PublicSlaVersion, sla.current_version_id) if sla.current_version_id else None
            out.append(AgencyPublication(sla.id, sla.slug, agency.code, sla.title, sla.status,
                                         version.version if version else None,
                                         version.fiscal_year if version else None, sla.updated_at))
        return out
