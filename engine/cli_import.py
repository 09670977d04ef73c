"""``slaflow bpmn import``: convert a diagram made for another engine or modeler, write it with its form
stubs, say what was converted and what is left, and check the result as deploy would."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .roles import CENTRAL, EVALUATOR, HEAD, OFFICER, SUPERVISOR

ROLE_CHOICES = (OFFICER, SUPERVISOR, HEAD, EVALUATOR, CENTRAL)


def register(group: click.Group, lang_of) -> None:
    @group.command("import")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="where to write the converted diagram (default: SOURCE.slaflow.bpmn)")
    @click.option("--role", "role_args", multiple=True, metavar="PERFORMER=ROLE",
                  help="the slaflow role of a group, assignee or lane of the source (repeat); e.g. accounting=officer")
    @click.option("--default-role", type=click.Choice(ROLE_CHOICES), default=OFFICER, show_default=True,
                  help="the role of tasks that name no performer")
    @click.option("--forms-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="where form stubs are written (default: the configured forms folder)")
    @click.option("--ask/--no-ask", default=None, help="ask for the role of each performer not given with --role "
                  "(default: ask when run in a terminal)")
    @click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
    @click.pass_context
    def bpmn_import(click_ctx, source, output, role_args, default_role, forms_dir, ask, as_json):
        """Convert SOURCE (Camunda, Signavio, bpmn.io ...) into a diagram slaflow runs. Exit 1 when what
        is left for a person still keeps it from deploying."""
        from .bpmn import importer
        from .bpmn.bundle import check_deployable
        from .bpmn.lint import LintContext
        from .config import Settings
        from .errors import BpmnInvalid
        from .glue import load_glue

        lang = lang_of(click_ctx)
        settings = Settings.from_env()
        chosen = {}
        for arg in role_args:
            performer, _, role = arg.rpartition("=")
            if not performer or role not in ROLE_CHOICES:
                raise click.BadParameter(f"{arg}: write PERFORMER=ROLE, ROLE one of {', '.join(ROLE_CHOICES)}",
                                         param_hint="--role")
            chosen[performer.strip()] = role
        data = source.read_bytes()
        try:
            found = importer.analyze(data, source.name, settings.bpmn_max_bytes).performers
            if ask if ask is not None else (sys.stdin.isatty() and not as_json):
                for performer, guess in found.items():
                    if performer not in chosen:
                        chosen[performer] = click.prompt(
                            f"{performer}: " + ("บทบาทใน slaflow" if lang == "th" else "slaflow role"),
                            type=click.Choice(ROLE_CHOICES), default=guess)
            result = importer.convert(data, source.name, chosen, default_role, settings.bpmn_max_bytes)
        except BpmnInvalid as exc:
            for p in exc.problems:
                click.echo(f"{p.where()}: {p.message(lang)}", err=True)
            sys.exit(1)
        output = output or source.with_name(source.stem + ".slaflow.bpmn")
        output.write_text(result.xml, encoding="utf-8")
        base = (forms_dir or settings.forms_dir).resolve()
        for ref, schema in result.forms.items():
            path = base / ref
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            example = path.with_name(path.name.replace(".schema.json", ".example.json"))
            example.write_text(json.dumps(result.examples.get(ref, {}), ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
        handlers, helpers = load_glue(settings.handlers_module)
        lint = LintContext(forms_dir=base, handler_names=tuple(handlers), timer_helpers=helpers)
        problems = check_deployable({output.name: result.xml.encode()}, lint, settings.bpmn_max_bytes)[output.name]
        errors = [p for p in problems if p.severity == "error"]
        if as_json:
            click.echo(json.dumps({"output": str(output), "forms": sorted(result.forms),
                                   "notes": [n.to_dict(lang) for n in result.notes],
                                   "problems": [p.to_dict(lang) for p in problems]}, ensure_ascii=False, indent=2))
            sys.exit(1 if errors else 0)
        th = lang == "th"
        click.echo(f"{output}: " + ("แปลงแล้ว" if th else "converted") + f" ({len(result.forms)} "
                   + ("แบบฟอร์มใน " if th else "forms in ") + f"{base / 'imported'})")
        for note in result.notes:
            mark = "✗" if note.todo else "✓"
            where = f"{note.where()}: " if note.where() else ""
            click.echo(f"  {mark} {where}{note.message(lang)}")
        if not errors:
            click.echo(("ทำงานได้: ติดตั้งด้วย " if th else "executable: deploy with ") + f"slaflow deploy {output}")
        else:
            click.echo("ยังทำงานไม่ได้:" if th else "not executable yet:")
            for p in problems:
                click.echo(f"  - [{p.severity}] {p.where()}: {p.message(lang)}")
        sys.exit(1 if errors else 0)
