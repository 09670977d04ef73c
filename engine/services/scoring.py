"""Scoring use cases: schemes (shipped and uploaded, versioned), corrections, recomputing the scores
of a fiscal year from the workflows, and an agency's scorecard."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select

from .. import audit, profiles
from ..actors import Actor, require
from ..context import Context
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Agency, Instance, KpiScheme, KpiScore, ProcessDefinition, ScoreCorrection, utcnow
from ..roles import CENTRAL, EVALUATOR
from ..scoring import calculator, collect, schemes
from . import surveys


def upload_scheme(ctx: Context, actor: Actor | None, text: str | bytes, filename: str) -> tuple[str, int, bool]:
    """Validate and store a scheme; identical content is not stored twice. (code, version, created)."""
    if actor is not None:
        require(actor, CENTRAL, EVALUATOR, what="manage scores")
    try:
        scheme = schemes.parse_scheme(text, filename)
    except schemes.SchemeInvalid as exc:
        raise InvalidInput("the scheme is not valid", field="scheme", errors=exc.errors) from None
    _check_owner(actor, scheme)
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


def _check_owner(actor: Actor | None, scheme: schemes.Scheme) -> None:
    """The central office's SLA KPI is the central office's: a department evaluator publishes its own
    department's schemes only."""
    main = profiles.main()
    applies = (scheme.data.get("applies_to") or {}).get("process_id")
    if actor is not None and actor.evaluates_units and main is not None and applies == main.process_id:
        raise Forbidden("only the central office publishes the schemes of its KPI")


def _scope(actor: Actor, agency_ids: list[int] | None) -> list[int] | None:
    """The agencies a use case may touch: a department evaluator's own subtree at most."""
    if not actor.evaluates_units:
        return agency_ids
    return sorted(actor.oversees if agency_ids is None else set(agency_ids) & actor.oversees)


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
    require(actor, CENTRAL, EVALUATOR, what="see the KPI schemes")
    with ctx.uow(write=False) as uow:
        return [SchemeRow(r.code, r.version, r.fiscal_year, r.title, r.uploaded_at)
                for r in uow.session.scalars(select(KpiScheme).order_by(KpiScheme.code, KpiScheme.version.desc()))]


def latest_schemes(s, fiscal_year: int | None = None) -> list[tuple[schemes.Scheme, int]]:
    """The latest version of every scheme (of one fiscal year when given)."""
    stmt = select(KpiScheme).order_by(KpiScheme.code, KpiScheme.version)
    if fiscal_year is not None:
        stmt = stmt.where(KpiScheme.fiscal_year == fiscal_year)
    latest = {}
    for row in s.scalars(stmt):
        latest[row.code] = row
    return [(schemes.parse_scheme(r.content, "scheme.json"), r.version) for r in latest.values()]


def scheme_for(candidates, process_id: str, group: str, fiscal_year: int):
    """The scheme the evaluator published for this workflow (and group) for exactly this fiscal year:
    an earlier year's scheme is never used silently."""
    fitting = [(sc, v) for sc, v in candidates
               if (sc.data.get("applies_to") or {}).get("process_id") == process_id
               and (sc.data.get("applies_to") or {}).get("group", group) == group
               and sc.fiscal_year == fiscal_year]
    return fitting[0] if fitting else None


def _measured(scheme: schemes.Scheme, source: str, item: collect.Collected):
    """A value the scheme takes from measurement when the work gives none: satisfaction from the
    survey, success from the service records (else the agency's reported figure), by its rules."""
    rule = scheme.data.get("satisfaction")
    if rule and rule.get("source", "satisfaction_percent") == source and item.survey:
        return surveys.share(item.survey, rule.get("satisfied_min", 4), rule.get("dissatisfied_max", 2))[
            "satisfied_percent"]
    rule = scheme.data.get("success")
    if rule and rule.get("source", "success_percent") == source:
        measured = item.measured.get(rule.get("measured", "within_sla_percent"))
        return measured if measured is not None else item.values.get(rule.get("otherwise", ""))
    return None


def _results(scheme: schemes.Scheme, items: list[collect.Collected]) -> dict:
    processes = []
    for item in items:
        values, late, evidence = {}, {}, {}
        for ind in scheme.indicators:
            source = ind.get("source", ind["code"])
            value = item.values.get(source)
            if value is None:
                value = _measured(scheme, source, item)
            if ind["code"] in item.corrected:
                value = item.corrected[ind["code"]]["value"]
            if value is not None:
                values[ind["code"]] = value
            if item.days_late.get(source):
                late[ind["code"]] = item.days_late[source]
            if item.evidence.get(source):
                evidence[ind["code"]] = int(item.evidence[source])
        processes.append({"name": item.service_process, "values": values, "days_late": late,
                          "evidence": evidence, "instance_id": item.instance_id})
    return {"processes": processes}


def penalty_so_far(scheme: schemes.Scheme | None, lateness: list[dict]) -> dict | None:
    """Where work stands against its due dates: what is overdue and not yet sent (the longest delay),
    and, where the scheme has a late penalty, the days and points lost so far on the reports it
    counts, including reports not yet sent (their days grow until they leave the agency)."""
    late = [x for x in lateness if x["days_late"] and x["state"] in ("sent", "overdue")]
    if not late:
        return None
    overdue = [x for x in late if x["state"] == "overdue"]
    rule = scheme.data.get("late_penalty") if scheme is not None else None
    counted = [x for x in late if x.get("source")] if rule else []
    days = sum(x["days_late"] for x in counted)
    return {"overdue": overdue, "longest": max((x["days_late"] for x in overdue), default=0),
            "days_late": days, "penalty": str(calculator.q4(calculator.d(rule["per_day"]) * days)) if rule else None}


def _score_all(s, fiscal_year: int, agency_ids, now, tz: str) -> tuple[dict, list]:
    """Collect every instance of the year and group them by agency and scheme; instances whose
    process is scored but has no scheme for the year are listed as missing."""
    candidates = latest_schemes(s, fiscal_year)
    per_agency: dict[tuple[int, str], list] = {}
    missing = []
    for instance, process_id in collect.instances_of_year(s, fiscal_year, agency_ids):
        item = collect.collect(s, instance, process_id, now, tz)
        found = scheme_for(candidates, process_id, item.group, fiscal_year)
        if found is None:
            if profiles.of(process_id).results is not None:
                missing.append({"agency_id": instance.agency_id, "instance_id": instance.id,
                                "process_id": process_id, "group": item.group,
                                "service_process": instance.service_process})
            continue
        per_agency.setdefault((instance.agency_id, found[0].code), [found, []])[1].append(item)
    return per_agency, missing


def recompute(ctx: Context, actor: Actor, fiscal_year: int, agency_ids: list[int] | None = None,
              now: datetime | None = None) -> int:
    """Score every agency of a fiscal year from its workflows; returns how many scores were written."""
    require(actor, CENTRAL, EVALUATOR, what="manage scores")
    agency_ids = _scope(actor, agency_ids)
    now = now or utcnow()
    written = 0
    with ctx.uow() as uow:
        s = uow.session
        per_agency, missing = _score_all(s, fiscal_year, agency_ids, now, ctx.settings.timezone)
        stmt = delete(KpiScore).where(KpiScore.fiscal_year == fiscal_year)
        if agency_ids is not None:
            stmt = stmt.where(KpiScore.agency_id.in_(agency_ids))
        s.execute(stmt)
        for (agency_id, code), ((scheme, version), items) in per_agency.items():
            try:
                result = calculator.score(scheme, _results(scheme, items))
            except calculator.ResultsInvalid as exc:
                result = {"error": str(exc), "score": "0", "processes": [], "indicators": []}
            result["evidence"] = sum(sum(i.evidence.values()) for i in items)
            result["corrections"] = {i.service_process: i.corrected for i in items if i.corrected}
            result["groups"] = {i.service_process: i.group for i in items}
            result["lateness"] = [dict(x, service_process=i.service_process) for i in items for x in i.lateness]
            result["penalty_so_far"] = penalty_so_far(scheme, result["lateness"])
            s.add(KpiScore(fiscal_year=fiscal_year, agency_id=agency_id, scheme_code=code, scheme_version=version,
                           score=Decimal(result["score"]), details=result, computed_at=now))
            written += 1
        audit.record(s, actor, "scores.recompute",
                     after={"fiscal_year": fiscal_year, "scores": written, "without_scheme": len(missing)})
        uow.commit()
    return written


def _year_code(text: str, from_fy: int, to_fy: int) -> str:
    return text.replace(str(from_fy), str(to_fy)) if str(from_fy) in text else f"{text}-{to_fy}"


def _scheme_key(scheme: schemes.Scheme, code: str) -> str:
    """What a scheme scores: its workflow and group, or (a scheme for no workflow) its code."""
    applies = scheme.data.get("applies_to")
    return f"{applies['process_id']}/{applies.get('group', '')}" if applies else code


def copy_schemes(ctx: Context, actor: Actor, from_fy: int, to_fy: int) -> list[str]:
    """Publish last year's schemes for a new fiscal year in one action (each as a new scheme whose
    code and title name the new year); schemes already published for that year are left alone."""
    require(actor, CENTRAL, EVALUATOR, what="manage scores")
    if not (2500 <= int(from_fy) <= 2700 and 2500 <= int(to_fy) <= 2700) or int(from_fy) == int(to_fy):
        raise InvalidInput("choose two different fiscal years (B.E.)", field="to_fy")
    with ctx.uow(write=False) as uow:
        source = latest_schemes(uow.session, int(from_fy))
        existing = {_scheme_key(sc, sc.code) for sc, _ in latest_schemes(uow.session, int(to_fy))}
    if not source:
        raise InvalidInput("there is no scheme for that fiscal year to copy", field="from_fy")
    created = []
    for scheme, _ in source:
        code = _year_code(scheme.code, from_fy, to_fy)[:64]
        if _scheme_key(scheme, code) in existing or code in existing:
            continue
        try:
            _check_owner(actor, scheme)
        except Forbidden:
            continue  # a department evaluator copies its own department's schemes only
        title = _year_code(scheme.title, from_fy, to_fy) if str(from_fy) in scheme.title else scheme.title
        data = dict(scheme.data, code=code, fiscal_year=int(to_fy), title=title,
                    source=f"{scheme.data.get('source', '')} (copied from {scheme.code})".strip())
        created.append(upload_scheme(ctx, actor, json.dumps(data, ensure_ascii=False, indent=2), f"{code}.json")[0])
    return created


def set_group(ctx: Context, actor: Actor, instance_id: int, group: str, reason: str) -> None:
    """The evaluator overrides the evaluation group of one workflow, with a reason (audited)."""
    require(actor, CENTRAL, EVALUATOR, what="manage scores")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    with ctx.uow() as uow:
        s = uow.session
        instance = s.get(Instance, instance_id)
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        allowed = [g.code for g in profiles.of_instance(s, instance).groups]
        if group not in allowed:
            raise InvalidInput("choose one of the process's groups", field="group", allowed=allowed)
        before = instance.evaluation_group
        instance.evaluation_group, instance.group_reason = group, reason
        audit.record(s, actor, "instance.group", agency_id=instance.agency_id, instance_id=instance.id,
                     before={"group": before}, after={"group": group}, comment=reason)
        agency_id, fiscal_year = instance.agency_id, instance.fiscal_year
        uow.commit()
    recompute(ctx, actor, fiscal_year, [agency_id])


def _correctable(s, instance: Instance) -> list[str]:
    """The indicator codes (and the result names they read) of the scheme that scores this workflow."""
    definition = s.get(ProcessDefinition, instance.definition_id)
    found = scheme_for(latest_schemes(s, instance.fiscal_year), definition.process_id,
                       instance.evaluation_group or "", instance.fiscal_year)
    if found is None:
        return []
    scheme = found[0]
    return sorted({i["code"] for i in scheme.indicators} | {i["source"] for i in scheme.indicators if i.get("source")})


def correct(ctx: Context, actor: Actor, instance_id: int, indicator: str, value, reason: str) -> None:
    """The central office corrects a result that feeds scoring (the reason is required and audited);
    the agency's scores for that fiscal year are computed again."""
    require(actor, CENTRAL, EVALUATOR, what="manage scores")
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
        if instance is None or not actor.can_see_agency(instance.agency_id):
            raise NotFound("instance not found")
        valid = _correctable(s, instance)
        if indicator not in valid:
            raise InvalidInput(f"unknown indicator {indicator!r}; the scheme has: {', '.join(valid) or '-'}",
                               field="indicator", valid=valid)
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
    missing: list[dict]          # scored workflows with no scheme published for the year


def scorecard(ctx: Context, actor: Actor, agency_id: int, fiscal_year: int, now: datetime | None = None) -> Scorecard:
    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        rows = s.scalars(select(KpiScore).where(KpiScore.agency_id == agency_id, KpiScore.fiscal_year == fiscal_year)
                         .order_by(KpiScore.scheme_code))
        scores = [dict(r.details, code=r.scheme_code, version=r.scheme_version, computed_at=r.computed_at)
                  for r in rows]
        candidates = latest_schemes(s, fiscal_year)
        instances, missing = [], []
        for inst, process_id in collect.instances_of_year(s, fiscal_year, [agency_id]):
            profile = profiles.of(process_id)
            item = collect.collect(s, inst, process_id, now, ctx.settings.timezone)
            found = scheme_for(candidates, process_id, item.group, fiscal_year)
            instances.append({"id": inst.id, "service_process": inst.service_process, "status": inst.status,
                              "group": item.group, "group_title": profile.group_title(item.group),
                              "group_reason": inst.group_reason, "groups": profile.groups,
                              "lateness": item.lateness,
                              "penalty_so_far": penalty_so_far(found[0] if found else None, item.lateness)})
            if found is None and profile.results is not None:
                missing.append({"service_process": inst.service_process, "process_id": process_id,
                                "group": item.group})
    return Scorecard(agency.id, agency.name, fiscal_year, scores, instances, missing)
