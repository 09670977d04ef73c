"""An agency system using the slaflow API with the standard library only: start this year's SLA workflow
for the agency, submit its first task, then read the workflow's status and the agency's scorecard.

    SLAFLOW_URL=https://slaflow.example.go.th SLAFLOW_TOKEN=slf_... python api_example.py AGENCY_ID FISCAL_YEAR
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ.get("SLAFLOW_URL", "http://127.0.0.1:5000").rstrip("/") + "/api/v1"
TOKEN = os.environ["SLAFLOW_TOKEN"]
if not BASE.startswith(("https://", "http://")):
    sys.exit("SLAFLOW_URL must be an http(s) address")


def call(method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(  # noqa: S310 - BASE is checked to be http(s) above
        BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Accept-Language": "th"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http(s) only
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:  # problem+json: title, detail, and errors by field
        problem = json.loads(error.read() or b"{}")
        sys.exit(f"{method} {path}: {error.code} {problem.get('title')}: {problem.get('detail')} "
                 f"{problem.get('errors') or ''}")


def main(agency_id: int, fiscal_year: int) -> None:
    started = call("POST", "/workflows", {"process_id": "sla_lifecycle", "agency_id": agency_id,
                                          "service_process": "การชำระภาษีรถประจำปี", "fiscal_year": fiscal_year})
    workflow_id = started["id"]
    print("started workflow", workflow_id)
    tasks = call("GET", "/tasks?scope=pool&per_page=100")["items"]
    first = next(t for t in tasks if t["instance_id"] == workflow_id)
    call("POST", f"/tasks/{first['id']}/claim")
    call("POST", f"/tasks/{first['id']}/submit", {"data": {
        "process_name": "การชำระภาษีรถประจำปี", "criteria": ["public_service"],
        "current_state": "ผู้รับบริการต้องรอนานและไม่ทราบขั้นตอน"}})
    print("submitted", first["name"])
    status = call("GET", f"/workflows/{workflow_id}")
    print("status", status["status"], "open:", ", ".join(t["name"] for t in status["open_tasks"]))
    card = call("GET", f"/agencies/{agency_id}/scorecard?fiscal_year={fiscal_year}")
    print("scores", [(s["code"], s.get("score")) for s in card["scores"]] or "none yet")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
