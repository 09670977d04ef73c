"""The demo a new user meets shows the whole product: agencies of most ministries at every stage of both
fiscal years, late and sent-back work, scores with a spread, a Best-practice unit, citizens' answers and
complaints (read through the central office's own view, as its page shows them)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from engine import context as context_mod
from engine.fiscal import fiscal_year_of
from engine.models import (
    Agency,
    Complaint,
    HumanTask,
    KickoffJob,
    PublicSla,
    PublicSlaVersion,
    Submission,
    SurveyResponse,
    User,
    utcnow,
)
from engine.services import accounts, central
from tests.conftest import _settings
from workflows.demo import BKK


def test_the_demo_shows_every_part_of_the_product(demo_home):
    ctx = context_mod.build(_settings(demo_home))
    try:
        fy = fiscal_year_of(utcnow().astimezone(BKK).date())
        with ctx.uow(write=False) as uow:
            s = uow.session
            agencies = s.scalars(select(Agency)).all()
            central_id = s.scalar(select(User.id).where(User.username == "central"))
            overdue = s.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.status == "open", HumanTask.due_at < utcnow()))
            sent_back = s.scalar(select(func.count()).select_from(Submission).where(
                Submission.data["decision"].as_string() == "send_back"))
            answers = s.scalar(select(func.count()).select_from(SurveyResponse))
            complaints = s.scalar(select(func.count()).select_from(Complaint))
            kickoffs = s.execute(select(KickoffJob.status, KickoffJob.started, KickoffJob.skipped)).all()
            published = s.execute(select(PublicSla.service_process, PublicSlaVersion.content).join(
                PublicSlaVersion, PublicSlaVersion.id == PublicSla.current_version_id)).all()
        units = Counter(a.parent_id for a in agencies if a.parent_id)
        assert len(agencies) >= 30 and len({a.ministry for a in agencies}) >= 15  # 34 of 16
        assert max(units.values()) >= 3  # a department with its provincial units
        assert overdue >= 5 and sent_back >= 5 and answers >= 50 and complaints >= 3
        assert [(status, started >= 1, skipped >= 1) for status, started, skipped in kickoffs] == [("done", True, True)]
        # every published SLA speaks of its own service: its name, and documents and steps of its own
        assert len(published) >= 15
        assert all([item["name"] for item in content["services"]] == [service] for service, content in published)
        assert len({tuple(d["name"] for d in content["documents"]) for _, content in published}) == len(published)
        assert len({tuple(step["name"] for step in content["steps"]) for _, content in published}) == len(published)
        assert len({(content["time"]["value"], content["time"]["unit"]) for _, content in published}) >= 8

        actor = accounts.load_session_user(ctx, central_id)[0]
        last, now = (central.overview(ctx, actor, central.Filters(fiscal_year=year)) for year in (fy - 1, fy))
        assert last.total_agencies == len(agencies) and len(last.agencies) == len(agencies)  # one page
        scores = [row["score"] for row in last.agencies if row["score"]]
        assert len(scores) >= 20 and max(scores) - min(scores) >= 2  # from excellent to poor
        assert sum(last.distribution) >= 20 and last.best_practice and last.standard
        assert last.overdue  # a 6-month report never sent

        where = Counter(stage for row in now.agencies for stage, cell in row["cells"].items() if cell == "current")
        for stage, _name in now.stages[:4]:  # select, stage 1, stage 4 and stage 2 all have someone in them
            assert where[stage] >= 1, (stage, where)
        done_last = Counter(stage for row in last.agencies for stage, cell in row["cells"].items() if cell == "done")
        assert all(done_last[stage] >= 5 for stage, _ in last.stages), done_last  # the whole lifecycle ran
    finally:
        ctx.close()
