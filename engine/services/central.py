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
from sqlalchemy import func, select

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
    StoredFile,
    Submission,
    utcnow,
)
from ..roles import CENTRAL, EVALUATOR
from ..scoring import calculator, collect
from ..sheets import inert_field
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
    require(actor, CENTRAL, EVALUATOR, what="see the agencies")
    now = now or utcnow()
    main = profiles.main()
    main_id = main.process_id if main else ""
    with ctx.uow(write=False) as uow:
        s = uow.session
        stages = stages_of(s, main_id)
        agencies_q = select(Agency.id, Agency.code, Agency.name, Agency.ministry, Agency.region).where(
            Agency.active.is_(True))
        if f.ministry:
            agencies_q = agencies_q.where(Agency.ministry == f.ministry)
        if f.region:
            agencies_q = agencies_q.where(Agency.region == f.region)
        if actor.evaluates_units:  # a department evaluator sees its own subtree only
            agencies_q = agencies_q.where(Agency.id.in_(sorted(actor.oversees)))
        agencies = {a.id: a for a in s.execute(agencies_q)}
        scores = defaultdict(list)
        classes: dict[int, dict] = {}
        for row in s.execute(select(KpiScore.agency_id, KpiScore.scheme_code, KpiScore.score, KpiScore.details)
                             .where(KpiScore.fiscal_year == f.fiscal_year)):
            scores[row.agency_id].append(row.score)
            cls = (row.details or {}).get("classification") or {}
            if cls.get("code"):  # only schemes that classify (the seed-002 service standard) do
                classes[row.agency_id] = cls
        main_rows = s.execute(
            select(Instance, ProcessDefinition.process_id)
            .join(ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            .where(Instance.fiscal_year == f.fiscal_year, ProcessDefinition.process_id == main_id,
                   Instance.status != "cancelled")).all()
        groups: dict[int, set] = defaultdict(set)
        progress: dict[int, dict] = {}
        instances_of: dict[int, list] = defaultdict(list)
        for inst, pid in main_rows:
            if inst.agency_id not in agencies:
                continue
            instances_of[inst.agency_id].append((inst, pid))
            if inst.evaluation_group:
                groups[inst.agency_id].add(inst.evaluation_group)
            merged = progress.setdefault(inst.agency_id, {})
            for key, state in (inst.progress or {}).items():  # several processes: "current" wins over "done"
                merged[key] = "current" if "current" in (state, merged.get(key)) else state
        if f.group:
            agencies = {i: a for i, a in agencies.items() if f.group in groups.get(i, ())}
        late = dict(s.execute(select(HumanTask.agency_id, func.count()).where(
            HumanTask.status == "open", HumanTask.due_at < now).group_by(HumanTask.agency_id)).all())
        cal = calendar_context.for_session(s, ctx.settings.timezone)
        horizon_day = cal.calendar.add_working_days(now.astimezone(cal.tz).date(), AT_RISK_WORKING_DAYS)
        horizon = datetime.combine(horizon_day, datetime.max.time(), cal.tz)
        risk = dict(s.execute(select(HumanTask.agency_id, func.count()).where(
            HumanTask.status == "open", HumanTask.due_at >= now, HumanTask.due_at <= horizon)
            .group_by(HumanTask.agency_id)).all())
        ministries = sorted({a.ministry for a in agencies.values() if a.ministry}) if actor.evaluates_units else \
            sorted({m for (m,) in s.execute(select(Agency.ministry).distinct()) if m})
        regions = sorted({a.region for a in agencies.values() if a.region}) if actor.evaluates_units else \
            sorted({r for (r,) in s.execute(select(Agency.region).distinct()) if r})
        years = sorted(set(s.scalars(select(Instance.fiscal_year).distinct())), reverse=True)
        published = latest_schemes(s, f.fiscal_year)
        ordered = sorted(agencies.values(), key=lambda a: (a.ministry, a.name))
        page = max(1, f.page)
        page_agencies = ordered[(page - 1) * PAGE: page * PAGE]
        lateness = collect.lateness_for(s, [row for a in page_agencies for row in instances_of.get(a.id, [])],
                                        now, ctx.settings.timezone)
        within = _within_of(s, [a.id for a in page_agencies], f.fiscal_year)

    heat_counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for agency_id, agency in agencies.items():
        prog = progress.get(agency_id, {})
        for stage_id, _ in stages:
            heat_counts[agency.ministry or "-"][stage_id][prog.get(stage_id, "todo")] += 1
    heat = [{"ministry": m, "agencies": sum(1 for a in agencies.values() if (a.ministry or "-") == m),
             "cells": {sid: dict(heat_counts[m][sid]) for sid, _ in stages}} for m in sorted(heat_counts)]
    rows = []
    for a in page_agencies:
        items = [x for inst, _ in instances_of.get(a.id, []) for x in lateness.get(inst.id, [])]
        group_codes = sorted(groups.get(a.id, ()))
        rows.append({"id": a.id, "code": a.code, "name": a.name, "ministry": a.ministry, "region": a.region,
                     "cells": {sid: progress.get(a.id, {}).get(sid, "todo") for sid, _ in stages},
                     "stage_late": _stage_late(items), "late": late.get(a.id, 0), "score": _mean(scores.get(a.id)),
                     "group": ", ".join(main.group_title(g, short=True) for g in group_codes) if main else "",
                     "groups": group_codes, "penalty": _penalty(published, main_id, f.fiscal_year, group_codes, items),
                     "within": within.get(a.id)})
    named = {i: a for i, a in agencies.items()}
    ranked = sorted(((i, _mean(v)) for i, v in scores.items() if i in named), key=lambda x: (-x[1], named[x[0]].name))
    band = [0, 0, 0, 0, 0]
    for _, value in ranked:
        band[min(int(value), 4)] += 1

    def item(agency_id, value=None, count=None):
        a = named[agency_id]
        return {"id": a.id, "name": a.name, "ministry": a.ministry, "score": value, "count": count}

    classified = {"standard": [], "best_practice": []}
    for agency_id, cls in classes.items():
        if agency_id in named and cls["code"] in classified:
            classified[cls["code"]].append(item(agency_id, _mean(scores.get(agency_id))))
    return Overview(
        filters=f, stages=stages, heat=heat, agencies=rows, total_agencies=len(agencies),
        overdue=[item(i, count=n) for i, n in sorted(late.items(), key=lambda x: -x[1]) if i in named][:50],
        at_risk=[item(i, count=n) for i, n in sorted(risk.items(), key=lambda x: -x[1]) if i in named][:50],
        distribution=band, top=[item(i, v) for i, v in ranked[:10]], bottom=[item(i, v) for i, v in ranked[-10:][::-1]],
        standard=classified["standard"], best_practice=classified["best_practice"], ministries=ministries,
        regions=regions, years=years, groups=[(g.code, g.title) for g in main.groups] if main else [],
        schemes=[sc.code for sc, _ in published])


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


def _mean(values) -> Decimal:
    if not values:
        return Decimal("0.0000")
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

