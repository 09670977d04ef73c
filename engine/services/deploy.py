"""Deploy a BPMN bundle as a new version of its process definition (identical content: no new version)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from .. import audit
from ..actors import Actor, require
from ..bpmn.bundle import build_bundle
from ..context import Context
from ..models import ProcessDefinition, ProcessVersion, utcnow
from ..roles import DESIGNER
from ..runtime import specs_to_json


@dataclass(frozen=True)
class Deployed:
    process_id: str
    version: int
    version_id: int
    created: bool
    warnings: tuple = ()


def deploy(ctx: Context, files: dict[str, bytes], actor: Actor, note: str = "",
           process_id: str | None = None, lint=None) -> Deployed:
    require(actor, DESIGNER, what="deploy diagrams")
    bundle = build_bundle(files, lint or ctx.lint_context(), ctx.settings.bpmn_max_bytes, process_id)
    content_hash = bundle.content_hash
    with ctx.uow() as uow:
        s = uow.session
        definition = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == bundle.process_id))
        if definition is None:
            definition = ProcessDefinition(process_id=bundle.process_id, name=bundle.process_name, latest_version=0)
            s.add(definition)
            uow.flush()
        existing = s.scalar(select(ProcessVersion).where(ProcessVersion.definition_id == definition.id,
                                                         ProcessVersion.content_hash == content_hash))
        if existing is not None:
            return Deployed(bundle.process_id, existing.version, existing.id, False, tuple(bundle.warnings))
        definition.latest_version += 1
        definition.name = bundle.process_name
        version = ProcessVersion(definition_id=definition.id, version=definition.latest_version,
                                 content_hash=content_hash, sources=bundle.sources, forms=bundle.forms,
                                 spec_json=specs_to_json(bundle.spec, bundle.subprocess_specs),
                                 deployed_by_id=actor.user_id, deployed_at=utcnow(), note=note)
        s.add(version)
        uow.flush()
        audit.record(s, actor, "deploy", after={"process_id": bundle.process_id, "version": version.version,
                                                "content_hash": content_hash, "files": sorted(bundle.sources)},
                     comment=note)
        result = Deployed(bundle.process_id, version.version, version.id, True, tuple(bundle.warnings))
        uow.commit()
        return result


def folder_bundles(bpmn_dir: Path) -> dict[str, dict[str, bytes]]:
    """Each sub-folder of a BPMN folder is one bundle (a process and the diagrams it calls)."""
    bundles = {}
    for folder in sorted(p for p in Path(bpmn_dir).iterdir() if p.is_dir()):
        found = {f.name: f.read_bytes() for f in sorted(folder.glob("*.bpmn"))}
        if found:
            bundles[folder.name] = found
    return bundles
