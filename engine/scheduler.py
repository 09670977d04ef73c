"""The one scheduler process (``slaflow scheduler``): a short interval sweep of the deadline table.

Never started inside web workers. Firing is idempotent (engine.services.timers), so a restart or
a second scheduler by mistake does not fire anything twice.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from . import logs, mailer
from .context import Context
from .services import complaints, kickoff, recompute
from .services.timers import sweep

log = logging.getLogger(__name__)


def _tagged(name: str, job):
    """Every log line of one run of a job carries that run's id (like a web request's)."""

    def run():
        with logs.request_id(f"{name}-{logs.new_id()[:12]}"):
            job()

    run.__name__ = getattr(job, "__name__", name)
    return run


def make_scheduler(ctx: Context) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")

    def job():
        try:
            result = sweep(ctx)
            if result.fired:
                log.info("sweep fired %d timer(s)", result.fired)
        except Exception:  # the loop must survive a bad sweep; the failure is logged
            log.exception("sweep failed")

    def outbox():
        try:
            result = mailer.send_pending(ctx, base_url=ctx.settings.base_url)
            if result.sent or result.retried or result.failed:
                log.info("e-mail outbox: %s", result)
            others = mailer.send_mail_out(ctx)
            if others.sent or others.retried or others.failed:
                log.info("e-mail to complainants: %s", others)
            complaints.purge_personal(ctx)  # contact details past their retention period
        except Exception:  # never let the outbox stop the scheduler
            log.exception("e-mail outbox failed")

    def calendar_changes():
        try:
            recompute.run_queued(ctx)  # due dates moved after a calendar change, resumable
        except Exception:  # a failure is an incident per instance; the loop must survive anything else
            log.exception("recompute after a calendar change failed")

    def kickoffs():
        try:
            kickoff.run_queued(ctx)  # fiscal-year kick-offs, in batches, resumable
        except Exception:  # a failing agency is counted on its job; the loop must survive anything else
            log.exception("fiscal-year kick-off failed")

    every = ctx.settings.scheduler_interval
    for job_id, name, function in (("deadline-sweep", "sweep", job), ("mail-outbox", "outbox", outbox),
                                   ("calendar-recompute", "recompute", calendar_changes),
                                   ("fiscal-year-kickoff", "kickoff", kickoffs)):
        scheduler.add_job(_tagged(name, function), "interval", seconds=every, id=job_id, max_instances=1,
                          coalesce=True)
    return scheduler


def run(ctx: Context) -> None:
    scheduler = make_scheduler(ctx)
    recompute.run_queued(ctx)  # a calendar change left half done is finished before anything fires
    sweep(ctx)  # catch up at start: every missed deadline fires once, oldest first
    log.info("scheduler started; sweeping every %.0f s", ctx.settings.scheduler_interval)
    scheduler.start()
