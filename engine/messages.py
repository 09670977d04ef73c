"""Thai and English message catalogue for problems the engine reports to people.

Web pages render problems through the same catalogue, so a designer reads the same words in the
browser as an operator reads from ``slaflow bpmn check``.
"""
from __future__ import annotations

import re

CATALOGUE: dict[str, dict[str, str]] = {
    "too_large": {
        "th": "ไฟล์มีขนาด {size:,} ไบต์ เกินขีดจำกัด {limit:,} ไบต์",
        "en": "the file is {size:,} bytes, over the limit of {limit:,} bytes",
    },
    "empty": {"th": "ไฟล์ว่างเปล่า", "en": "the file is empty"},
    "doctype": {
        "th": "ไม่รับไฟล์ที่มี DOCTYPE หรือการประกาศ ENTITY (อาจเป็นการโจมตีแบบ XML entity)",
        "en": "files with a DOCTYPE or ENTITY declaration are refused (possible XML entity attack)",
    },
    "not_xml": {"th": "ไม่ใช่ไฟล์ XML ที่ถูกต้อง: {detail}", "en": "not well-formed XML: {detail}"},
    "wrong_root": {
        "th": "ไม่ใช่ไฟล์ BPMN 2.0: องค์ประกอบราก {root} ไม่ใช่ bpmn:definitions",
        "en": "not a BPMN 2.0 file: the root element {root} is not bpmn:definitions",
    },
    "schema": {
        "th": "ไม่ตรงตาม XML Schema ของ BPMN 2.0 (บรรทัด {line}): {detail}",
        "en": "does not conform to the BPMN 2.0 XML Schema (line {line}): {detail}",
    },
    "no_process": {"th": "ไม่พบกระบวนการ (process) ในไฟล์", "en": "the file holds no process"},
    "not_executable": {
        "th": "กระบวนการไม่ได้กำหนดให้ทำงานได้ (isExecutable ไม่เป็น true)",
        "en": "the process is not marked executable (isExecutable is not true)",
    },
    "no_start": {"th": "กระบวนการไม่มีเหตุการณ์เริ่มต้น (start event)", "en": "the process has no start event"},
    "data_object_missing": {
        "th": "การอ้างถึงข้อมูล (data object reference) ชี้ไปยัง data object \"{ref}\" ซึ่งไม่มีในกระบวนการ",
        "en": "the data object reference points to \"{ref}\", which is no data object of the process",
    },
    "data_object_unwritten": {
        "th": "งานนี้อ่านข้อมูล \"{data}\" แต่ไม่มีองค์ประกอบใดเขียนข้อมูลนี้ เวิร์กโฟลว์จะหยุดที่นี่ในการทำงานครั้งแรก",
        "en": "this element reads the data object \"{data}\", which no element writes: the first run would stop here",
    },
    "flow_dangling": {
        "th": "เส้นทาง (sequence flow) อ้างถึงองค์ประกอบ \"{ref}\" ซึ่งไม่มีในกระบวนการ ({end})",
        "en": "the sequence flow's {end} \"{ref}\" is no element of the process",
    },
    "nothing_to_do": {
        "th": "กระบวนการยังไม่มีงานใด มีเพียงเหตุการณ์เริ่มต้น/สิ้นสุด: เพิ่มงานหรือกระบวนการย่อยก่อนนำไปใช้",
        "en": "the process has nothing to do yet (only start and end events): add tasks before deploying it",
    },
    "condition_juel": {
        "th": "เงื่อนไข {expr} เขียนด้วยภาษา JUEL ของ Camunda/Activiti; slaflow ใช้นิพจน์ Python กับข้อมูลของงาน "
              "เช่น {python}",
        "en": "the condition {expr} is JUEL (Camunda, Activiti); slaflow takes a Python expression on the task's "
              "data, here most likely: {python}",
    },
    "condition_feel": {
        "th": "เงื่อนไข {expr} เขียนด้วยภาษา FEEL ของ Camunda 8; slaflow ใช้นิพจน์ Python กับข้อมูลของงาน "
              "เช่น {python}",
        "en": "the condition {expr} is FEEL (Camunda 8); slaflow takes a Python expression on the task's "
              "data, here most likely: {python}",
    },
    "condition_xpath": {
        "th": "เงื่อนไข {expr} เขียนด้วย XPath ซึ่ง slaflow ไม่รองรับ; เขียนเป็นนิพจน์ Python กับข้อมูลของงาน "
              "เช่น decision == \"approve\"",
        "en": "the condition {expr} is XPath, which slaflow does not run; write a Python expression on the task's "
              "data, e.g. decision == \"approve\"",
    },
    "unreachable": {
        "th": "ไปไม่ถึงองค์ประกอบนี้จากเหตุการณ์เริ่มต้น",
        "en": "this element cannot be reached from a start event",
    },
    "unsupported": {
        "th": "ระบบไม่รองรับองค์ประกอบชนิด {tag}",
        "en": "elements of type {tag} are not supported",
    },
    "no_form": {
        "th": "งานของผู้ใช้ไม่มีแบบฟอร์ม (formJsonSchemaFilename)",
        "en": "the user task has no form (formJsonSchemaFilename)",
    },
    "form_missing": {
        "th": "ไม่พบไฟล์แบบฟอร์ม {form}",
        "en": "the form file {form} does not exist",
    },
    "form_invalid": {
        "th": "แบบฟอร์ม {form} ไม่ใช่ JSON Schema ที่ถูกต้อง: {detail}",
        "en": "the form {form} is not a valid JSON Schema: {detail}",
    },
    "lane_no_role": {
        "th": "ช่องทาง (lane) \"{lane}\" ไม่ตรงกับบทบาทใดในระบบ ({roles})",
        "en": "the lane \"{lane}\" maps to no role ({roles})",
    },
    "plain_task_no_lane": {
        "th": "งานทั่วไป (task) นี้ไม่อยู่ในช่องทาง (lane) ใด จะกลายเป็นงานของเจ้าหน้าที่ (officer) "
              "โดยไม่มีแบบฟอร์ม: วางไว้ในช่องทางของบทบาทที่ต้องทำ หรือเปลี่ยนเป็นงานของผู้ใช้ (user task)",
        "en": "this task is in no lane: it becomes an officer's task with no form; put it in the lane of the role "
              "that does it, or make it a user task",
    },
    "task_no_lane": {
        "th": "งานของผู้ใช้ไม่อยู่ในช่องทาง (lane) ใด จึงไม่รู้ว่าเป็นงานของบทบาทใด",
        "en": "the user task is in no lane, so no role can do it",
    },
    "service_no_handler": {
        "th": "งานบริการไม่ได้ระบุตัวจัดการ (serviceTaskOperator)",
        "en": "the service task names no handler (serviceTaskOperator)",
    },
    "service_unknown_handler": {
        "th": "ไม่มีตัวจัดการชื่อ \"{handler}\" ที่ลงทะเบียนไว้ (มี: {known})",
        "en": "no handler named \"{handler}\" is registered (known: {known})",
    },
    "timer_unquoted": {
        "th": "นิพจน์เวลา {expr} ต้องอยู่ในเครื่องหมายคำพูด เช่น \"{expr}\"",
        "en": "the timer expression {expr} must be quoted, e.g. \"{expr}\"",
    },
    "timer_invalid": {
        "th": "นิพจน์เวลา {expr} คำนวณไม่ได้: {detail}",
        "en": "the timer expression {expr} cannot be evaluated: {detail}",
    },
    "timer_empty": {"th": "เหตุการณ์ตั้งเวลาไม่มีนิพจน์เวลา", "en": "the timer event has no time expression"},
    "script_invalid": {
        "th": "สคริปต์หรือเงื่อนไขไม่ผ่านการตรวจสอบความปลอดภัย: {detail}",
        "en": "the script or condition fails the safety checks: {detail}",
    },
    "parse_error": {
        "th": "ตัวแปลง BPMN ไม่ยอมรับ: {detail}",
        "en": "the BPMN parser refused it: {detail}",
    },
    "gateway_no_condition": {
        "th": "เส้นทางออกจากเกตเวย์ไม่มีเงื่อนไขและไม่ใช่เส้นทางปริยาย",
        "en": "a flow leaving the gateway has no condition and is not the default flow",
    },
    "ambiguous_process": {
        "th": "มีหลายกระบวนการหลักในไฟล์ ({processes}) ต้องระบุว่าจะติดตั้งกระบวนการใด",
        "en": "several top-level processes ({processes}); say which one to deploy",
    },
    "form_example": {
        "th": "ตัวอย่างข้อมูลของแบบฟอร์ม {form} ไม่ผ่านการตรวจสอบ: {detail}",
        "en": "the example payload of the form {form} does not validate: {detail}",
    },
    "missing_called": {
        "th": "กิจกรรมเรียก (call activity) อ้างถึงกระบวนการ {called} ที่ไม่มีในไฟล์ที่ติดตั้ง",
        "en": "the call activity refers to process {called}, which is not in the deployed files",
    },
    # notifications (subject line; the e-mail body adds the link and the details)
    "notify_task_arrived": {
        "th": "มีงานใหม่: {task} — {service_process} (ปีงบประมาณ {fiscal_year})",
        "en": "New task: {task} — {service_process} (fiscal year {fiscal_year})",
    },
    "notify_task_returned": {
        "th": "งานถูกส่งกลับให้แก้ไข: {task} — {service_process}",
        "en": "Sent back for changes: {task} — {service_process}",
    },
    "notify_report_late": {
        "th": "รายงานรอบ {round} ของ {service_process} (ปีงบประมาณ {fiscal_year}) เลยกำหนดส่งแล้ว",
        "en": "The round {round} report of {service_process} (fiscal year {fiscal_year}) is past its due date",
    },
    "notify_due_soon": {
        "th": "ใกล้ครบกำหนด: {task} — {service_process} ภายในวันที่ {due}",
        "en": "Due soon: {task} — {service_process} by {due}",
    },
    "notify_overdue": {
        "th": "เลยกำหนดแล้ว: {task} — {service_process} (ครบกำหนด {due})",
        "en": "Overdue: {task} — {service_process} (was due {due})",
    },
    "notify_clock": {
        "th": "ใช้เวลาไปแล้วร้อยละ {percent} ของเวลาที่กำหนด: {task} — {service_process} (ครบกำหนด {due})",
        "en": "{percent}% of the allowed time used: {task} — {service_process} (due {due})",
    },
    "notify_message": {"th": "{text}", "en": "{text}"},
    "mail_greeting": {"th": "เรียน {name}", "en": "Dear {name},"},
    "mail_footer": {"th": "อีเมลฉบับนี้ส่งจากระบบ slaflow โดยอัตโนมัติ",
                    "en": "This e-mail was sent automatically by slaflow."},
}

SEVERITY = {"error": {"th": "ข้อผิดพลาด", "en": "error"}, "warning": {"th": "คำเตือน", "en": "warning"}}


_NAME = r"'(?:\{[^}]*\})?([^']+)'"
_SCHEMA_TH = [  # libxml2's usual schema messages, in Thai (anything else is shown as libxml2 says it)
    (re.compile(r"^Element " + _NAME + r": This element is not expected\. Expected is(?: one of)? \( ?(.+?) ?\)\.?$"),
     lambda m: f"องค์ประกอบ {m[1]} อยู่ผิดที่ ตำแหน่งนี้ควรเป็น {_names(m[2])}"),
    (re.compile(r"^Element " + _NAME + r": This element is not expected\.?$"),
     lambda m: f"องค์ประกอบ {m[1]} ไม่ควรอยู่ตำแหน่งนี้"),
    (re.compile(r"^Element " + _NAME + r": The attribute " + _NAME + r" is required but missing\.?$"),
     lambda m: f"องค์ประกอบ {m[1]} ขาดแอตทริบิวต์ {m[2]} ที่จำเป็น"),
    (re.compile(r"^Element " + _NAME + r", attribute " + _NAME + r": The attribute " + _NAME
                + r" is not allowed\.?$"), lambda m: f"องค์ประกอบ {m[1]} มีแอตทริบิวต์ {m[2]} ที่ไม่อนุญาต"),
    (re.compile(r"^Element " + _NAME + r", attribute " + _NAME + r": " + r"'(.*)' is not a valid value of the "
                r"atomic type 'xs:(\w+)'\.?$"),
     lambda m: f"องค์ประกอบ {m[1]} แอตทริบิวต์ {m[2]}: ค่า '{m[3]}' ไม่ใช่ค่าชนิด {m[4]} ที่ใช้ได้"),
    (re.compile(r"^Element " + _NAME + r": Missing child element\(s\)\. Expected is(?: one of)? \( ?(.+?) ?\)\.?$"),
     lambda m: f"องค์ประกอบ {m[1]} ขาดองค์ประกอบย่อยที่จำเป็น: {_names(m[2])}"),
]


def _names(text: str) -> str:
    return ", ".join(re.sub(r"^\{[^}]*\}", "", n.strip()) for n in text.split(","))


def schema_detail(detail: str, lang: str) -> str:
    """A libxml2 schema message in the reader's language where its form is known."""
    if lang != "th":
        return detail
    for pattern, say in _SCHEMA_TH:
        found = pattern.match((detail or "").strip())
        if found:
            return say(found)
    return detail


def render(code: str, lang: str = "th", **params) -> str:
    templates = CATALOGUE.get(code)
    if templates is None:
        return code
    template = templates.get(lang) or templates["en"]
    if code == "schema" and "detail" in params:
        params = dict(params, detail=schema_detail(str(params["detail"]), lang))
    try:
        return template.format(**params)
    except (KeyError, ValueError, IndexError):
        return template
