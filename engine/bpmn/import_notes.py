"""The import's report: each thing converted or left for a person, by element, in Thai and English."""
from __future__ import annotations

from dataclasses import dataclass

#: (Thai, English) of each note; params by name
MESSAGES = {
    "executable": ("ตั้งให้กระบวนการ {process} ทำงานได้ (isExecutable)", "process {process} marked executable"),
    "to_user_task": ("งาน {kind} กลายเป็นงานของบุคคล (userTask)", "the {kind} became a user task"),
    "automated": ("{kind} ใช้ {impl} ซึ่ง slaflow ไม่มี: กลายเป็นงานที่บุคคลทำเองแล้วบันทึกผล",
                  "the {kind} used {impl}, which slaflow does not have: a person now does it and records it"),
    "role": ("ผู้ทำงาน {source} → บทบาท {role}", "performer {source} → role {role_en}"),
    "role_guessed": ("ผู้ทำงาน {source} → บทบาท {role} (เดาจากชื่อ เลือกบทบาทอื่นได้)",
                     "performer {source} → role {role_en} (guessed from the name; choose another if wrong)"),
    "lane_renamed": ("ช่องทำงาน (lane) {old} → {new}", "lane {old} → {new} ({new_en})"),
    "lanes_added": ("เพิ่มช่องทำงาน (lane) {lanes} และจัดตำแหน่งในภาพให้อยู่ในช่องของตน",
                    "lanes {lanes} ({lanes_en}) added, and the elements placed in their lanes in the picture"),
    "form_stub": ("แบบฟอร์มเริ่มต้น {form}: {fields}", "form stub {form}: {fields}"),
    "form_key": ("แบบฟอร์มเดิม {key} อยู่นอกไฟล์ BPMN จึงอ่านไม่ได้: เพิ่มช่องข้อมูลในแบบฟอร์มเริ่มต้นเอง",
                 "the original form {key} is outside the BPMN file and cannot be read: add its fields to the stub"),
    "start_form": ("แบบฟอร์มตอนเริ่ม {key} ไม่ได้ใช้: slaflow เริ่มงานด้วยหน่วยงาน กระบวนงาน และปีงบประมาณ "
                   "ข้อมูลอื่นให้กรอกในงานแรก", "the start form {key} is not used: slaflow starts a workflow with "
                   "the agency, the service process and the fiscal year; ask for the rest in the first task"),
    "condition": ("เงื่อนไข {old} → {new}", "condition {old} → {new}"),
    "condition_kept": ("เงื่อนไข {old} เขียนใหม่อัตโนมัติไม่ได้: เขียนเป็นนิพจน์ Python เช่น decision == \"approve\"",
                       "condition {old} could not be rewritten: write it as a Python expression, e.g. "
                       "decision == \"approve\""),
    "condition_replaced": ("เงื่อนไข {old} ไม่ใช่นิพจน์ที่ประเมินได้ (Python, JUEL หรือ FEEL): ตัดออก "
                           "และให้งานก่อนหน้าถามทางที่จะไปแทน ตรวจสอบว่าตรงกับที่ตั้งใจ",
                           "condition {old} is not an expression slaflow can evaluate (Python, JUEL or FEEL): removed, "
                           "and the task before asks which way to go instead; check that this is what was meant"),
    "split": ("{name} มีทางออกหลายทาง: เพิ่มทางแยก {gateway} หลังงานนี้", "{name} had several outgoing flows: "
              "a {gateway} gateway was added after it"),
    "empty_subprocess": ("กระบวนการย่อย {name} ไม่มีขั้นตอนข้างใน: กลายเป็นงานของบุคคล",
                         "sub-process {name} had nothing inside: it became a user task"),
    "default_flow": ("ทางแยก {name}: ทางที่ไม่มีเงื่อนไข {flow} เป็นทางปกติ (default)",
                     "gateway {name}: the flow without a condition, {flow}, is the default"),
    "route": ("ทางแยก {name} ไม่มีเงื่อนไข: งาน {task} ถามว่าจะไปทางใด ({options})",
              "gateway {name} had no conditions: task {task} asks which way to go ({options})"),
    "route_no_task": ("ทางแยก {name} ไม่มีเงื่อนไขและไม่มีงานของบุคคลก่อนหน้า: เขียนเงื่อนไขเอง",
                      "gateway {name} has no conditions and no user task before it: write its conditions"),
    "timer": ("เวลาของ {name}: {old} → {new}", "timer {name}: {old} → {new}"),
    "timer_missing": ("เวลาของ {name} ไม่ได้ระบุ: ใส่นิพจน์ Python เช่น \"P7D\"",
                      "timer {name} has no time: write one in Python, e.g. \"P7D\""),
    "timer_kept": ("เวลาของ {name} ({old}) เขียนใหม่อัตโนมัติไม่ได้: เขียนเป็นนิพจน์ Python เช่น \"PT2H\"",
                   "timer {name} ({old}) could not be rewritten: write it as Python, e.g. \"PT2H\""),
    "data_object": ("ข้อมูล {name} (data object) เก็บจากช่อง {field} ของแบบฟอร์มงาน {task}",
                    "data object {name} is stored from field {field} of task {task}'s form"),
    "call_missing": ("เรียกกระบวนการ {called} ซึ่งไม่อยู่ในไฟล์นี้: นำเข้าหรือติดตั้งกระบวนการนั้นด้วย",
                     "calls process {called}, which is not in this file: import or deploy it too"),
    "message_flows": ("ลูกศรข้อความ (message flow) {count} เส้นระหว่างผู้เกี่ยวข้องเป็นภาพประกอบ ไม่ได้ส่งข้อมูลจริง",
                      "{count} message flows between participants are drawn only: they carry nothing at run time"),
    "loop_kept": ("การทำซ้ำ (multi-instance) ของ {name} ใช้ {what}: เขียนจำนวนหรือรายการเป็น Python เอง",
                  "the multi-instance loop of {name} uses {what}: write its count or collection in Python"),
    "extensions": ("ส่วนขยายของ {tool} ({what}) ไม่มีผลใน slaflow",
                   "{tool} extensions ({what}) have no effect in slaflow"),
}


@dataclass(frozen=True)
class Note:
    code: str
    element_id: str = ""
    element_name: str = ""
    todo: bool = False  # left for a person: not converted
    params: tuple = ()

    def message(self, lang: str = "th") -> str:
        th, en = MESSAGES[self.code]
        return (en if lang == "en" else th).format(**dict(self.params))

    def where(self) -> str:
        if self.element_name and self.element_id:
            return f"{self.element_name} ({self.element_id})"
        return self.element_id or self.element_name

    def to_dict(self, lang: str = "th") -> dict:
        return {"code": self.code, "element_id": self.element_id, "element_name": self.element_name,
                "todo": self.todo, "message": self.message(lang)}
