"""Scoring use cases: schemes (shipped and uploaded, versioned), corrections, recomputing the scores
of a fiscal year from the workflows, and an agency's scorecard."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select

from .. import audit
from ..actors import Actor, require
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import Agency, Instance, KpiScheme, KpiScore, ScoreCorrection, utcnow
from ..roles import CENTRAL
from ..scoring import calculator, collect, schemes


def upload_scheme(ctx: Context, actor: Actor | None, text: str | bytes, filename: str) -> tuple[str, int, bool]:
    """Validate and store a scheme; identical content is not stored twice. (code, version, created)."""
    if actor is not None:
        require(actor, CENTRAL, what="manage scores")
    try:
        scheme = schemes.parse_scheme(text, filename)
    except schemes.SchemeInvalid as exc:
        raise InvalidInput("the scheme is not valid", field="scheme", errors=exc.errors) from None
    raw = text.decode("utf-8") if isinstance(text, bytes) else text
    digest = hashlib.sha256(raw.encode()).hexdigest()
    with ctx.uow() as uow:
        s = uow.session
        same = s.scalar(select(KpiScheme).where(KpiScheme.code == scheme.code, KpiScheme.content_hash == digest))
        if same is not None:
            return same.code, same.version, False
        version = (s.scalar(select(func.max(KpiScheme.version)).where(KpiScheme.code == scheme.code)) or 0) + 1
        s.add(KpiScheme(code=scheme.code, version=version, fiscal_year=scheme.fiscal_year, title=scheme.title[:500],
                        content=raw, content_hash=digest, uploaded_by_id=actor.user_id if actor else None,
                        uploaded_at=utcnow()))
        audit.record(s, actor or Actor.system(), "scheme.upload",
                     after={"code": scheme.code, "version": version, "fiscal_year": scheme.fiscal_year})
        uow.commit()
        return scheme.code, version, True


def install_shipped(ctx: Context) -> int:
    """Store the schemes shipped with slaflow (new or changed ones only)."""
    created = 0
    folder = ctx.settings.kpi_dir
    for path in sorted(folder.glob("*.json")) + sorted(folder.glob("*.y*ml")):
        created += upload_scheme(ctx, None, path.read_text(encoding="utf-8"), path.name)[2]
    return created


@dataclass(frozen=True)
class SchemeRow:
    code: str
    version: int
    fiscal_year: int
    title: str
    uploaded_at: object


def list_schemes(ctx: Context, actor: Actor) -> list[SchemeRow]:
    require(actor, CENTRAL, what="see the KPI schemes")
    with ctx.uow(write=False) as uow:
        return [SchemeRow(r.code, r.version, r.fiscal_year, r.title, r.uploaded_at)
                for r in uow.session.scalars(select(KpiScheme).order_by(KpiScheme.code, KpiScheme.version.desc()))]


def latest_schemes(s) -> list[tuple[schemes.Scheme, int]]:
    latest = {}
    for row in s.scalars(select(KpiScheme).order_by(KpiScheme.code, KpiScheme.version)):
        latest[row.code] = row
    return [(schemes.parse_scheme(r.content, "scheme.json"), r.version) for r in latest.values()]


def scheme_for(candidates, process_id: str, group: str, fiscal_year: int):
    """The scheme in force: for this workflow (and group), the latest fiscal year not after this one."""
    fitting = [(sc, v) for sc, v in candidates
               if (sc.data.get("applies_to") or {}).get("process_id") == process_id
               and (sc.data.get("applies_to") or {}).get("group", group) == group
               and sc.fiscal_year <= fiscal_year]
    return max(fitting, key=lambda x: x[0].fiscal_year) if fitting else None


def _results(scheme: schemes.Scheme, items: list[collect.Collected]) -> dict:
    processes = []
    for item in items:
        values, late = {}, {}
        for ind in scheme.indicators:
            source = ind.get("source", ind["code"])
            value = item.values.get(source)
            if ind["code"] in item.corrected:
                value = item.corrected[ind["code"]]["value"]
            if value is not None:
                values[ind["code"]] = value
            if item.days_late.get(source):
                late[ind["code"]] = item.days_late[source]
        processes.append({"name": item.service_process, "values": values, "days_late": late,
                          "instance_id": item.instance_id})
    return {"processes": processes}


def recompute(ctx: Context, actor: Actor, fiscal_year: int, agency_ids: list[int] | None = None) -> int:
    """Score every agency of a fiscal year from its workflows; returns how many scores were written."""
    require(actor, CENTRAL, what="manage scores")
    written = 0
    with ctx.uow() as uow:
        s = uow.session
        candidates = latest_schemes(s)
        per_agency: dict[tuple[int, str], list] = {}
        for instance, process_id in collect.instances_of_year(s, fiscal_year, agency_ids):
            item = collect.collect(s, instance, process_id)
            found = scheme_for(candidates, process_id, item.group, fiscal_year)
            if found is None:
                continue
            per_agency.setdefault((instance.agency_id, found[0].code), [found, []])[1].append(item)
        stmt = delete(KpiScore).where(KpiScore.fiscal_year == fiscal_year)
        if agency_ids is not None:
            stmt = stmt.where(KpiScore.agency_id.in_(agency_ids))
        s.execute(stmt)
        now = utcnow()
        for (agency_id, code), ((scheme, version), items) in per_agency.items():
            try:
                result = calculator.score(scheme, _results(scheme, items))
            except calculator.ResultsInvalid as exc:
                result = {"error": str(exc), "score": "0", "processes": [], "indicators": []}
            result["evidence"] = sum(i.evidence for i in items)
            result["corrections"] = {i.service_process: i.corrected for i in items if i.corrected}
            s.add(KpiScore(fiscal_year=fiscal_year, agency_id=agency_id, scheme_code=code, scheme_version=version,
                           score=Decimal(result["score"]), details=result, computed_at=now))
            written += 1
        audit.record(s, actor, "scores.recompute", after={"fiscal_year": fiscal_year, "scores": written})
        uow.commit()
    return written


def correct(ctx: Context, actor: Actor, instance_id: int, indicator: str, value, reason: str) -> None:
    """The central office corrects a result that feeds scoring (the reason is required and audited);
    the agency's scores for that fiscal year are computed again."""
    require(actor, CENTRAL, what="manage scores")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    if not indicator or len(indicator) > 64:
        raise InvalidInput("which indicator?", field="indicator")
    try:
        calculator.d(value) if not isinstance(value, dict) else None
    except calculator.ResultsInvalid:
        raise InvalidInput("the value must be a number", field="value") from None
    with ctx.uow() as uow:
        s = uow.session
        instance = s.get(Instance, instance_id)
        if instance is None:
            raise NotFound("instance not found")
        previous = s.scalar(select(ScoreCorrection).where(ScoreCorrection.instance_id == instance_id,
                                                          ScoreCorrection.indicator == indicator)
                            .order_by(ScoreCorrection.id.desc()).limit(1))
        s.add(ScoreCorrection(instance_id=instance_id, indicator=indicator, value={"value": value}, reason=reason,
                              corrected_by_id=actor.user_id, corrected_at=utcnow()))
        audit.record(s, actor, "score.correct", agency_id=instance.agency_id, instance_id=instance_id,
                     before={indicator: previous.value.get("value")} if previous else None,
                     after={indicator: value}, comment=reason)
        agency_id, fiscal_year = instance.agency_id, instance.fiscal_year
        uow.commit()
    recompute(ctx, actor, fiscal_year, [agency_id])


@dataclass(frozen=True)
class Scorecard:
    agency_id: int
    agency_name: str
    fiscal_year: int
    scores: list[dict]
    instances: list[dict]
    classification: dict | None


def scorecard(ctx: Context, actor: Actor, agency_id: int, fiscal_year: int) -> Scorecard:
    with ctx.uow(write=False) as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        rows = s.scalars(select(KpiScore).where(KpiScore.agency_id == agency_id, KpiScore.fiscal_year == fiscal_year)
                         .order_by(KpiScore.scheme_code))
        scores = [dict(r.details, code=r.scheme_code, version=r.scheme_version, computed_at=r.computed_at)
                  for r in rows]
        instances = [{"id": i.id, "service_process": i.service_process, "status": i.status}
                     for i in s.scalars(select(Instance).where(Instance.agency_id == agency_id,
                                                               Instance.fiscal_year == fiscal_year))]
        standard = next((sc for sc, _ in latest_schemes(s) if sc.data.get("classification")), None)
    classification = None
    if standard is not None and scores:
        classification = calculator.classify(standard, [Decimal(x["score"]) for x in scores])
    return Scorecard(agency.id, agency.name, fiscal_year, scores, instances, classification)
