"""The JSON Schemas of the API's bodies and answers, as the OpenAPI document shows them."""
from __future__ import annotations

ID = {"type": "integer", "minimum": 1}
FY = {"type": "integer", "minimum": 2500, "maximum": 2700}
ANY = {"type": "object"}
AGENCY = {"type": "object", "required": ["id", "code", "name"], "properties": {
    "id": ID, "code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
    "parent_id": {"type": ["integer", "null"]}, "ministry": {"type": "string"}, "province": {"type": "string"},
    "region": {"type": "string"}}}
WORKFLOW = {"type": "object", "required": ["id", "agency_id", "process_id", "status", "fiscal_year"], "properties": {
    "id": ID, "agency_id": ID, "agency_name": {"type": "string"}, "process_id": {"type": "string"},
    "service_process": {"type": "string"}, "fiscal_year": {"type": "integer"},
    "status": {"enum": ["running", "stalled", "completed", "cancelled"]},
    "stages": {"type": "object", "additionalProperties": {"enum": ["done", "current"]}},
    "evaluation_group": {"type": "string"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}
TASK = {"type": "object", "required": ["id", "instance_id", "name", "status"], "properties": {
    "id": ID, "instance_id": ID, "name": {"type": "string"}, "role": {"type": "string"},
    "status": {"enum": ["open", "completed", "cancelled"]}, "assignee_id": {"type": ["integer", "null"]},
    "created_at": {"type": "string"}, "due_at": {"type": ["string", "null"]}, "agency_name": {"type": "string"},
    "service_process": {"type": "string"}, "fiscal_year": {"type": "integer"}, "process_name": {"type": "string"},
    "working_days_left": {"type": ["integer", "null"]}, "urgency": {"type": "string"}}}
DATA = {"type": "object", "required": ["data"], "properties": {"data": {"type": "object"}},
        "additionalProperties": False}
OK = {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}}
START = ["process_id", "agency_id", "service_process", "fiscal_year"]
RECORD = {"type": "object", "required": ["reference", "received_at", "outcome"], "additionalProperties": False,
          "properties": {"reference": {"type": "string", "maxLength": 64},
                         "received_at": {"type": "string", "description": "2026-12-31 14:30 or 31/12/2569 14:30"},
                         "completed_at": {"type": ["string", "null"]},
                         "outcome": {"type": "string", "description": "completed, rejected, withdrawn, pending "
                                                                          "(or the Thai words)"},
                         "channel": {"type": "string"}, "defects": {"type": "array", "items": {"type": "string"}}}}
