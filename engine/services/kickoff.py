"""Starting a fiscal year: one action of the central office (or a department's evaluator, for its
units) starts a workflow of a process for every agency of a filtered set, run by the scheduler.

Queued in one transaction; the scheduler takes the job and starts the workflows in batches, one
transaction per batch, recording its progress (``cursor``, counts) with each batch. A job whose
scheduler died is taken up again from the last batch done. Agencies that already run the process
that fiscal year (under any service process name) are skipped, so queuing the same year twice, or
running a job twice, starts nothing twice. A batch that fails is done again agency by agency: the one
agency that fails is counted and named, the others start.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..actors import Actor, require
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..models import Agency, Instance, KickoffJob, ProcessDefinition, ProcessVersion, utcnow
from ..roles import CENTRAL, EVALUATOR
from . import instances, queued_jobs

log = logging.getLogger(__name__)
BATCH = 200


@dataclass(frozen=True)
class JobView:
    id: int
    process_id: str
    fiscal_year: int
    service_process: str
    ministry: str
    region: str
    status: str
    requested_at: datetime
    total: int
    started: int
    skipped: int
    failed: int
    last_error: str
    finished_at: datetime | None

    @property
    def handled(self) -> int:
        return self.started + self.skipped + self.failed


def queue(ctx: Context, actor: Actor, process_id: str, fiscal_year: int, service_process: str,
          ministry: str = "", region: str = "") -> int:
    """Queue a kick-off; the same one still waiting or running is returned instead of a second."""
    require(actor, CENTRAL, EVALUATOR, what="start a fiscal year")
    service_process = (service_process or "").strip()
    if not service_process or len(service_process) > 255:
        raise InvalidInput("service process name is required (at most 255 characters)", field="service_process")
    if not 2500 <= int(fiscal_year) <= 2700:
        raise InvalidInput("fiscal year must be a Buddhist Era year", field="fiscal_year")
    scope = sorted(actor.oversees) if actor.evaluates_units else None
    ministries, regions = choices(ctx, actor)
    if ministry and ministry not in ministries:
        raise InvalidInput("no agency of that ministry", field="ministry")
    if region and region not in regions:
        raise InvalidInput("no agency in that region", field="region")
    with ctx.uow() as uow:
        s = uow.session
        definition = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id))
        if definition is None:
            raise NotFound(f"process {process_id!r} is not deployed")
        same = s.scalar(select(KickoffJob.id).where(
            KickoffJob.process_id == process_id, KickoffJob.fiscal_year == int(fiscal_year),
            KickoffJob.ministry == ministry, KickoffJob.region == region, KickoffJob.status != "done"))
        if same is not None and scope is None:
            return same
        job = KickoffJob(process_id=process_id, fiscal_year=int(fiscal_year), service_process=service_process,
                         ministry=ministry, region=region, agency_ids=scope, requested_by_id=actor.user_id,
                         requested_at=utcnow(), status="queued", cursor=0, total=0, started=0, skipped=0, failed=0,
                         last_error="")
        s.add(job)
        from .. import audit

        s.flush()
        audit.record(s, actor, "kickoff.queue", after={"job": job.id, "process_id": process_id,
                                                       "fiscal_year": int(fiscal_year), "ministry": ministry,
                                                       "region": region, "service_process": service_process})
        uow.commit()
        return job.id


def _agencies(job: KickoffJob, after: int = 0):
    stmt = select(Agency).where(Agency.active.is_(True), Agency.id > after)
    if job.ministry:
        stmt = stmt.where(Agency.ministry == job.ministry)
    if job.region:
        stmt = stmt.where(Agency.region == job.region)
    if job.agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(job.agency_ids))
    return stmt


def run_queued(ctx: Context) -> list[int]:
    """Run every claimable job to its end; returns their ids. Called by the scheduler at each tick."""
    return queued_jobs.run_all(
        ctx, KickoffJob, lambda s, job: s.scalar(select(func.count()).select_from(_agencies(job).subquery())), _run)


def _run(ctx: Context, job: KickoffJob) -> None:
    actor = Actor.system("kickoff")
    while True:
        with ctx.uow(write=False) as uow:
            batch = [a.id for a in uow.session.scalars(_agencies(job, job.cursor).order_by(Agency.id).limit(BATCH))]
        if not batch:
            break
        try:
            with ctx.uow() as uow:
                counts = _start_batch(ctx, uow.session, job, actor, batch)
                _progress(uow.session, job, batch[-1], *counts)
                uow.commit()
        except Exception:  # noqa: BLE001 - the batch again, one agency at a time: a bad one blocks no other
            log.exception("kick-off job %s: batch after agency %s failed; going one by one", job.id, job.cursor)
            for agency_id in batch:
                _one(ctx, job, actor, agency_id)
        job.cursor = batch[-1]
    with ctx.uow() as uow:
        row = uow.session.get(KickoffJob, job.id)
        row.status, row.finished_at = "done", utcnow()
        uow.commit()


def _one(ctx: Context, job: KickoffJob, actor: Actor, agency_id: int) -> None:
    try:
        with ctx.uow() as uow:
            counts = _start_batch(ctx, uow.session, job, actor, [agency_id])
            _progress(uow.session, job, agency_id, *counts)
            uow.commit()
    except Exception as exc:  # noqa: BLE001 - counted and named on the job, the next agency goes on
        log.exception("kick-off job %s: agency %s failed", job.id, agency_id)
        with ctx.uow() as uow:
            _progress(uow.session, job, agency_id, 0, 0, 1, f"agency {agency_id}: {type(exc).__name__}: {exc}")
            uow.commit()


def _start_batch(ctx: Context, s: Session, job: KickoffJob, actor: Actor, agency_ids: list[int]) -> tuple[int, int]:
    definition = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == job.process_id))
    pv = s.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition.id,
                                               ProcessVersion.version == definition.latest_version))
    running = set(s.scalars(select(Instance.agency_id).where(
        Instance.definition_id == definition.id, Instance.fiscal_year == job.fiscal_year,
        Instance.status != "cancelled", Instance.agency_id.in_(agency_ids))))
    started = 0
    now = utcnow()
    for agency in s.scalars(select(Agency).where(Agency.id.in_(agency_ids)).order_by(Agency.id)):
        if agency.id in running:
            continue
        instances.start_in(s, ctx, actor, definition, pv, agency, job.service_process, job.fiscal_year, None, now)
        started += 1
    return started, len(agency_ids) - started


def _progress(s: Session, job: KickoffJob, cursor: int, started: int, skipped: int, failed: int = 0,
              error: str = "") -> None:
    row = s.get(KickoffJob, job.id)
    row.cursor, row.heartbeat_at = cursor, utcnow()
    row.started += started
    row.skipped += skipped
    row.failed += failed
    if error:
        row.last_error = error[:2000]


def recent(ctx: Context, actor: Actor, limit: int = 10) -> list[JobView]:
    require(actor, CENTRAL, EVALUATOR, what="see the kick-offs")
    with ctx.uow(write=False) as uow:
        stmt = select(KickoffJob).order_by(KickoffJob.id.desc()).limit(limit)
        if actor.evaluates_units:
            stmt = stmt.where(KickoffJob.requested_by_id == actor.user_id)
        return [JobView(j.id, j.process_id, j.fiscal_year, j.service_process, j.ministry, j.region, j.status,
                        j.requested_at, j.total, j.started, j.skipped, j.failed, j.last_error, j.finished_at)
                for j in uow.session.scalars(stmt)]


def processes(ctx: Context, actor: Actor) -> list[tuple[str, str]]:
    """The deployed processes a year can be started with: (process id, name), the main one first."""
    require(actor, CENTRAL, EVALUATOR, what="start a fiscal year")
    from .. import profiles

    main = profiles.main()
    with ctx.uow(write=False) as uow:
        rows = [(d.process_id, d.name) for d in uow.session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.latest_version > 0).order_by(ProcessDefinition.name))]
    return sorted(rows, key=lambda r: (not main or r[0] != main.process_id, r[1]))


def choices(ctx: Context, actor: Actor) -> tuple[list[str], list[str]]:
    """The ministries and regions a kick-off can be limited to (within an evaluator's subtree)."""
    require(actor, CENTRAL, EVALUATOR, what="start a fiscal year")
    with ctx.uow(write=False) as uow:
        s = uow.session
        scope = [Agency.active.is_(True)]
        if actor.evaluates_units:
            scope.append(Agency.id.in_(sorted(actor.oversees)))
        ministries = sorted({m for (m,) in s.execute(select(Agency.ministry).where(*scope).distinct()) if m})
        regions = sorted({r for (r,) in s.execute(select(Agency.region).where(*scope).distinct()) if r})
    return ministries, regions
