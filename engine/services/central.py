"""The central office's view of every agency: stage heat map, late and at-risk work, score
distribution, rankings, Standard / Best practice; the evidence pack and the Excel export."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from lxml import etree
from sqlalchemy import case, func, select
from sqlalchemy.orm import defer

from .. import calendar_context, profiles
from ..actors import Actor, require
from ..bpmn.lint import NS
from ..context import Context
from ..errors import NotFound
from ..files import path_of
from ..models import (
    Agency,
    Document,
    HumanTask,
    Instance,
    KpiScore,
    ProcessDefinition,
    ProcessVersion,
    ServiceMonth,
    StageSummary,
    StoredFile,
    Submission,
    utcnow,
)
from ..roles import CENTRAL, EVALUATOR
from ..scoring import calculator, collect
from ..sheets import inert_field
from . import stage_summary
from .records import fiscal_months
from .scoring import latest_schemes, penalty_so_far, scheme_for

PAGE = 50
AT_RISK_WORKING_DAYS = 3


@dataclass(frozen=True)
class Filters:
    fiscal_year: int
    ministry: str = ""
    region: str = ""
    group: str = ""
    page: int = 1


@dataclass
class Overview:
    filters: Filters
    stages: list[tuple[str, str]]                       # (bpmn id, name) in diagram order
    heat: list[dict]                                    # per ministry: counts per stage
    agencies: list[dict]                                # one page of agencies with their stage cells
    total_agencies: int
    overdue: list[dict] = field(default_factory=list)
    at_risk: list[dict] = field(default_factory=list)
    distribution: list[int] = field(default_factory=list)   # agencies per score band 0-1 .. 4-5
    top: list[dict] = field(default_factory=list)
    bottom: list[dict] = field(default_factory=list)
    standard: list[dict] = field(default_factory=list)
    best_practice: list[dict] = field(default_factory=list)
    ministries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)  # the main process's evaluation groups
    schemes: list[str] = field(default_factory=list)    # schemes published for the fiscal year


def main_process_id() -> str:
    main = profiles.main()
    return main.process_id if main else ""


def stages_of(s, process_id: str | None = None) -> list[tuple[str, str]]:
    """The stages of a process: the elements its profile names (else every user task and call
    activity of the top process), in the order of its file, with their names."""
    process_id = process_id or main_process_id()
    definition = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id))
    if definition is None:
        return []
    version = s.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition.id,
                                                    ProcessVersion.version == definition.latest_version))
    wanted = set(profiles.of(process_id).stages)
    for xml in version.sources.values():
        root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
        process = root.find(f".//bpmn:process[@id='{process_id}']", NS)
        if process is not None:
            return [(el.get("id"), el.get("name") or el.get("id")) for el in process
                    if etree.QName(el).localname in ("userTask", "callActivity")
                    and (not wanted or el.get("id") in wanted)]
    return []


def overview(ctx: Context, actor: Actor, f: Filters, now: datetime | None = None) -> Overview:
    """Everything is counted, ranked and paged in the database: the cost does not grow with the number
    of agencies beyond what the aggregates scan (the heat map reads the stage summary, not workflows)."""
    require(actor, CENTRAL, EVALUATOR, what="see the agencies")
    now = now or utcnow()
    main = profiles.main()
    main_id = main.process_id if main else ""
    with ctx.uow(write=False) as uow:
        s = uow.session
        stages = stages_of(s, main_id)
        definition_id = s.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == main_id))
        shown = _agency_filter(actor, f, definition_id)
        total = s.scalar(select(func.count()).select_from(Agency).where(*shown))
        page = max(1, f.page)
        page_agencies = list(s.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.ministry, Agency.region).where(*shown)
            .order_by(Agency.ministry, Agency.name, Agency.id).limit(PAGE).offset((page - 1) * PAGE)))
        page_ids = [a.id for a in page_agencies]
        heat = _heat(s, shown, stages, f.fiscal_year, definition_id)
        mean = _mean_scores(f.fiscal_year)
        ranked = select(Agency.id, Agency.name, Agency.ministry, mean.c.m).join(mean, mean.c.agency_id == Agency.id) \
            .where(*shown)
        top = [_item(r, value=r.m) for r in s.execute(ranked.order_by(mean.c.m.desc(), Agency.name).limit(10))]
        bottom = [_item(r, value=r.m) for r in s.execute(ranked.order_by(mean.c.m, Agency.name.desc()).limit(10))]
        band = case((mean.c.m >= 4, 4), (mean.c.m >= 3, 3), (mean.c.m >= 2, 2), (mean.c.m >= 1, 1), else_=0)
        distribution = [0, 0, 0, 0, 0]
        for b, n in s.execute(select(band, func.count()).select_from(mean).join(Agency, Agency.id == mean.c.agency_id)
                              .where(*shown).group_by(band)):
            distribution[int(b)] = n
        late_q = select(HumanTask.agency_id, func.count().label("n")).where(HumanTask.status == "open",
                                                                           HumanTask.due_at < now)
        cal = calendar_context.for_session(s, ctx.settings.timezone)
        horizon_day = cal.calendar.add_working_days(now.astimezone(cal.tz).date(), AT_RISK_WORKING_DAYS)
        horizon = datetime.combine(horizon_day, datetime.max.time(), cal.tz)
        risk_q = select(HumanTask.agency_id, func.count().label("n")).where(
            HumanTask.status == "open", HumanTask.due_at >= now, HumanTask.due_at <= horizon)
        overdue = _most(s, late_q, shown)
        at_risk = _most(s, risk_q, shown)
        late_of_page = dict(s.execute(late_q.where(HumanTask.agency_id.in_(page_ids))
                                      .group_by(HumanTask.agency_id)).all())
        if actor.evaluates_units:
            ministries = sorted({m for (m,) in s.execute(select(Agency.ministry).where(*shown).distinct()) if m})
            regions = sorted({r for (r,) in s.execute(select(Agency.region).where(*shown).distinct()) if r})
        else:
            ministries = sorted({m for (m,) in s.execute(select(Agency.ministry).distinct()) if m})
            regions = sorted({r for (r,) in s.execute(select(Agency.region).distinct()) if r})
        years = sorted(set(s.scalars(select(Instance.fiscal_year).distinct())), reverse=True)
        published = latest_schemes(s, f.fiscal_year)
        classes = _classified(s, shown, f.fiscal_year, published)
        # the page's agencies only: their workflows (without their state), scores, lateness, service figures
        main_rows = s.execute(
            select(Instance, ProcessDefinition.process_id).options(defer(Instance.state))
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .where(Instance.fiscal_year == f.fiscal_year, Instance.definition_id == definition_id,
                   Instance.status != "cancelled", Instance.agency_id.in_(page_ids))).all()
        instances_of: dict[int, list] = defaultdict(list)
        for inst, pid in main_rows:
            instances_of[inst.agency_id].append((inst, pid))
        cells = defaultdict(dict)
        for row in s.execute(select(StageSummary.agency_id, StageSummary.stage_id, StageSummary.state).where(
                StageSummary.fiscal_year == f.fiscal_year, StageSummary.definition_id == definition_id,
                StageSummary.agency_id.in_(page_ids))):
            cells[row.agency_id][row.stage_id] = "current" if row.state == stage_summary.CURRENT else "done"
        page_scores = defaultdict(list)
        for agency_id, score in s.execute(select(KpiScore.agency_id, KpiScore.score).where(
                KpiScore.fiscal_year == f.fiscal_year, KpiScore.agency_id.in_(page_ids))):
            page_scores[agency_id].append(score)
        lateness = collect.lateness_for(s, [row for rows in instances_of.values() for row in rows],
                                        now, ctx.settings.timezone)
        within = _within_of(s, page_ids, f.fiscal_year)

    rows = []
    for a in page_agencies:
        items = [x for inst, _ in instances_of.get(a.id, []) for x in lateness.get(inst.id, [])]
        group_codes = sorted({inst.evaluation_group for inst, _ in instances_of.get(a.id, []) if inst.evaluation_group})
        rows.append({"id": a.id, "code": a.code, "name": a.name, "ministry": a.ministry, "region": a.region,
                     "cells": {sid: cells[a.id].get(sid, "todo") for sid, _ in stages},
                     "stage_late": _stage_late(items), "late": late_of_page.get(a.id, 0),
                     "score": _mean(page_scores.get(a.id)),
                     "group": ", ".join(main.group_title(g, short=True) for g in group_codes) if main else "",
                     "groups": group_codes, "penalty": _penalty(published, main_id, f.fiscal_year, group_codes, items),
                     "within": within.get(a.id)})
    return Overview(
        filters=f, stages=stages, heat=heat, agencies=rows, total_agencies=total, overdue=overdue, at_risk=at_risk,
        distribution=distribution, top=top, bottom=bottom, standard=classes["standard"],
        best_practice=classes["best_practice"], ministries=ministries, regions=regions, years=years,
        groups=[(g.code, g.title) for g in main.groups] if main else [], schemes=[sc.code for sc, _ in published])


def _agency_filter(actor: Actor, f: Filters, definition_id: int | None) -> list:
    """The conditions on ``Agency`` of the agencies the actor sees with these filters."""
    shown = [Agency.active.is_(True)]
    if f.ministry:
        shown.append(Agency.ministry == f.ministry)
    if f.region:
        shown.append(Agency.region == f.region)
    if actor.evaluates_units:  # a department evaluator sees its own subtree only
        shown.append(Agency.id.in_(sorted(actor.oversees)))
    if f.group:
        shown.append(Agency.id.in_(select(Instance.agency_id).where(
            Instance.fiscal_year == f.fiscal_year, Instance.definition_id == definition_id,
            Instance.status != "cancelled", Instance.evaluation_group == f.group)))
    return shown


def _heat(s, shown: list, stages, fiscal_year: int, definition_id: int | None) -> list[dict]:
    """Per ministry: agencies, and per stage how many are done / current (the rest to do), in two
    aggregate queries."""
    sizes = dict(s.execute(select(func.coalesce(Agency.ministry, ""), func.count()).where(*shown)
                           .group_by(func.coalesce(Agency.ministry, ""))).all())
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for ministry, stage_id, state, n in s.execute(
            select(func.coalesce(Agency.ministry, ""), StageSummary.stage_id, StageSummary.state, func.count())
            .join(Agency, Agency.id == StageSummary.agency_id)
            .where(StageSummary.fiscal_year == fiscal_year, StageSummary.definition_id == definition_id, *shown)
            .group_by(func.coalesce(Agency.ministry, ""), StageSummary.stage_id, StageSummary.state)):
        counts[ministry][stage_id]["current" if state == stage_summary.CURRENT else "done"] += n
    heat = []
    for ministry in sorted(sizes, key=lambda m: m or "-"):
        cells = {}
        for sid, _ in stages:
            c = counts[ministry][sid]
            todo = sizes[ministry] - c["done"] - c["current"]
            cells[sid] = {k: v for k, v in (("done", c["done"]), ("current", c["current"]), ("todo", todo)) if v}
        heat.append({"ministry": ministry or "-", "agencies": sizes[ministry], "cells": cells})
    return heat


def _mean_scores(fiscal_year: int):
    """Each agency's mean score of the year (the mean over its schemes), as a subquery."""
    return select(KpiScore.agency_id, func.avg(KpiScore.score).label("m")).where(
        KpiScore.fiscal_year == fiscal_year).group_by(KpiScore.agency_id).subquery()


def _item(row, value=None, count=None) -> dict:
    if value is not None:
        value = Decimal(str(value)).quantize(Decimal("0.0001"))
    return {"id": row.id, "name": row.name, "ministry": row.ministry, "score": value, "count": count}


def _most(s, counted, shown: list, limit: int = 50) -> list[dict]:
    """The agencies with the most of ``counted`` (agency_id, n), highest first."""
    sub = counted.group_by(HumanTask.agency_id).subquery()
    return [_item(r, count=r.n) for r in s.execute(
        select(Agency.id, Agency.name, Agency.ministry, sub.c.n).join(sub, sub.c.agency_id == Agency.id)
        .where(*shown).order_by(sub.c.n.desc(), Agency.name).limit(limit))]


def _classified(s, shown: list, fiscal_year: int, published) -> dict[str, list[dict]]:
    """Standard and Best practice: the scores of schemes that classify (the seed-002 service standard)."""
    out: dict[str, list[dict]] = {"standard": [], "best_practice": []}
    codes = [sc.code for sc, _ in published if sc.data.get("classification")]
    if not codes:
        return out
    rows = s.execute(select(Agency.id, Agency.name, Agency.ministry, KpiScore.details, KpiScore.score)
                     .join(KpiScore, KpiScore.agency_id == Agency.id)
                     .where(KpiScore.fiscal_year == fiscal_year, KpiScore.scheme_code.in_(codes), *shown)
                     .order_by(Agency.name))
    for row in rows:
        cls = (row.details or {}).get("classification") or {}
        if cls.get("code") in out:
            out[cls["code"]].append(_item(row, value=row.score))
    return out


def _within_of(s, agency_ids: list[int], fiscal_year: int) -> dict[int, str]:
    """% of requests completed within the SLA time in the fiscal year, per agency (from the monthly
    figures: one grouped read for a page of agencies)."""
    if not agency_ids:
        return {}
    first, last = fiscal_months(fiscal_year)
    rows = s.execute(select(ServiceMonth.agency_id, func.sum(ServiceMonth.within_sla), func.sum(ServiceMonth.measured))
                     .where(ServiceMonth.agency_id.in_(agency_ids), ServiceMonth.month >= first,
                            ServiceMonth.month <= last).group_by(ServiceMonth.agency_id))
    return {a: str((Decimal(int(w)) * 100 / int(m)).quantize(Decimal("0.01"))) for a, w, m in rows if m}


def _stage_late(items: list[dict]) -> dict[str, int]:
    """Per stage, the most days late of its work that is overdue and not yet sent."""
    out: dict[str, int] = {}
    for x in items:
        if x["state"] == "overdue" and x.get("stage"):
            out[x["stage"]] = max(out.get(x["stage"], 0), x["days_late"])
    return out


def _penalty(published, process_id: str, fiscal_year: int, groups: list[str], items: list[dict]) -> dict | None:
    found = next((x for g in groups if (x := scheme_for(published, process_id, g, fiscal_year))), None)
    return penalty_so_far(found[0] if found else None, items)


def _mean(values) -> Decimal | None:
    """The mean of an agency's scores, or None when it has none yet (not scored is not a score of 0)."""
    if not values:
        return None
    return calculator.q4(sum(values, Decimal(0)) / len(values))


def evidence_pack(ctx: Context, actor: Actor, agency_id: int, fiscal_year: int) -> tuple[str, bytes]:
    """A ZIP of an agency's evidence for a fiscal year: files per task and the documents produced."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        agency = s.get(Agency, agency_id)
        if agency is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        instances = list(s.scalars(select(Instance).where(Instance.agency_id == agency_id,
                                                          Instance.fiscal_year == fiscal_year)))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            manifest = ["ไฟล์หลักฐาน\tงาน\tกระบวนงาน"]
            for inst in instances:
                folder = _clean(inst.service_process)
                names = {t.id: t.name for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id))}
                refs = {}
                for sub in s.scalars(select(Submission).where(Submission.instance_id == inst.id)):
                    for file_id in _file_ids(sub.data):
                        refs[file_id] = names.get(sub.task_id, sub.bpmn_id)
                for f in s.scalars(select(StoredFile).where(StoredFile.instance_id == inst.id)):
                    if f.id not in refs:
                        continue  # uploaded but never submitted: not evidence
                    path = path_of(ctx.settings.upload_dir, f.storage_name)
                    if path.is_file():
                        arc = f"{folder}/{_clean(refs[f.id])}/{f.id}-{_clean(f.original_name)}"
                        zf.write(path, arc)
                        manifest.append("\t".join(inert_field(v) for v in (arc, refs[f.id], inst.service_process)))
                for doc in s.scalars(select(Document).where(Document.instance_id == inst.id)):
                    zf.writestr(f"{folder}/เอกสาร/{doc.id}-{_clean(doc.title)}.html", doc.body)
            zf.writestr("รายการหลักฐาน.tsv", "\n".join(manifest) + "\n")
    return f"evidence-{agency.code}-{fiscal_year}.zip", buffer.getvalue()


def _file_ids(data) -> list[int]:
    found = []
    if isinstance(data, dict):
        if isinstance(data.get("file_id"), int):
            found.append(data["file_id"])
        for k, v in data.items():
            if k != "file_id":
                found += _file_ids(v)
    elif isinstance(data, list):
        for v in data:
            found += _file_ids(v)
    return found


def _clean(name: str) -> str:
    # letters, marks (Thai vowels and tone marks), digits: nothing that means something to a file system
    cleaned = "".join(ch for ch in (name or "") if unicodedata.category(ch)[0] in "LMN" or ch in " ._-()")
    return cleaned.strip()[:80] or "ไม่มีชื่อ"

