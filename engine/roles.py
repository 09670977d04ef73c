"""Roles and the mapping of BPMN lane names to them (SpiffWorkflow lanes are only names)."""
from __future__ import annotations

OFFICER, SUPERVISOR, DESIGNER, CENTRAL, ADMIN = "officer", "supervisor", "designer", "central", "admin"
HEAD = "head"  # the agency's head (หัวหน้าส่วนราชการ): decides a stage sent back more often than the cap allows
#: a department's กลุ่มพัฒนาระบบบริหาร: evaluates the units below its department on the department's schemes
EVALUATOR = "evaluator"
ROLES = (OFFICER, SUPERVISOR, HEAD, DESIGNER, EVALUATOR, CENTRAL, ADMIN)

#: lane name (case-insensitive, spaces trimmed) -> role. Designers may name lanes in Thai or English.
LANE_ROLES: dict[str, str] = {
    "officer": OFFICER,
    "เจ้าหน้าที่": OFFICER,
    "supervisor": SUPERVISOR,
    "ผู้บังคับบัญชา": SUPERVISOR,
    "head": HEAD,
    "agency head": HEAD,
    "หัวหน้าส่วนราชการ": HEAD,
    "central": CENTRAL,
    "central office": CENTRAL,
    "สำนักงาน ก.พ.ร.": CENTRAL,
    "evaluator": EVALUATOR,
    "department evaluator": EVALUATOR,
    "กลุ่มพัฒนาระบบบริหาร": EVALUATOR,
}

#: roles whose tasks are done inside one agency (the others see across agencies)
AGENCY_ROLES = frozenset({OFFICER, SUPERVISOR, HEAD})


def role_for_lane(lane: str | None) -> str | None:
    if not lane:
        return None
    return LANE_ROLES.get(" ".join(lane.split()).casefold())
