"""The rest of the demo's agencies: departments of most ministries, a department with provincial units,
each with an officer and a supervisor, spread over every point of the lifecycle in both fiscal years so
that the central view, the heat map and the scores have something to show. Each follows one of a few
courses, run by the same use cases as the hand-written stories in ``demo``."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from .demo_clock import office_hours_ago, on
from .demo_services import publish_changes, select_changes, stage1_changes

#: (code, name, ministry, province, region, parent code or None, the service its SLA promises)
AGENCIES = [
    ("RD", "กรมสรรพากร", "กระทรวงการคลัง", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอคืนภาษีเงินได้บุคคลธรรมดา"),
    ("CUSTOMS", "กรมศุลกากร", "กระทรวงการคลัง", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอคืนอากรขาเข้า"),
    ("TD", "กรมธนารักษ์", "กระทรวงการคลัง", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอเช่าที่ราชพัสดุ"),
    ("DOE", "กรมการจัดหางาน", "กระทรวงแรงงาน", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขออนุญาตทำงานของคนต่างด้าว"),
    ("SSO", "สำนักงานประกันสังคม", "กระทรวงแรงงาน", "นนทบุรี", "กรุงเทพและปริมณฑล", None,
     "การขอรับประโยชน์ทดแทนกรณีว่างงาน"),
    ("SSO-KK", "สำนักงานประกันสังคมจังหวัดขอนแก่น", "กระทรวงแรงงาน", "ขอนแก่น", "ภาคตะวันออกเฉียงเหนือ", "SSO",
     "การขอรับประโยชน์ทดแทนกรณีคลอดบุตร"),
    ("SSO-SKA", "สำนักงานประกันสังคมจังหวัดสงขลา", "กระทรวงแรงงาน", "สงขลา", "ภาคใต้", "SSO",
     "การขึ้นทะเบียนผู้ประกันตนมาตรา 40"),
    ("SSO-UBN", "สำนักงานประกันสังคมจังหวัดอุบลราชธานี", "กระทรวงแรงงาน", "อุบลราชธานี",
     "ภาคตะวันออกเฉียงเหนือ", "SSO", "การขอรับประโยชน์ทดแทนกรณีชราภาพ"),
    ("FDA", "สำนักงานคณะกรรมการอาหารและยา", "กระทรวงสาธารณสุข", "นนทบุรี", "กรุงเทพและปริมณฑล", None,
     "การจดแจ้งเครื่องสำอาง"),
    ("DOAE", "กรมส่งเสริมการเกษตร", "กระทรวงเกษตรและสหกรณ์", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขึ้นทะเบียนเกษตรกร"),
    ("DLD", "กรมปศุสัตว์", "กระทรวงเกษตรและสหกรณ์", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขออนุญาตเคลื่อนย้ายสัตว์"),
    ("DOF", "กรมประมง", "กระทรวงเกษตรและสหกรณ์", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอใบอนุญาตทำการประมงพาณิชย์"),
    ("DCA", "กรมการกงสุล", "กระทรวงการต่างประเทศ", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอหนังสือเดินทาง"),
    ("DIW", "กรมโรงงานอุตสาหกรรม", "กระทรวงอุตสาหกรรม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขออนุญาตประกอบกิจการโรงงาน"),
    ("TISI", "สำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม", "กระทรวงอุตสาหกรรม", "กรุงเทพมหานคร",
     "กรุงเทพและปริมณฑล", None, "การขอใบอนุญาตแสดงเครื่องหมายมาตรฐาน"),
    ("RFD", "กรมป่าไม้", "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล",
     None, "การขออนุญาตทำไม้"),
    ("DOEB", "กรมธุรกิจพลังงาน", "กระทรวงพลังงาน", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขออนุญาตตั้งสถานีบริการน้ำมันเชื้อเพลิง"),
    ("LED", "กรมบังคับคดี", "กระทรวงยุติธรรม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอถอนการยึดทรัพย์"),
    ("DOP", "กรมกิจการผู้สูงอายุ", "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์", "กรุงเทพมหานคร",
     "กรุงเทพและปริมณฑล", None, "การขอกู้ยืมเงินทุนประกอบอาชีพผู้สูงอายุ"),
    ("DIP", "กรมทรัพย์สินทางปัญญา", "กระทรวงพาณิชย์", "นนทบุรี", "กรุงเทพและปริมณฑล", None,
     "การจดทะเบียนเครื่องหมายการค้า"),
    ("DOT", "กรมการท่องเที่ยว", "กระทรวงการท่องเที่ยวและกีฬา", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอรับใบอนุญาตเป็นมัคคุเทศก์"),
    ("MD", "กรมเจ้าท่า", "กระทรวงคมนาคม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอใบอนุญาตใช้เรือ"),
    ("FAD", "กรมศิลปากร", "กระทรวงวัฒนธรรม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขออนุญาตส่งโบราณวัตถุออกนอกราชอาณาจักร"),
    ("DSS", "กรมวิทยาศาสตร์บริการ", "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม", "กรุงเทพมหานคร",
     "กรุงเทพและปริมณฑล", None, "การขอรับบริการทดสอบผลิตภัณฑ์"),
    ("DOL-KK", "สำนักงานที่ดินจังหวัดขอนแก่น", "กระทรวงมหาดไทย", "ขอนแก่น", "ภาคตะวันออกเฉียงเหนือ", "DOL",
     "การรังวัดสอบเขตที่ดิน"),
    ("DOL-PKT", "สำนักงานที่ดินจังหวัดภูเก็ต", "กระทรวงมหาดไทย", "ภูเก็ต", "ภาคใต้", "DOL",
     "การขอออกโฉนดที่ดิน"),
    ("DPT", "กรมโยธาธิการและผังเมือง", "กระทรวงมหาดไทย", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None,
     "การขอรับรองการใช้ประโยชน์ที่ดินตามผังเมืองรวม"),
]

#: how each agency went through last fiscal year and where it stands this year, by position in AGENCIES
#: (cycled): "full" reported on time and was evaluated; "late" reported its 12 months after the due date;
#: "stuck" never sent its 6-month report; "back" was sent back in stage 1 twice; "" took no part
LAST_YEAR = ["full", "full", "late", "full", "stuck", "full", "back", "", "full", "late", "full", "",
             "stuck", "full", "back", "full", "late", ""]
#: this year: "waiting" (started, nothing done), "select" (stage 1 open), "review" (stage 1 with the
#: supervisor), "sent_back" (stage 1 returned), "stage2" (stage 1 approved, stage 4 and the SLA open),
#: "published" (keeping last year's SLA, published and in change management), "" (not started)
THIS_YEAR = ["published", "review", "select", "stage2", "sent_back", "waiting", "published", "",
             "review", "select", "stage2", "waiting", "sent_back"]
#: last year's success (%) in the evaluation, by position (cycled): from excellent to poor
SUCCESS = [96, 88, 74, 91, 62, 83, 99, 70]


def users() -> list[tuple[str, str, list[str], str]]:
    """An officer and a supervisor in each agency."""
    people = []
    for code, name, *_ in AGENCIES:
        who = code.lower()
        people.append((f"officer.{who}", f"เจ้าหน้าที่ {name}", ["officer"], code))
        people.append((f"supervisor.{who}", f"ผู้บังคับบัญชา {name}", ["supervisor"], code))
    return people


def run(st, fy: int, today, through_stage2: Callable, report: Callable, sla: str) -> None:
    """Last fiscal year and this one for every agency of ``AGENCIES``."""
    day = timedelta(days=1)
    for i, (code, _name, *_rest, service) in enumerate(AGENCIES):
        course, now_course = LAST_YEAR[i % len(LAST_YEAR)], THIS_YEAR[i % len(THIS_YEAR)]
        officer, supervisor = f"officer.{code.lower()}", f"supervisor.{code.lower()}"
        success = SUCCESS[i % len(SUCCESS)]
        last = fy - 1
        if course:
            iid = st.start(on(last, 10, 6 + i % 5), sla, code, service, last)
            if course == "back":
                st.do(on(last, 10, 20), iid, "select_process", officer, form="sla/select_process",
                      changes=select_changes(service))
                for month, day_of in ((12, 1 + i % 9), (2, 2 + i % 9)):
                    st.do(on(last, month, day_of), iid, "stage1_targets", officer, form="sla/stage1",
                          changes=stage1_changes(service))
                    st.review(on(last, month, day_of + 5), iid, "review_stage1", supervisor, "send_back",
                              "ค่าเป้าหมายยังไม่สอดคล้องกับปัญหาที่ระบุ")
            else:
                through_stage2(st, iid, code, last, months=((10, 10 + i % 10), (11, 5 + i % 12), (12, 1 + i % 12)))
                published = on(last, 1, 5 + i % 20)
                st.do(published, iid, "publish_sla", officer, form="sla/publish",
                      changes=publish_changes(service, published.date()))
                st.review(published + day / 4, iid, "review_publish", supervisor)
                if course == "stuck":
                    st.sweep(on(last, 3, 2))  # the 6-month round opens; nobody reports
                else:
                    report(st, iid, code, 6, on(last, 3, 16 + i % 8), on(last, 3, 27), success - 6)
                    report(st, iid, code, 9, on(last, 6, 15 + i % 8), on(last, 6, 26), success - 3)
                    if course == "late":
                        report(st, iid, code, 12, on(fy, 10, 6 + i % 6), on(fy, 10, 13), success)
                    else:
                        report(st, iid, code, 12, on(last, 9, 10 + i % 8), on(last, 9, 21), success)
                    if course == "full":
                        st.do(on(fy, 10, 27), iid, "central_evaluation", "central",
                              {"milestone_level": 5 if success >= 85 else 3, "success_percent": success,
                               "satisfaction_percent": min(100, success - 2 + i % 5),
                               "comment": "ประเมินจากรายงานผลการดำเนินงานและหลักฐาน"})
        if now_course == "published" and course not in ("full", "late", "stuck"):
            now_course = "stage2"  # only an SLA published last year can be kept without revising it
        _this_year(st, fy, today, i, code, service, now_course, officer, supervisor, sla)


def _this_year(st, fy, today, i, code, service, course, officer, supervisor, sla) -> None:
    if not course:
        return
    start = min(on(fy, 10, 6), today)

    def ago(days: int):
        return office_hours_ago(today, days, start)

    iid = st.start(start + timedelta(minutes=10 * i), sla, code, service, fy)
    if course == "waiting":
        return
    keep = course == "published"
    st.do(ago(45 - i % 7), iid, "select_process", officer, form="sla/select_process",
          changes={**select_changes(service), "revise_sla": not keep})
    if keep:
        st.do(ago(30 - i % 5), iid, "publish_sla", officer, form="sla/publish",
              changes=publish_changes(service, ago(30 - i % 5).date()))
        st.review(ago(25 - i % 5), iid, "review_publish", supervisor)
        return
    if course == "select":
        return
    st.do(ago(25 - i % 6), iid, "stage1_targets", officer, form="sla/stage1", changes=stage1_changes(service))
    if course == "sent_back":
        st.review(ago(20 - i % 6), iid, "review_stage1", supervisor, "send_back",
                  "โปรดระบุปัญหาของผู้รับบริการพร้อมข้อมูลสนับสนุน")
    elif course == "stage2":
        st.review(ago(18 - i % 6), iid, "review_stage1", supervisor)
