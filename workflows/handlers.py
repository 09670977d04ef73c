"""The registry the engine reads (``SLAFLOW_HANDLERS``): service-task handlers, timer helpers, the
profiles of the shipped processes and the evaluators' reporting calendars.

A handler takes a copy of the task data and the evaluated parameters of the service task and
returns JSON-serializable data, stored under the task's result variable.
"""
from __future__ import annotations

from pathlib import Path

from . import calendar, profiles, reporting_calendars, sla

HANDLERS = {
    "sla_average_progress": sla.average_progress,
    "sla_mark_late": sla.mark_late,
    "sla_render_document": sla.render_document,
    "sla_carry_over": sla.carry_over,
    "sla_publish": sla.publish,
    "complaint_update": sla.complaint_update,
    "notify": sla.notify,
}

HELPERS = calendar.HELPERS

PROFILES = profiles.PROFILES

CALENDARS = reporting_calendars.CALENDARS

#: the satisfaction survey the evaluator starts from (seed 003 CS6)
SURVEY_TEMPLATE = Path(__file__).with_name("surveys") / "satisfaction.json"

#: the demo data (imported only by ``slaflow load-demo``)
DEMO = "workflows.demo"
