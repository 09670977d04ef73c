"""The ``slaflow`` console script: the engine's commands plus ``run`` for the web app."""
from __future__ import annotations

import click

from engine.cli import cli


@cli.command("run")
@click.option("--host", default=None, help="address to listen on (default SLAFLOW_HOST)")
@click.option("--port", default=None, type=int, help="port (default SLAFLOW_PORT)")
def run_cmd(host, port):
    """Serve the web app with waitress (production: several workers behind a proxy, see README)."""
    from waitress import serve

    from engine import logs
    from engine.config import Settings

    from . import create_app

    settings = Settings.from_env()
    logs.configure(settings.log_format, settings.log_level)
    app = create_app(settings)
    serve(app, host=host or settings.host, port=port or settings.port, threads=settings.web_threads)


def main():
    cli(obj={})


if __name__ == "__main__":
    main()
