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


def check_deployable(files: dict[str, bytes], ctx: LintContext, max_bytes: int) -> dict[str, list[Problem]]:
    """What deploy would say of each file: slaflow's lint, then, for a file lint passes, the workflow
    library's own parse of each executable process it starts (with the files defining the processes
    its call activities use), so that "executable" here means that deploy accepts it."""
    results = check_files(files, ctx, max_bytes)
    trees = {}
    for name, data in files.items():
        if not any(p.severity == "error" for p in results[name]):
            trees[name] = load_bpmn(data, name, max_bytes)
    defined: dict[str, str] = {}
    for name, tree in trees.items():
        for process in tree.getroot().findall(f"{B}process"):
            defined.setdefault(process.get("id"), name)
    for name, tree in trees.items():
        called = {c.get("calledElement") for c in tree.getroot().iter(f"{B}callActivity")}
        for process in tree.getroot().findall(f"{B}process"):
            if process.get("isExecutable") != "true" or defined.get(process.get("id")) != name:
                continue
            needed = {name} | _files_for(called, defined, trees)
            try:
                parse_specs({n: trees[n] for n in sorted(needed)}, process.get("id"))
            except SpecParseError as exc:
                target = exc.filename if exc.filename in results else name
                results[target].append(Problem(code="parse_error", element_id=exc.element_id,
                                               element_name=exc.element_name, filename=target,
                                               params={"detail": exc.detail}))
            except Exception as exc:  # noqa: BLE001 - the library's own failures on odd input, as a problem
                results[name].append(Problem.file("parse_error", name, detail=f"{type(exc).__name__}: {exc}"))
    return results


def _files_for(called: set, defined: dict[str, str], trees: dict) -> set[str]:
    """The files defining the called processes, and the ones those call, and so on."""
    out, todo = set(), list(called)
    while todo:
        pid = todo.pop()
        name = defined.get(pid)
        if name is None or name in out:
            continue
        out.add(name)
        todo.extend(c.get("calledElement") for c in trees[name].getroot().iter(f"{B}callActivity"))
    return out


def startable(trees) -> list[tuple[str, str]]:
    """(id, name) of the executable processes that no call activity of these trees calls: what a
    deploy of them may start."""
    found, called = [], set()
    for tree in trees:
        root = tree.getroot() if hasattr(tree, "getroot") else tree
        for process in root.findall(f"{B}process"):
            if process.get("isExecutable") == "true":
                found.append((process.get("id"), process.get("name") or process.get("id")))
            called |= {call.get("calledElement") for call in process.iter(f"{B}callActivity")}
    return [(pid, name) for pid, name in found if pid not in called]


def build_bundle(files: dict[str, bytes], ctx: LintContext, max_bytes: int, process_id: str | None = None) -> Bundle:
    """Load, lint and parse; raise BpmnInvalid with every error found, or return the bundle."""
    results = check_files(files, ctx, max_bytes)
    errors = [p for ps in results.values() for p in ps if p.severity == "error"]
    if errors:
        raise BpmnInvalid(errors)
    warnings = [p for ps in results.values() for p in ps if p.severity != "error"]
    trees = {name: load_bpmn(data, name, max_bytes) for name, data in files.items()}
    names = {p.get("id"): p.get("name") or p.get("id") for t in trees.values()
             for p in t.getroot().findall(f"{B}process") if p.get("isExecutable") == "true"}
    executable = list(names)
    top = [pid for pid, _ in startable(trees.values())]
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
