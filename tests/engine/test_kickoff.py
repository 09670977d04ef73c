"""Starting a fiscal year in one action: queued, run by the scheduler in batches, agencies already
started skipped, a failing agency counted without stopping the others, resumable after a crash."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine.errors import Forbidden, InvalidInput
from engine.models import Instance, KickoffJob, utcnow
from engine.services import instances, kickoff
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import START, deploy_all

SERVICE = "กระบวนงานที่จะยกระดับ"


def _running(ctx, fiscal_year=2569):
    with ctx.uow(write=False) as uow:
        return dict(uow.session.execute(select(Instance.agency_id, func.count()).where(
            Instance.fiscal_year == fiscal_year, Instance.status != "cancelled")
            .group_by(Instance.agency_id)).all())


def _job(ctx, job_id):
    with ctx.uow(write=False) as uow:
        job = uow.session.get(KickoffJob, job_id)
        uow.session.expunge(job)
        return job


@pytest.fixture
def deployed(world):
    deploy_all(world.ctx)
    return world


def test_every_agency_once_and_again_nothing(deployed):
    world, ctx = deployed, deployed.ctx
    central = world.actor("central")
    with time_machine.travel(START, tick=False):
        instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_b, "บริการที่เริ่มไว้แล้ว", 2569)
        job_id = kickoff.queue(ctx, central, "sla_lifecycle", 2569, SERVICE)
        assert kickoff.queue(ctx, central, "sla_lifecycle", 2569, SERVICE) == job_id  # one job, not two
        assert kickoff.run_queued(ctx) == [job_id]
    job = _job(ctx, job_id)
    assert (job.status, job.total, job.started, job.skipped, job.failed) == ("done", 4, 3, 1, 0)
    assert _running(ctx) == {world.agency_a: 1, world.agency_b: 1, world.unit_a: 1, world.unit_b: 1}
    with time_machine.travel(START, tick=False):
        again = kickoff.queue(ctx, central, "sla_lifecycle", 2569, SERVICE)
        kickoff.run_queued(ctx)
    assert again != job_id and (_job(ctx, again).started, _job(ctx, again).skipped) == (0, 4)
    assert kickoff.recent(ctx, central)[0].handled == 4


def test_a_failing_agency_is_counted_and_the_others_start(deployed, monkeypatch):
    world, ctx = deployed, deployed.ctx
    real = instances.start_in

    def start_in(s, ctx_, actor, definition, pv, agency, *args):
        if agency.id == world.unit_a:
            raise RuntimeError("the agency's data is broken")
        return real(s, ctx_, actor, definition, pv, agency, *args)

    monkeypatch.setattr(instances, "start_in", start_in)
    with time_machine.travel(START, tick=False):
        job_id = kickoff.queue(ctx, world.actor("central"), "sla_lifecycle", 2569, SERVICE)
        kickoff.run_queued(ctx)
    job = _job(ctx, job_id)
    assert (job.started, job.failed, job.status) == (3, 1, "done")
    assert f"agency {world.unit_a}" in job.last_error and "broken" in job.last_error
    assert world.unit_a not in _running(ctx)


def test_a_job_whose_scheduler_died_is_taken_up_from_its_cursor(deployed):
    world, ctx = deployed, deployed.ctx
    with time_machine.travel(START, tick=False):
        job_id = kickoff.queue(ctx, world.actor("central"), "sla_lifecycle", 2569, SERVICE)
        first_two = sorted([world.agency_a, world.agency_b, world.unit_a, world.unit_b])[:2]
        with ctx.uow() as uow:  # it was running, had done two agencies (their rows were lost with it), then died
            job = uow.session.get(KickoffJob, job_id)
            job.status, job.cursor, job.total, job.started = "running", first_two[-1], 4, 2
            job.heartbeat_at = utcnow() - timedelta(minutes=10)
            uow.commit()
        kickoff.run_queued(ctx)
    job = _job(ctx, job_id)
    assert (job.status, job.started) == ("done", 4)
    assert set(_running(ctx)) == {world.agency_a, world.agency_b, world.unit_a, world.unit_b} - set(first_two)


def test_who_may_start_a_year_and_what_is_refused(deployed):
    world, ctx = deployed, deployed.ctx
    with pytest.raises(Forbidden):
        kickoff.queue(ctx, world.actor("officer.a"), "sla_lifecycle", 2569, SERVICE)
    with pytest.raises(InvalidInput):
        kickoff.queue(ctx, world.actor("central"), "sla_lifecycle", 2026, SERVICE)
    with pytest.raises(InvalidInput):
        kickoff.queue(ctx, world.actor("central"), "sla_lifecycle", 2569, "  ")
    for where in ({"ministry": "ม" * 1000}, {"region": "ภาคที่ไม่มี"}):  # only what the agencies have
        with pytest.raises(InvalidInput):
            kickoff.queue(ctx, world.actor("central"), "sla_lifecycle", 2569, SERVICE, **where)
    # a department's evaluator starts its own subtree only
    with time_machine.travel(START, tick=False):
        kickoff.queue(ctx, world.actor("evaluator.a"), "sla_lifecycle", 2569, SERVICE)
        kickoff.run_queued(ctx)
    assert set(_running(ctx)) == {world.agency_a, world.unit_a}
