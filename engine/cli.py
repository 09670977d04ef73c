"""Engine commands of the ``slaflow`` CLI (the web command is added by web.cli)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import SlaflowError


@click.group()
@click.option("--lang", type=click.Choice(["th", "en"]), default=None, help="language of messages (default: th)")
@click.pass_context
def cli(click_ctx, lang):
    """slaflow: the SLA lifecycle of Thai public agencies."""
    click_ctx.ensure_object(dict)
    click_ctx.obj["lang"] = lang


def _ctx():
    from . import context as context_mod

    return context_mod.build()


def _lang(click_ctx) -> str:
    from .config import Settings

    return click_ctx.obj.get("lang") or Settings.from_env().language


@cli.command("init-db")
def init_db():
    """Create the database or migrate it to the newest schema."""
    from . import migrate
    from .services import scoring

    ctx = _ctx()
    migrate.upgrade(ctx.db)
    scoring.install_shipped(ctx)
    click.echo(f"database ready at revision {migrate.current_revision(ctx.db)}")
    if ctx.settings.db_app_role:
        _grant(ctx, ctx.settings.db_app_role)


@cli.group()
def db():
    """The database itself."""


@cli.group()
def token():
    """API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", required=True, help="what will use the token")
@click.option("--scopes", default="read", show_default=True, help="comma-separated: read, work, records")
@click.option("--days", default=90, show_default=True, type=int)
def token_create(username, name, scopes, days):
    """Create an API token for USERNAME (a person or a service account) and print it, once."""
    from .services import api_tokens

    try:
        value = api_tokens.create_for_user(_ctx(), username, name, [s.strip() for s in scopes.split(",")], days)
    except SlaflowError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(value)


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(target):
    """Write the database and the uploaded evidence, consistent, to TARGET (.tar.gz)."""
    from . import backup
    from .config import Settings

    try:
        done = backup.backup(Settings.from_env(), target)
    except backup.BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{done.path}: {done.dialect} at revision {done.revision}, {done.files} evidence files "
               f"({done.bytes:,} bytes)")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="overwrite a database that already holds data")
def restore_cmd(source, replace):
    """Restore the database and the evidence from a backup made by ``slaflow backup`` (stop the web
    workers and the scheduler first)."""
    from . import backup
    from .config import Settings

    try:
        done = backup.restore(Settings.from_env(), source, replace)
    except backup.BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"restored {done.dialect} backup (revision {done.revision}) with {done.files} evidence files")


@db.command("grant-app-role")
@click.argument("role")
def db_grant_app_role(role):
    """Grant ROLE (PostgreSQL) what the web and the scheduler need: audit events only INSERT and SELECT."""
    _grant(_ctx(), role)


def _grant(ctx, role: str) -> None:
    from .db_roles import RoleError, grant_app_role

    try:
        statements = grant_app_role(ctx.db, role)
    except RoleError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"role {role}: {len(statements)} grants; audit_event may only be read and appended to")


@cli.command("load-demo")
def load_demo():
    """Load demo agencies, users and workflows into a database that has no users yet."""
    from . import context as context_mod
    from . import migrate

    ctx = _ctx()
    migrate.upgrade(ctx.db)
    demo = context_mod.load_demo(ctx.settings.handlers_module)
    if demo is None:
        click.echo(f"{ctx.settings.handlers_module} has no demo data", err=True)
        sys.exit(1)
    logins = demo.load(ctx)
    if not logins:
        click.echo("database already has data; demo not loaded")
        return
    click.echo(f"demo data loaded. logins (password for all: {demo.DEMO_PASSWORD}):")
    for username, _ in logins:
        click.echo(f"  {username}")


@cli.group()
def bpmn():
    """Work with BPMN files."""


def _register_import() -> None:
    from .cli_import import register

    register(bpmn, _lang)


_register_import()


@bpmn.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the problems as JSON")
@click.pass_context
def bpmn_check(click_ctx, files, as_json):
    """Check BPMN FILES: "executable", or the problems by element. Exit 1 if any file has errors."""
    from .bpmn.bundle import check_deployable
    from .glue import load_glue

    lang = _lang(click_ctx)
    from .config import Settings

    settings = Settings.from_env()
    handlers, helpers = load_glue(settings.handlers_module)
    from .bpmn.lint import LintContext

    lint_ctx = LintContext(forms_dir=settings.forms_dir, handler_names=tuple(handlers), timer_helpers=helpers)
    data = {}
    unreadable = {}
    for path in files:  # every file, however many
        try:
            data[str(path)] = path.read_bytes()
        except OSError as exc:
            unreadable[str(path)] = exc.strerror or str(exc)
    results = check_deployable(data, lint_ctx, settings.bpmn_max_bytes)
    failed = bool(unreadable)
    report = {}
    for name, problems in results.items():
        errors = [p for p in problems if p.severity == "error"]
        failed = failed or bool(errors)
        report[name] = [p.to_dict(lang) for p in problems]
        if as_json:
            continue
        if not errors:
            click.echo(f"{name}: " + ("ทำงานได้" if lang == "th" else "executable"))
        else:
            click.echo(f"{name}: " + ("ทำงานไม่ได้" if lang == "th" else "not executable"))
        for p in problems:
            label = {"error": "ข้อผิดพลาด", "warning": "คำเตือน"}[p.severity] if lang == "th" else p.severity
            line = f" (line {p.line})" if p.line else ""
            click.echo(f"  - [{label}] {p.where()}{line}: {p.message(lang)}")
    for name, reason in unreadable.items():
        report[name] = [{"code": "unreadable", "severity": "error", "message": reason}]
        if not as_json:
            click.echo(f"{name}: {reason}")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


@cli.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="what changed in this version")
@click.option("--process", "process_id", default=None, help="the process to deploy when a file holds several")
@click.pass_context
def deploy_cmd(click_ctx, files, note, process_id):
    """Deploy FILES (a process and the diagrams it calls) as a new version."""
    from . import migrate
    from .actors import Actor
    from .services import deploy

    lang = _lang(click_ctx)
    ctx = _ctx()
    migrate.upgrade(ctx.db)
    actor = Actor(None, "cli", None, frozenset({"designer"}))
    try:
        result = deploy.deploy(ctx, {p.name: p.read_bytes() for p in files}, actor, note, process_id)
    except SlaflowError as exc:
        click.echo(f"deploy failed: {exc.message}", err=True)
        for p in getattr(exc, "problems", []):
            click.echo(f"  - {p.where()}: {p.message(lang)}", err=True)
        sys.exit(1)
    state = "deployed" if result.created else "unchanged, already deployed as"
    click.echo(f"{result.process_id}: {state} version {result.version}")


@cli.command("scheduler")
def scheduler_cmd():
    """Run the one scheduler process (fires due timers; never run it inside web workers)."""
    from . import logs, migrate, scheduler

    ctx = _ctx()
    logs.configure(ctx.settings.log_format, ctx.settings.log_level)
    migrate.upgrade(ctx.db)
    scheduler.run(ctx)


@cli.group()
def audit():
    """The audit trail."""


@audit.command("verify")
@click.pass_context
def audit_verify(click_ctx):
    """Check the audit chain: exit 1 and name the events rewritten, inserted or removed."""
    from . import audit as audit_mod
    from . import context as context_mod

    ctx = _ctx()
    with ctx.uow(write=False) as uow:
        result = audit_mod.verify(uow.session, context_mod.audit_key(ctx.settings))
    th = _lang(click_ctx) == "th"
    click.echo(f"ตรวจ {result.checked:,} เหตุการณ์ในห่วงโซ่; {result.before_chain:,} เหตุการณ์บันทึกก่อนเริ่มห่วงโซ่"
                if th else f"{result.checked:,} events checked in the chain; {result.before_chain:,} recorded "
                           f"before the chain began")
    for event_id, problem in result.problems:
        click.echo(f"  event {event_id}: {problem}", err=True)
    if not result.intact:
        click.echo("ห่วงโซ่ถูกแก้ไข" if th else "the audit trail has been tampered with", err=True)
        raise SystemExit(1)
    click.echo("ห่วงโซ่ครบถ้วน ไม่มีการแก้ไข" if th else "the audit trail is intact")


@cli.group()
def kpi():
    """KPI schemes and scores."""


@kpi.command("score")
@click.argument("scheme")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help='results as JSON: {"processes": [{"name", "values": {code: value}, "days_late": {code: n}, '
                   '"evidence": {code: files}}]}')
def kpi_score(scheme, input_path):
    """Score RESULTS with SCHEME (a scheme file, or the code of a shipped scheme); print the working."""
    from .scoring import calculator, schemes

    try:
        path = Path(scheme)
        if path.is_file():
            loaded = schemes.load_scheme(path)
        else:
            found = {s.code: s for s in schemes.shipped_schemes()}
            if scheme not in found:
                raise schemes.SchemeInvalid([f"no scheme file or shipped scheme named {scheme!r} "
                                             f"(shipped: {', '.join(sorted(found))})"])
            loaded = found[scheme]
        results = json.loads(input_path.read_text(encoding="utf-8"))
        out = calculator.score(loaded, results)
    except (schemes.SchemeInvalid, calculator.ResultsInvalid, ValueError, OSError) as exc:
        click.echo(f"cannot score: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@cli.group()
def records():
    """Service records: the served requests of each service process."""


@records.command("template")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def records_template(fmt, output):
    """Write the import template (Thai headers, an example row) to OUTPUT."""
    from .services import records as service

    output.write_bytes(service.template(fmt))
    click.echo(f"template written to {output}")


@records.command("import")
@click.argument("agency_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--service", "service_process", required=True, help="the service process the requests belong to")
def records_import(agency_code, file, service_process):
    """Import FILE (CSV or Excel from the template) for AGENCY_CODE: all rows or none."""
    from sqlalchemy import select

    from . import migrate
    from .actors import Actor
    from .models import Agency
    from .services import records as service

    ctx = _ctx()
    migrate.upgrade(ctx.db)
    with ctx.uow(write=False) as uow:
        agency_id = uow.session.scalar(select(Agency.id).where(Agency.code == agency_code))
    if agency_id is None:
        click.echo(f"cannot import: no agency with the code {agency_code!r}", err=True)
        sys.exit(1)
    try:
        report = service.import_file(ctx, Actor.system("cli"), agency_id, service_process, file.name,
                                     file.read_bytes())
    except SlaflowError as exc:
        report = service.ImportReport(errors=exc.details.get("errors") or [
            {"row": 0, "field": exc.details.get("field", ""), "message": exc.message}])
    if not report.accepted:
        for e in report.errors:
            click.echo(f"row {e['row']}: {e['field']}: {e['message']}", err=True)
        click.echo(f"nothing imported: {len(report.errors)} problems", err=True)
        sys.exit(1)
    click.echo(f"imported {report.inserted} new and {report.updated} updated requests")
