"""Importing diagrams made for other engines into a designer's draft: read who does the tasks (so the
designer can say which slaflow role each is), convert, and keep the report with the draft."""
from __future__ import annotations

from .. import audit
from ..actors import Actor, require
from ..bpmn import importer
from ..context import Context
from ..errors import InvalidInput
from ..models import DesignDraft, utcnow
from ..roles import DESIGNER
from .design import MAX_FILES, safe_file_name


def performers(ctx: Context, actor: Actor, files: dict[str, bytes]) -> dict[str, str]:
    """Who does tasks in the files (groups, assignees, lanes) -> the role slaflow would guess."""
    require(actor, DESIGNER, what="import process diagrams")
    _check_count(files, ctx.settings.bpmn_max_bytes)
    found: dict[str, str] = {}
    for name, data in files.items():
        for source, role in importer.analyze(data, name, ctx.settings.bpmn_max_bytes).performers.items():
            found.setdefault(source, role)
    return found


def import_draft(ctx: Context, actor: Actor, files: dict[str, bytes], chosen: dict[str, str] | None = None,
                 default_role: str = importer.roles.OFFICER, title: str = "") -> int:
    """A new draft holding the converted files, their form stubs and the import report."""
    require(actor, DESIGNER, what="import process diagrams")
    _check_count(files, ctx.settings.bpmn_max_bytes)
    if default_role not in importer.TASK_ROLES:
        raise InvalidInput("unknown role", field="default_role")
    unknown = {v for v in (chosen or {}).values() if v not in importer.TASK_ROLES}
    if unknown:
        raise InvalidInput(f"unknown roles: {', '.join(sorted(unknown))}", field="roles")
    sources, forms, examples, notes = {}, {}, {}, []
    for name, data in files.items():
        result = importer.convert(data, name, chosen, default_role, ctx.settings.bpmn_max_bytes)
        sources[safe_file_name(name)] = result.xml
        forms.update(result.forms)
        examples.update(result.examples)
        notes += [{**n.to_dict("th"), "message_en": n.message("en"), "file": safe_file_name(name)}
                  for n in result.notes]
    with ctx.uow() as uow:
        draft = DesignDraft(owner_id=actor.user_id, title=(title or ", ".join(sorted(sources)))[:255],
                            files=sources, forms=forms, examples=examples, import_notes=notes,
                            created_at=utcnow(), updated_at=utcnow())
        uow.session.add(draft)
        uow.flush()
        audit.record(uow.session, actor, "draft.import", after={
            "draft": draft.id, "files": sorted(sources), "converted": sum(1 for n in notes if not n["todo"]),
            "left": sum(1 for n in notes if n["todo"]), "roles": dict(sorted((chosen or {}).items()))})
        uow.commit()
        return draft.id


def _check_count(files: dict, max_bytes: int) -> None:
    """At least one file, at most 20, together no larger than one diagram may be (the conversion's
    time grows with the size: this keeps one import to about a second)."""
    if not files:
        raise InvalidInput("choose at least one .bpmn file", field="files")
    if len(files) > MAX_FILES:
        raise InvalidInput("too many files", field="files")
    if sum(len(data) for data in files.values()) > max_bytes:
        raise InvalidInput(f"the files together are larger than {max_bytes // 1024} KB", field="files_size")
