"""Satisfaction surveys (seed 000 slide 9 condition 6: run by the central office; seed 003 CS6): the
evaluator designs one per fiscal year and opens it for a period; citizens answer anonymously about a
published SLA's service; results per service, customer group and month feed indicators 1.3 / 2.3."""
from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from jsonschema import Draft202012Validator
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..actors import Actor, require
from ..context import Context
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Agency, PublicSla, Survey, SurveyResponse, utcnow
from ..roles import CENTRAL

#: how a response counts, unless the scheme says otherwise: the mean of its 5-point answers
SATISFIED_MIN, DISSATISFIED_MAX = Decimal(4), Decimal(2)
MAX_TEXT = 1000

DEFINITION_SCHEMA = {
    "type": "object",
    "required": ["questions", "groups"],
    "additionalProperties": False,
    "properties": {
        "intro": {"type": "string", "maxLength": 2000},
        "questions": {"type": "array", "minItems": 1, "maxItems": 40, "items": {
            "type": "object", "required": ["id", "text", "type"], "additionalProperties": False,
            "properties": {"id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$"},
                           "text": {"type": "string", "minLength": 1, "maxLength": 500},
                           "text_en": {"type": "string", "maxLength": 500},
                           "type": {"enum": ["scale", "yes_no", "text"]},
                           "required": {"type": "boolean"}}}},
        "groups": {"type": "array", "minItems": 1, "maxItems": 30, "items": {
            "type": "object", "required": ["code", "title"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$"},
                           "title": {"type": "string", "minLength": 1, "maxLength": 200},
                           "title_en": {"type": "string", "maxLength": 200}}}},
    },
}


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(DEFINITION_SCHEMA)


def check_definition(definition) -> dict:
    if not isinstance(definition, dict):
        raise InvalidInput("the survey is a JSON object", field="definition")
    errors = [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
              for e in _validator().iter_errors(definition)]
    ids = [q["id"] for q in definition.get("questions", []) if isinstance(q, dict) and "id" in q]
    if len(ids) != len(set(ids)):
        errors.append("question ids must be unique")
    if not errors and not any(q["type"] == "scale" for q in definition["questions"]):
        errors.append("at least one question on the 5-point scale is needed to measure satisfaction")
    if errors:
        raise InvalidInput("the survey is not valid", field="definition", errors=errors[:30])
    return definition


def create(ctx: Context, actor: Actor, fiscal_year: int, title: str, definition: dict, opens_on: date,
           closes_on: date) -> int:
    require(actor, CENTRAL, what="design surveys")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("a title is required", field="title")
    if not 2500 <= int(fiscal_year) <= 2700:
        raise InvalidInput("fiscal year must be a Buddhist Era year", field="fiscal_year")
    if closes_on < opens_on:
        raise InvalidInput("the survey closes after it opens", field="closes_on")
    check_definition(definition)
    with ctx.uow() as uow:
        survey = Survey(fiscal_year=int(fiscal_year), title=title[:500], definition=definition, opens_on=opens_on,
                        closes_on=closes_on, status="draft", created_by_id=actor.user_id, created_at=utcnow())
        uow.session.add(survey)
        uow.flush()
        audit.record(uow.session, actor, "survey.create",
                     after={"survey_id": survey.id, "fiscal_year": survey.fiscal_year, "title": survey.title})
        uow.commit()
        return survey.id


def set_status(ctx: Context, actor: Actor, survey_id: int, status: str) -> None:
    require(actor, CENTRAL, what="open or close surveys")
    if status not in ("open", "closed", "draft"):
        raise InvalidInput("a survey is open, closed or a draft", field="status")
    with ctx.uow() as uow:
        survey = uow.session.get(Survey, survey_id)
        if survey is None:
            raise NotFound("survey not found")
        before = survey.status
        survey.status = status
        _OPEN.clear()  # this process sees the change at once, others within a few seconds
        audit.record(uow.session, actor, "survey.status", before={"status": before}, after={"status": status,
                                                                                             "survey_id": survey.id})
        uow.commit()


@dataclass(frozen=True)
class SurveyRow:
    id: int
    fiscal_year: int
    title: str
    status: str
    opens_on: date
    closes_on: date
    responses: int


def list_surveys(ctx: Context, actor: Actor) -> list[SurveyRow]:
    require(actor, CENTRAL, what="see the surveys")
    with ctx.uow(write=False) as uow:
        counts = dict(uow.session.execute(select(SurveyResponse.survey_id, func.count())
                                          .group_by(SurveyResponse.survey_id)).all())
        return [SurveyRow(s.id, s.fiscal_year, s.title, s.status, s.opens_on, s.closes_on, counts.get(s.id, 0))
                for s in uow.session.scalars(select(Survey).order_by(Survey.fiscal_year.desc(), Survey.id.desc()))]


_OPEN: dict = {}  # today's open survey in this process: (day, monotonic time) -> (id, definition) | None
_OPEN_SECONDS = 10


def _open_cached(session: Session, today: date):
    """The open survey, read at most every few seconds per process (a burst of answers reads it once)."""
    import time as clock

    now = clock.monotonic()
    found = _OPEN.get(today)
    if found is None or now - found[0] > _OPEN_SECONDS:
        row = session.execute(select(Survey.id, Survey.definition).where(
            Survey.status == "open", Survey.opens_on <= today, Survey.closes_on >= today)
            .order_by(Survey.id.desc()).limit(1)).first()
        _OPEN.clear()
        _OPEN[today] = found = (now, (row.id, row.definition) if row else None)
    return found[1]


def open_survey(session: Session, today: date) -> Survey | None:
    """The survey citizens answer today (open, and within its period)."""
    return session.scalar(select(Survey).where(Survey.status == "open", Survey.opens_on <= today,
                                               Survey.closes_on >= today).order_by(Survey.id.desc()).limit(1))


@dataclass(frozen=True)
class Form:
    survey_id: int
    title: str
    definition: dict


def form_for(ctx: Context, today: date) -> Form | None:
    with ctx.uow(write=False) as uow:
        survey = open_survey(uow.session, today)
        return Form(survey.id, survey.title, dict(survey.definition)) if survey else None


def device_key(secret: str, address: str, user_agent: str, day: date) -> str:
    """A keyed hash of the reader's address and browser for one day: enough to allow one answer per
    device per service per day, never enough to find the person."""
    message = f"{address}|{user_agent[:300]}|{day.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:48]


def _clean_answers(definition: dict, answers: dict) -> tuple[dict, Decimal | None, bool, list[str]]:
    errors, clean, ratings, has_text = [], {}, [], False
    known = {q["id"]: q for q in definition["questions"]}
    for key in answers:
        if key not in known:
            errors.append(key)
    for qid, q in known.items():
        value = answers.get(qid)
        if value in (None, ""):
            if q.get("required"):
                errors.append(qid)
            continue
        if q["type"] == "scale":
            if isinstance(value, bool) or str(value) not in {"1", "2", "3", "4", "5"}:
                errors.append(qid)
                continue
            clean[qid] = int(value)
            ratings.append(int(value))
        elif q["type"] == "yes_no":
            if str(value) not in ("yes", "no"):
                errors.append(qid)
                continue
            clean[qid] = str(value)
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors.append(qid)
                continue
            clean[qid], has_text = text, has_text or bool(text)
    mean = (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) \
        if ratings else None
    return clean, mean, has_text, sorted(set(errors))


# Built once: a burst of answers spends its time in the database, not in building statements.
_PUBLISHED_PAGE = (select(PublicSla.id, PublicSla.agency_id).join(Agency, Agency.id == PublicSla.agency_id)
                   .where(Agency.code == bindparam("code"), PublicSla.slug == bindparam("slug"),
                          PublicSla.status == "published"))
_INSERT_RESPONSE = insert(SurveyResponse.__table__)


def respond(ctx: Context, agency_code: str, slug: str, group: str, answers: dict, device: str,
            now: datetime | None = None) -> int:
    """Store one anonymous response about a published SLA's service (one per device, service and day)."""
    now = now or utcnow()
    today = now.astimezone(_tz(ctx)).date()
    if not isinstance(answers, dict) or len(answers) > 60:
        raise InvalidInput("the answers cannot be read", field="answers")
    with ctx.uow(write=False) as uow:  # read and check outside the write lock: a burst queues on it
        s = uow.session
        survey = _open_cached(s, today)
        if survey is None:
            raise NotFound("no survey is open")
        page = s.execute(_PUBLISHED_PAGE, {"code": (agency_code or "")[:32], "slug": (slug or "")[:80]}).first()
        if page is None:
            raise NotFound("no published SLA here")
        survey_id, definition = survey
    if group not in {g["code"] for g in definition["groups"]}:
        raise InvalidInput("choose who you are", field="group", errors=["group"])
    clean, mean, has_text, errors = _clean_answers(definition, answers)
    if errors:
        raise InvalidInput("some answers cannot be accepted", field=errors[0], errors=errors)
    with ctx.uow() as uow:
        try:
            new_id = uow.session.connection().execute(_INSERT_RESPONSE, dict(
                survey_id=survey_id, public_sla_id=page.id, agency_id=page.agency_id, customer_group=group,
                answers=clean, mean_rating=mean, has_text=has_text, device=device[:64], day=today, created_at=now,
                comment="")).inserted_primary_key[0]
        except IntegrityError:
            raise Conflict("this device has already answered about this service today") from None
        uow.commit()
        return new_id


def _tz(ctx: Context):
    from zoneinfo import ZoneInfo

    return ZoneInfo(ctx.settings.timezone)


def share(means: list[Decimal], satisfied_min=SATISFIED_MIN, dissatisfied_max=DISSATISFIED_MAX) -> dict:
    """Satisfaction and dissatisfaction: the share of respondents whose mean rating is at least
    ``satisfied_min`` (at most ``dissatisfied_max``), in percent with two decimals."""
    rated = [m for m in means if m is not None]
    if not rated:
        return {"responses": len(means), "rated": 0, "satisfied_percent": None, "dissatisfied_percent": None}
    pct = lambda n: str((Decimal(n) * 100 / len(rated)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # noqa: E731
    return {"responses": len(means), "rated": len(rated),
            "satisfied_percent": pct(sum(1 for m in rated if m >= Decimal(satisfied_min))),
            "dissatisfied_percent": pct(sum(1 for m in rated if m <= Decimal(dissatisfied_max)))}


def latest_for_agency(ctx: Context, actor: Actor, agency_id: int) -> Results | None:
    """The agency's results in the newest survey it has answers in (for its dashboard)."""
    with ctx.uow(write=False) as uow:
        survey_id = uow.session.scalar(select(SurveyResponse.survey_id).where(SurveyResponse.agency_id == agency_id)
                                       .order_by(SurveyResponse.survey_id.desc()).limit(1))
    return results(ctx, actor, survey_id, agency_id) if survey_id is not None else None


@dataclass
class Results:
    survey_id: int
    title: str
    fiscal_year: int
    rows: list[dict] = field(default_factory=list)       # per agency and service
    groups: list[dict] = field(default_factory=list)     # per customer group
    months: list[dict] = field(default_factory=list)     # per month
    texts: list[dict] = field(default_factory=list)      # free-text answers for the agencies
    total: dict = field(default_factory=dict)


def results(ctx: Context, actor: Actor, survey_id: int, agency_id: int | None = None) -> Results:
    """Responses per service, customer group and month: counts, satisfaction and dissatisfaction %
    (the rule of `share`), and the free-text answers. Agencies see their own; evaluators their scope."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        survey = s.get(Survey, survey_id)
        if survey is None:
            raise NotFound("survey not found")
        if agency_id is not None and not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        if agency_id is None:
            require(actor, CENTRAL, what="see every agency's survey results")
        stmt = (select(SurveyResponse.public_sla_id, SurveyResponse.customer_group, SurveyResponse.day,
                       SurveyResponse.mean_rating, SurveyResponse.answers, SurveyResponse.has_text,
                       PublicSla.title, PublicSla.service_process, Agency.name, Agency.id)
                .join(PublicSla, PublicSla.id == SurveyResponse.public_sla_id)
                .join(Agency, Agency.id == PublicSla.agency_id).where(SurveyResponse.survey_id == survey_id))
        if agency_id is not None:
            stmt = stmt.where(SurveyResponse.agency_id == agency_id)
        rows = s.execute(stmt.order_by(SurveyResponse.id)).all()
    by_service, by_group, by_month = defaultdict(list), defaultdict(list), defaultdict(list)
    names, texts = {}, []
    group_titles = {g["code"]: g["title"] for g in survey.definition["groups"]}
    text_ids = [q["id"] for q in survey.definition["questions"] if q["type"] == "text"]
    for r in rows:
        by_service[r.public_sla_id].append(r.mean_rating)
        by_group[r.customer_group].append(r.mean_rating)
        by_month[r.day.strftime("%Y-%m")].append(r.mean_rating)
        names[r.public_sla_id] = (r.name, r.title or r.service_process, r.id)
        if r.has_text:
            texts += [{"service": r.title or r.service_process, "agency": r.name, "day": r.day,
                       "group": group_titles.get(r.customer_group, r.customer_group), "text": r.answers[q]}
                      for q in text_ids if r.answers.get(q)]
    out = Results(survey.id, survey.title, survey.fiscal_year)
    out.rows = sorted(({"agency": names[k][0], "service": names[k][1], "agency_id": names[k][2], **share(v)}
                       for k, v in by_service.items()), key=lambda x: (x["agency"], x["service"]))
    out.groups = [{"group": group_titles.get(k, k), **share(v)} for k, v in sorted(by_group.items())]
    out.months = [{"month": k, **share(v)} for k, v in sorted(by_month.items())]
    out.texts = texts[-200:]
    out.total = share([r.mean_rating for r in rows])
    return out
