"""A bundle of BPMN files deployed together (a process and the processes its call activities use)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..errors import BpmnInvalid
from ..runtime import SpecParseError, parse_specs
from .lint import B, LintContext, lint_document
from .loader import load_bpmn
from .problems import Problem


@dataclass
class Bundle:
    sources: dict[str, str]
    process_id: str
    process_name: str
    spec: object
    subprocess_specs: dict
    forms: dict[str, dict]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.sources):
            digest.update(name.encode() + b"\0" + self.sources[name].encode() + b"\0")
        digest.update(json.dumps(self.forms, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()


def check_files(files: dict[str, bytes], ctx: LintContext, max_bytes: int) -> dict[str, list[Problem]]:
    """Problems per file (an empty list: the file is executable). Never raises for bad input."""
    trees, problems = {}, {}
    for name, data in files.items():
        try:
            trees[name] = load_bpmn(data, name, max_bytes)
            problems[name] = []
        except BpmnInvalid as exc:
            problems[name] = exc.problems
    known = {p.get("id") for t in trees.values() for p in t.getroot().findall(f"{B}process")}
    for name, tree in trees.items():
        problems[name] = lint_document(tree, name, ctx, known)
    return problems


def build_bundle(files: dict[str, bytes], ctx: LintContext, max_bytes: int, process_id: str | None = None) -> Bundle:
    """Load, lint and parse; raise BpmnInvalid with every error found, or return the bundle."""
    results = check_files(files, ctx, max_bytes)
    errors = [p for ps in results.values() for p in ps if p.severity == "error"]
    if errors:
        raise BpmnInvalid(errors)
    warnings = [p for ps in results.values() for p in ps if p.severity != "error"]
    trees = {name: load_bpmn(data, name, max_bytes) for name, data in files.items()}
    executable, called, names = [], set(), {}
    for tree in trees.values():
        for process in tree.getroot().findall(f"{B}process"):
            if process.get("isExecutable") == "true":
                executable.append(process.get("id"))
                names[process.get("id")] = process.get("name") or process.get("id")
            for call in process.iter(f"{B}callActivity"):
                called.add(call.get("calledElement"))
    top = [p for p in executable if p not in called]
    if process_id is None:
        if len(top) != 1:
            raise BpmnInvalid([Problem.file("ambiguous_process", ", ".join(files),
                                            processes=", ".join(top) or "-")])
        process_id = top[0]
    elif process_id not in executable:
        raise BpmnInvalid([Problem.file("ambiguous_process", ", ".join(files), processes=", ".join(top) or "-")])
    try:
        spec, subprocess_specs = parse_specs(trees, process_id)
    except SpecParseError as exc:
        raise BpmnInvalid([Problem(code="parse_error", element_id=exc.element_id, element_name=exc.element_name,
                                   filename=exc.filename, params={"detail": exc.detail})]) from None
    except Exception as exc:  # the parser's own failures on odd input become a plain problem
        raise BpmnInvalid([Problem.file("parse_error", ", ".join(files), detail=f"{type(exc).__name__}: {exc}")]) \
            from None
    sources = {name: (data.decode("utf-8") if isinstance(data, bytes) else data) for name, data in files.items()}
    return Bundle(sources=sources, process_id=process_id, process_name=names.get(process_id, process_id),
                  spec=spec, subprocess_specs=subprocess_specs, forms=dict(ctx.forms), warnings=warnings)
