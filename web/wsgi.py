"""The production WSGI entry: ``waitress-serve --port=5001 web.wsgi:app`` or any WSGI server
(``gunicorn -w 4 web.wsgi:app``). Settings come from the ``SLAFLOW_*`` variables; logs are set up as
they say (``SLAFLOW_LOG_FORMAT=json`` for collectors)."""
from __future__ import annotations

from engine import logs
from engine.config import Settings

from .app import create_app

_settings = Settings.from_env()
logs.configure(_settings.log_format, _settings.log_level)
app = create_app(_settings)
