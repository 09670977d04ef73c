"""Template filters: Buddhist Era dates in the configured time zone, in the page's language; quantities."""
from __future__ import annotations

from engine.thaidate import be_date, be_month, plain_number

from .context import ui_lang


def register(app) -> None:
    tz = app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Bangkok")

    def _filter(value, with_time=False):
        return be_date(value, tz, ui_lang(), with_time=with_time)

    app.jinja_env.filters["be_date"] = _filter
    app.jinja_env.filters["be_month"] = lambda value: be_month(value, ui_lang())
    app.jinja_env.filters["num"] = plain_number
    app.jinja_env.filters["workflow_status"] = workflow_status


def workflow_status(status: str) -> str:
    """A workflow's status as people read it (never the stored word)."""
    from flask_babel import gettext as _

    return {"running": _("In progress"), "completed": _("Completed"), "cancelled": _("Cancelled"),
            "stalled": _("Stalled: an operator has been alerted")}.get(status, status)
