"""The form stubs an import gives every user task: the fields the conversion found for it (Camunda's
generated form fields, the data objects it writes, the variables later conditions read, the way to go
at a gateway without conditions), a note field, and valid example data."""
from __future__ import annotations

from lxml import etree

from .flow_graph import element_label, identifier
from .foreign_source import camunda_fields
from .lint import NS, B

SPIFF = "{" + NS["spiffworkflow"] + "}"
NOTE_FIELD = {"type": "string", "title": "บันทึกการปฏิบัติงาน", "maxLength": 10000, "x-widget": "textarea"}


class FormStubs:
    def __init__(self):
        self.forms: dict[str, dict] = {}      # form reference -> JSON Schema
        self.examples: dict[str, dict] = {}   # form reference -> valid example data
        self.fields: dict[str, dict[str, dict]] = {}  # task id -> field name -> schema
        self.required: dict[str, list[str]] = {}

    def field_names(self, task) -> set[str]:
        return set(self.fields.get(task.get("id"), {}))

    def add(self, task, name: str, schema: dict, required: bool = False) -> None:
        """A field the task's form must have; asked twice, the choices of an enum are merged."""
        fields = self.fields.setdefault(task.get("id"), {})
        if name in fields:
            merged = fields[name]
            if "enum" in schema and "enum" in merged:
                merged["enum"] += [v for v in schema["enum"] if v not in merged["enum"]]
            return
        fields[name] = schema
        if required:
            self.required.setdefault(task.get("id"), []).append(name)

    def attach(self, process, task) -> tuple[str, list[str]] | None:
        """Build the task's form and point the task at it; (reference, field names), or None when the
        task already names a form."""
        if has_form(task):
            return None
        ref = f"imported/{identifier(process.get('id'), set())}/{identifier(task.get('id'), set())}.schema.json"
        generated = camunda_fields(task)
        props = dict(generated)
        for name, schema in self.fields.get(task.get("id"), {}).items():
            props.setdefault(name, schema)
        required = [n for n in self.required.get(task.get("id"), []) if n in props]
        required += [n for n, s in generated if s.get("x-required") and n not in required]
        for schema in props.values():
            schema.pop("x-required", None)
        props.setdefault("note", dict(NOTE_FIELD))
        documentation = (task.findtext(f"{B}documentation") or "").strip()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": element_label(task),
                  "type": "object", "properties": props, "additionalProperties": False}
        if required:
            schema["required"] = required
        if documentation:
            schema["description"] = documentation[:2000]
        self.forms[ref] = schema
        self.examples[ref] = {name: example(s) for name, s in props.items() if name in required}
        ext = task.find(f"{B}extensionElements")
        if ext is None:
            ext = etree.Element(f"{B}extensionElements")
            task.insert(1 if task.find(f"{B}documentation") is not None else 0, ext)
        properties = etree.SubElement(ext, f"{SPIFF}properties")
        etree.SubElement(properties, f"{SPIFF}property", name="formJsonSchemaFilename", value=ref)
        if documentation:
            etree.SubElement(ext, f"{SPIFF}instructionsForEndUser").text = documentation
        return ref, list(props)


def has_form(task) -> bool:
    return any(prop.get("name") == "formJsonSchemaFilename" and prop.get("value")
               for prop in task.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS))


def example(schema: dict):
    """A value the field's schema accepts."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [example(schema.get("items", {}))]
    if kind == "boolean":
        return True
    if kind in ("number", "integer"):
        return 1
    if schema.get("format") == "date":
        return "2026-12-01"
    return "ตัวอย่าง"
