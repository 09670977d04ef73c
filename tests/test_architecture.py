"""Architecture rules kept by tools: engine/ is framework-free, the code passes ruff."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_import_contracts_hold():
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_ruff_is_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_every_model_change_has_a_migration(tmp_path):
    """Autogenerate against a fully migrated database finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from engine import migrate
    from engine.db import make_engine
    from engine.models import Base

    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _shipped_names() -> set[str]:
    """Every id of the shipped diagrams' processes and activities, the profiles' reports, the
    calendars and their dates, and the evaluation groups."""
    from lxml import etree

    from workflows.profiles import PROFILES
    from workflows.reporting_calendars import CALENDARS

    names = set()
    for path in (ROOT / "bpmn").rglob("*.bpmn"):
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        for el in root.iter():
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if local in ("process", "userTask", "callActivity", "serviceTask", "boundaryEvent"):
                names.add(el.get("id"))
    for profile in PROFILES.values():
        names |= {g.code for g in profile.groups} | set(profile.stages)
        names |= {r.task for r in profile.reports} | {r.milestone for r in profile.reports if r.milestone}
    for cal in CALENDARS.values():
        names |= {cal.code} | set(cal.codes)
    return names - {None, ""}


def test_the_engine_names_no_shipped_process_task_milestone_or_group():
    """What the engine knows of a process comes from its profile in workflows/; a designer can add a
    process with its own scoring without touching engine/."""
    import ast

    names = _shipped_names()
    assert {"sla_lifecycle", "stage1", "report_6m", "kpi_process_2566", "group1", "forms_a_e", "sla_kpi"} <= names
    found = []
    for path in (ROOT / "engine").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


def test_the_command_line_imports_only_what_a_command_needs():
    """``slaflow bpmn check`` starts without the web app, the database layer, openpyxl or Babel."""
    probe = ("import sys, web.cli; from engine.cli import cli; from engine.bpmn.bundle import check_files; "
             "from engine.glue import load_glue; load_glue('workflows.handlers'); "
             "print(sorted(m for m in ('flask', 'sqlalchemy', 'openpyxl', 'babel', 'alembic', 'web.app') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_writer_moves_workflows_through_one_step():
    """Saving a workflow happens in one place (``workflow_step.step``): submit, timers, start, cancel,
    calendar recompute and migration all go through it."""
    callers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "engine").rglob("*.py")
                     if "save_workflow(" in p.read_text(encoding="utf-8"))
    assert callers == ["engine/services/state.py", "engine/services/workflow_step.py"], callers


def test_the_lock_file_holds_every_pinned_requirement():
    """``make`` installs from requirements.lock (with hashes): it must pin what setup.cfg pins."""
    import configparser
    import re

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    wanted = cfg["options"]["install_requires"] + "".join(cfg["options.extras_require"][k]
                                                          for k in cfg["options.extras_require"])
    lock = {m.group(1).lower().replace("_", "-"): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", (ROOT / "requirements.lock").read_text(), re.M)}
    for name, version in re.findall(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", wanted, re.M):
        assert lock.get(name.lower().replace("_", "-")) == version, f"{name}=={version} is not in requirements.lock"
    assert all("--hash=sha256:" in block for block in (ROOT / "requirements.lock").read_text().split("\n\n")
               if "==" in block)
