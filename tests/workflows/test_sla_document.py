"""The SLA document is the agency's announcement: its heading, the date it is in force from, a signature
block, a print button; the internal improvement plan is never printed."""
from __future__ import annotations

import json
from datetime import date

from engine.config import REPO_ROOT
from workflows import documents

STAGE2 = json.loads((REPO_ROOT / "forms" / "sla" / "stage2.example.json").read_text(encoding="utf-8"))


def test_the_announcement_in_force_from_the_fiscal_year_with_a_signature_block():
    html = documents.render_sla("ข้อตกลงระดับการให้บริการ การชำระภาษีรถประจำปี", "กรมการขนส่งทางบก", 2570,
                                STAGE2, date(2026, 8, 20))
    assert "<h1>ประกาศกรมการขนส่งทางบก</h1>" in html
    assert "เรื่อง ข้อตกลงระดับการให้บริการ การชำระภาษีรถประจำปี ประจำปีงบประมาณ พ.ศ. 2570" in html
    assert "ตั้งแต่วันที่ 1 ตุลาคม พ.ศ. 2569" in html  # approved in August: in force when the fiscal year begins
    assert "(ลงชื่อ)" in html and "ตำแหน่ง" in html
    assert 'data-print' in html and '/static/print.js' in html
    plan = html.split('class="internal no-print"')[1]
    assert STAGE2["plan"][0]["activity"] in plan  # the plan is on screen only
    later = documents.render_sla("x", "กรม", 2570, STAGE2, date(2026, 11, 3))
    assert "ตั้งแต่วันที่ 3 พฤศจิกายน พ.ศ. 2569" in later  # approved during the year: in force from then
