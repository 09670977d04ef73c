/* The modeler's own words in Thai (palette, context pad, element menus): bpmn-js asks its "translate"
   service for every label; in Thai mode this one answers from the table below, English otherwise. */
(function () {
  "use strict";
  var TH = {
    "Activate hand tool": "เครื่องมือเลื่อนภาพ", "Activate lasso tool": "เครื่องมือเลือกหลายรายการ",
    "Activate create/remove space tool": "เครื่องมือเพิ่ม/ลดช่องว่าง", "Activate global connect tool": "เครื่องมือเชื่อมต่อ",
    "Create start event": "สร้างเหตุการณ์เริ่มต้น", "Create end event": "สร้างเหตุการณ์สิ้นสุด",
    "Create intermediate/boundary event": "สร้างเหตุการณ์ระหว่างทาง/ขอบงาน", "Create gateway": "สร้างทางแยก",
    "Create task": "สร้างงาน", "Create expanded sub-process": "สร้างกระบวนการย่อย", "Create pool/participant": "สร้างกลุ่ม (pool)",
    "Create data object reference": "สร้างข้อมูล (data object)", "Create data store reference": "สร้างแหล่งเก็บข้อมูล",
    "Create group": "สร้างกลุ่มภาพ",
    "Append task": "ต่อด้วยงาน", "Append end event": "ต่อด้วยเหตุการณ์สิ้นสุด", "Append gateway": "ต่อด้วยทางแยก",
    "Append intermediate/boundary event": "ต่อด้วยเหตุการณ์ระหว่างทาง", "Append receive task": "ต่อด้วยงานรับข้อความ",
    "Append message intermediate catch event": "ต่อด้วยการรอข้อความ", "Append timer intermediate catch event": "ต่อด้วยการรอเวลา",
    "Append conditional intermediate catch event": "ต่อด้วยการรอเงื่อนไข", "Append signal intermediate catch event": "ต่อด้วยการรอสัญญาณ",
    "Append compensation activity": "ต่อด้วยงานชดเชย", "Add text annotation": "เพิ่มหมายเหตุ",
    "Add lane above": "เพิ่มช่องทำงานด้านบน", "Add lane below": "เพิ่มช่องทำงานด้านล่าง",
    "Divide into two lanes": "แบ่งเป็น 2 ช่องทำงาน", "Divide into three lanes": "แบ่งเป็น 3 ช่องทำงาน",
    "Change element": "เปลี่ยนชนิด", "Connect to other element": "เชื่อมไปยังองค์ประกอบอื่น",
    "Connect using association": "เชื่อมด้วยเส้นความสัมพันธ์", "Connect using data input association": "เชื่อมด้วยเส้นข้อมูลเข้า",
    "Delete": "ลบ", "Search in diagram": "ค้นหาในแผนภาพ", "Open {element}": "เปิด {element}",
    "Toggle non-interrupting": "สลับไม่ขัดจังหวะ", "Loop": "ทำซ้ำ", "Parallel multi-instance": "ทำหลายชุดพร้อมกัน",
    "Sequential multi-instance": "ทำหลายชุดตามลำดับ", "Collection": "ชุดข้อมูล", "Parallel": "พร้อมกัน",
    "Task": "งาน", "User task": "งานของบุคคล (user task)", "Service task": "งานอัตโนมัติ (service task)",
    "Script task": "งานสคริปต์ (script task)", "Manual task": "งานที่ทำนอกระบบ (manual task)",
    "Send task": "งานส่งข้อความ", "Receive task": "งานรับข้อความ", "Business rule task": "งานตามกฎธุรกิจ",
    "Call activity": "เรียกกระบวนการอื่น (call activity)", "Sub-process": "กระบวนการย่อย",
    "Sub-process (collapsed)": "กระบวนการย่อย (ย่อ)", "Sub-process (expanded)": "กระบวนการย่อย (ขยาย)",
    "Event sub-process": "กระบวนการย่อยตามเหตุการณ์", "Transaction": "ธุรกรรม",
    "Ad-hoc sub-process": "กระบวนการย่อยแบบอิสระ", "Ad-hoc sub-process (collapsed)": "กระบวนการย่อยแบบอิสระ (ย่อ)",
    "Ad-hoc sub-process (expanded)": "กระบวนการย่อยแบบอิสระ (ขยาย)",
    "Start event": "เหตุการณ์เริ่มต้น", "End event": "เหตุการณ์สิ้นสุด", "Terminate end event": "สิ้นสุดทั้งกระบวนการ",
    "Intermediate throw event": "เหตุการณ์ระหว่างทาง", "Boundary event": "เหตุการณ์ขอบงาน",
    "Timer start event": "เริ่มตามเวลา", "Timer intermediate catch event": "รอเวลา",
    "Timer boundary event": "กำหนดเวลาที่ขอบงาน (ขัดจังหวะ)", "Timer boundary event (non-interrupting)": "กำหนดเวลาที่ขอบงาน (ไม่ขัดจังหวะ)",
    "Message start event": "เริ่มเมื่อได้รับข้อความ", "Message intermediate catch event": "รอข้อความ",
    "Message intermediate throw event": "ส่งข้อความ", "Message end event": "สิ้นสุดด้วยการส่งข้อความ",
    "Message boundary event": "ข้อความที่ขอบงาน", "Message boundary event (non-interrupting)": "ข้อความที่ขอบงาน (ไม่ขัดจังหวะ)",
    "Error end event": "สิ้นสุดด้วยข้อผิดพลาด", "Error boundary event": "ข้อผิดพลาดที่ขอบงาน", "Error start event": "เริ่มเมื่อเกิดข้อผิดพลาด",
    "Escalation end event": "สิ้นสุดด้วยการส่งเรื่องขึ้น", "Escalation boundary event": "การส่งเรื่องขึ้นที่ขอบงาน",
    "Signal start event": "เริ่มเมื่อได้รับสัญญาณ", "Signal end event": "สิ้นสุดด้วยการส่งสัญญาณ",
    "Conditional start event": "เริ่มตามเงื่อนไข", "Conditional intermediate catch event": "รอเงื่อนไข",
    "Exclusive gateway": "ทางแยกเลือกทางเดียว", "Parallel gateway": "ทางแยกขนาน", "Inclusive gateway": "ทางแยกเลือกได้หลายทาง",
    "Event-based gateway": "ทางแยกตามเหตุการณ์", "Complex gateway": "ทางแยกซับซ้อน",
    "Sequence flow": "เส้นลำดับงาน", "Default flow": "ทางปกติ (default)", "Conditional flow": "ทางตามเงื่อนไข",
    "Data object reference": "ข้อมูล (data object)", "Data store reference": "แหล่งเก็บข้อมูล",
    "Empty pool/participant": "กลุ่มว่าง (pool)", "Expanded pool/participant": "กลุ่ม (pool)",
    "Sub process": "กระบวนการย่อย", "Intermediate catch event": "เหตุการณ์รอระหว่างทาง",
    "Text annotation": "หมายเหตุ", "Collaboration": "ความร่วมมือระหว่างกลุ่ม", "Group": "กลุ่มภาพ",
    "Lane": "ช่องทำงาน (lane)", "Participant": "กลุ่ม (pool)", "Process": "กระบวนการ", "Boundary": "ขอบงาน"
  };
  function translate(template, replacements) {
    replacements = replacements || {};
    var lang = (document.documentElement.lang || "th").slice(0, 2);
    var text = lang === "en" ? template : (TH[template] || template);
    return text.replace(/{([^}]+)}/g, function (_, key) { return key in replacements ? replacements[key] : "{" + key + "}"; });
  }
  window.slaflowTranslate = { module: { translate: ["value", translate] }, translate: translate };
})();
