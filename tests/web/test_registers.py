"""Registers from the department's spreadsheets: templates in both languages, a dry run row by row, all-or-nothing
imports that change nothing the second time, refusals with their reasons, exports that import back unchanged, and
the add, edit and deactivate pages checked by the same rules."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.test import EnvironBuilder

from hotline.models import DutyPeriod, KeyProject, LawFirm, Lawyer, User
from hotline.models.types import utcnow
from hotline.registers import sheets

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def place(make):
    dalian = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    shenyang = make.city(code="shenyang", name_en="Shenyang", name_zh="沈阳")
    area = make.ftz_area(city=dalian, code="dalian-ftz", name_en="Dalian Area", name_zh="大连片区")
    return {"dalian": dalian, "shenyang": shenyang, "area": area}


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def dry_run(client, kind: str, data: bytes, name: str = "register.csv", headers=EN):
    return client.post(f"/admin/{kind}/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def confirm(client, kind: str, page: str, headers=EN):
    token = re.search(rf'/admin/{kind}/import/([\w-]+)"', page).group(1)
    digest = re.search(r'name="digest" value="(\w+)"', page).group(1)
    return client.post(f"/admin/{kind}/import/{token}", data={"digest": digest}, headers=headers)


def count(make, model) -> int:
    return make.scalar(select(func.count()).select_from(model))


FIRMS_ZH = csv_file("律所名称,所在城市", "辽宁诚信律师事务所,大连", "沈阳明德律师事务所,沈阳市")


def test_firms_import_after_a_dry_run_and_the_second_time_changes_nothing(as_role, make, place):
    admin = as_role("admin")
    page = dry_run(admin, "firms", FIRMS_ZH, headers=ZH)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "新增：2" in text.replace(" ", "") or "To add: 2" in text
    assert count(make, LawFirm) == 0  # a dry run writes nothing
    assert confirm(admin, "firms", text).status_code == 302
    firms = {f.name: f.city_id for f in make.scalars(select(LawFirm))}
    assert firms == {"辽宁诚信律师事务所": place["dalian"].id, "沈阳明德律师事务所": place["shenyang"].id}
    again = dry_run(admin, "firms", FIRMS_ZH, headers=EN).get_data(as_text=True)
    assert "To add: 0 · to change: 0 · unchanged: 2 · refused: 0" in again
    assert "Nothing to import" in again and 'name="digest"' not in again


def test_a_gbk_csv_saved_by_excel_in_china_is_read(as_role, make, place):
    admin = as_role("admin")
    page = dry_run(admin, "firms", csv_file("律所名称,所在城市", "辽宁诚信律师事务所,大连", encoding="gb18030"))
    assert "To add: 1" in page.get_data(as_text=True)


def _lawyers_sheet(*rows):
    header = ["执业证号", "姓名", "手机号码", "执业机构", "所在城市", "业务领域（等级1-3）", "工作语言", "自贸区律师服务团成员",
              "每月顾问服务小时", "最多服务项目数"]
    return xlsx_file([header, *rows])


def test_lawyers_import_refuses_each_bad_row_with_its_reason_and_writes_nothing(as_role, make, place):
    make.firm(name="辽宁诚信律师事务所", city=place["dalian"])
    admin = as_role("admin")
    data = _lawyers_sheet(
        ["21020200010000001", "王明", "13800138000", "辽宁诚信律师事务所", "大连", "劳动争议:3；公司与商事:2", "普通话；韩语", "是", 20, 4],
        ["21020200010000002", "李华", "12345", "辽宁诚信律师事务所", "大连", "劳动争议", "", "否", 0, 0],
        ["21020200010000003", "赵强", "13900139000", "辽宁诚信律师事务所", "铁岭", "劳动争议", "", "否", 0, 0],
        ["21020200010000001", "王明", "13800138000", "辽宁诚信律师事务所", "大连", "劳动争议", "", "否", 0, 0],
        ["21020200010000004", "孙丽", "13700137000", "辽宁诚信律师事务所", "大连", "", "", "否", 0, 0],
        ["21020200010000005", "=cmd|' /C calc'!A0", "13600136000", "辽宁诚信律师事务所", "大连", "劳动争议", "", "否", 0, 0],
    )
    page = dry_run(admin, "lawyers", data, "lawyers.xlsx")
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "To add: 1 · to change: 0 · unchanged: 0 · refused: 5" in text
    assert "Not a valid phone number." in text  # line 3
    assert "Unknown city &#34;铁岭&#34;." in text or 'Unknown city "铁岭".' in text  # line 4
    assert "already in line 2" in text  # line 5: the same licence twice
    assert "Required." in text  # line 6: no legal area
    assert "A formula is not accepted" in text  # line 7
    assert 'name="digest"' not in text and count(make, Lawyer) == 0


def test_lawyers_import_then_an_edit_in_the_file_changes_only_that(as_role, make, place):
    make.firm(name="辽宁诚信律师事务所", city=place["dalian"])
    admin = as_role("admin")
    row = ["21020200010000001", "王明", "13800138000", "辽宁诚信律师事务所", "大连", "劳动争议:3；公司与商事:2",
           "普通话；韩语", "是", 20, 4]
    assert confirm(admin, "lawyers", dry_run(admin, "lawyers", _lawyers_sheet(row), "l.xlsx").get_data(
        as_text=True)).status_code == 302
    lawyer = make.scalars(select(Lawyer).options(selectinload(Lawyer.areas), selectinload(Lawyer.languages)))[0]
    assert (lawyer.phone, lawyer.ftz_team, lawyer.monthly_hours_available, lawyer.max_projects) == (
        "+8613800138000", True, 20, 4)
    assert {a.area: a.level for a in lawyer.areas} == {"labour": 3, "company": 2}
    assert set(lawyer.language_codes()) == {"zh", "ko"}
    changed = _lawyers_sheet(row[:8] + [30, 4])
    text = dry_run(admin, "lawyers", changed, "l.xlsx").get_data(as_text=True)
    assert "To add: 0 · to change: 1 · unchanged: 0" in text and "每月顾问服务小时" in text
    assert confirm(admin, "lawyers", text).status_code == 302
    assert make.get(Lawyer, lawyer.id).monthly_hours_available == 30 and count(make, Lawyer) == 1


def test_refused_files_get_a_clear_reason(as_role, make, place):
    admin = as_role("admin")
    not_a_sheet = dry_run(admin, "firms", b"%PDF-1.7\n\x00\x01binary", "firms.csv")
    assert not_a_sheet.status_code == 400 and "This is not a spreadsheet" in not_a_sheet.get_data(as_text=True)
    old = dry_run(admin, "firms", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "firms.xls")
    assert "Save the workbook as .xlsx" in old.get_data(as_text=True)
    fake_xlsx = dry_run(admin, "firms", b"PK\x03\x04not really a zip", "firms.xlsx")
    assert "This is not a spreadsheet" in fake_xlsx.get_data(as_text=True)
    unknown = dry_run(admin, "firms", csv_file("Name,City,Colour", "A,Dalian,red"))
    assert 'Unknown column' in unknown.get_data(as_text=True) and unknown.status_code == 400
    missing = dry_run(admin, "firms", csv_file("Name", "A"))
    assert "is missing" in missing.get_data(as_text=True)
    builder = EnvironBuilder(path="/admin/firms/import", method="POST", headers=EN,
                             data={"file": (io.BytesIO(b"a" * (50 * 1024 * 1024)), "big.csv")})
    environ = builder.get_environ()  # its body is a temporary file, closed here (the test client would leave it)
    try:
        huge = admin.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert huge.status_code == 413 and "too large" in huge.get_data(as_text=True).lower()
    assert count(make, LawFirm) == 0


def test_a_confirmation_applies_only_the_plan_that_was_seen(as_role, make, place):
    """When the register changes between the dry run and the confirmation, the new plan is shown, not applied."""
    admin = as_role("admin")
    page = dry_run(admin, "firms", FIRMS_ZH).get_data(as_text=True)
    make.firm(name="辽宁诚信律师事务所", city=place["shenyang"])  # someone else added one meanwhile
    response = confirm(admin, "firms", page)
    assert response.status_code == 409 and "changed since the dry run" in response.get_data(as_text=True)
    assert count(make, LawFirm) == 1


def test_an_import_is_all_or_nothing(as_role, make, place, monkeypatch):
    """A failure while writing row 2 leaves row 1 unwritten too."""
    from hotline.registers import specs

    admin = as_role("admin")
    page = dry_run(admin, "firms", FIRMS_ZH).get_data(as_text=True)
    real = specs.FIRMS.write
    calls = []

    def failing(session, record, values):
        calls.append(values)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(session, record, values)

    monkeypatch.setattr(specs.FIRMS, "write", failing)
    with pytest.raises(RuntimeError):
        admin.application.config["PROPAGATE_EXCEPTIONS"] = True
        confirm(admin, "firms", page)
    assert count(make, LawFirm) == 0


def test_templates_and_exports_speak_both_languages_and_export_imports_back_unchanged(as_role, make, place):
    make.firm(name="=HYPERLINK(evil)", city=place["dalian"])
    make.firm(name="辽宁诚信律师事务所", city=place["dalian"])
    admin = as_role("admin")
    zh = load_workbook(io.BytesIO(admin.get("/admin/lawyers/template.xlsx?lang=zh").data))
    assert [c.value for c in zh.worksheets[0][1]][:3] == ["执业证号", "姓名", "手机号码"]
    assert "说明 Notes" in zh.sheetnames
    en = admin.get("/admin/lawyers/template.csv?lang=en").data.decode("utf-8-sig")
    assert en.startswith("Licence number,Name,Mobile")
    exported = admin.get("/admin/firms/export.xlsx?lang=zh")
    sheet = load_workbook(io.BytesIO(exported.data)).worksheets[0]
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert cells["=HYPERLINK(evil)"].data_type == "s"  # text, never a formula
    csv_text = admin.get("/admin/firms/export.csv?lang=en").data.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in csv_text and "Dalian" in csv_text
    back = dry_run(admin, "firms", admin.get("/admin/firms/export.csv?lang=zh").data).get_data(as_text=True)
    # the escaped formula is refused as a key no one can type; the real firm is unchanged
    assert "unchanged: 1" in back


def test_projects_and_liaisons_import_with_their_links(as_role, make, place):
    admin = as_role("admin")
    projects = csv_file("项目编号,项目名称,所在城市,自贸区片区,行业,投资额（万元）,优先级（1-5）,法律需求,服务语言",
                        "LN-2026-0001,大连港智慧物流园,大连,大连片区,港口物流,125000,1,外商投资与贸易；公司与商事,普通话；日语")
    page = dry_run(admin, "projects", projects).get_data(as_text=True)
    assert "To add: 1" in page, page
    assert confirm(admin, "projects", page).status_code == 302
    project = make.scalars(select(KeyProject).options(selectinload(KeyProject.needs)))[0]
    assert (project.ftz_area_id, project.sector, project.priority, project.main_area()) == (
        place["area"].id, "logistics", 1, "foreign_investment")
    liaisons = csv_file("用户名,姓名,手机号码,联系的项目编号", "zhang.wei,张伟,13800138001,LN-2026-0001")
    assert confirm(admin, "liaisons", dry_run(admin, "liaisons", liaisons).get_data(as_text=True)).status_code == 302
    user = make.scalar(select(User).where(User.username == "zhang.wei"))
    assert user.role == "liaison" and user.must_change_password and user.phone == "+8613800138001"
    linked = make.scalars(select(User.username).join(KeyProject.liaisons.property.secondary,
                                                     User.id == KeyProject.liaisons.property.secondary.c.user_id))
    assert linked == ["zhang.wei"]
    unknown = csv_file("用户名,姓名,手机号码,联系的项目编号", "li.na,李娜,13800138002,LN-404")
    assert "Unknown project code" in dry_run(admin, "liaisons", unknown).get_data(as_text=True)


def test_add_edit_and_deactivate_by_form_with_the_same_checks(as_role, make, place):
    firm = make.firm(name="辽宁诚信律师事务所", city=place["dalian"])
    admin = as_role("admin")
    form = {"licence_no": "21020200010000009", "name": "周敏", "phone": "13800138009", "firm": firm.name,
            "city": "大连", "areas": "labour:2", "languages": "Mandarin", "on_duty_roster": "y", "active": "y"}
    bad = admin.post("/admin/lawyers/new", data=form | {"phone": "123"}, headers=EN)
    assert bad.status_code == 400 and "Not a valid phone number." in bad.get_data(as_text=True)
    assert count(make, Lawyer) == 0
    created = admin.post("/admin/lawyers/new", data=form, headers=EN)
    assert created.status_code == 302
    lawyer = make.scalars(select(Lawyer))[0]
    assert lawyer.max_duties_per_month == 8 and lawyer.on_duty_roster and not lawyer.ftz_team
    assert admin.post(f"/admin/lawyers/{lawyer.id}", data=form | {"name": "周敏敏", "ftz_team": "y"},
                      headers=EN).status_code == 302
    assert make.get(Lawyer, lawyer.id).name == "周敏敏" and make.get(Lawyer, lawyer.id).ftz_team
    listing = admin.get("/admin/lawyers?q=周敏", headers=EN).get_data(as_text=True)
    assert "周敏敏" in listing and "21020200010000009" in listing
    assert admin.post(f"/admin/lawyers/{lawyer.id}/active", data={"active": "0"}).status_code == 302
    assert not make.get(Lawyer, lawyer.id).active and count(make, Lawyer) == 1


def test_deactivating_a_lawyer_on_a_published_roster_marks_it_for_re_planning(as_role, make, place):
    admin = as_role("admin")
    lawyer = make.lawyer()
    tomorrow = (utcnow() + timedelta(days=1)).date()
    period = make.period(status="published", starts_on=tomorrow, ends_on=tomorrow + timedelta(days=6))
    make.duty(lawyer=lawyer, shift=make.shift(period=period, day=tomorrow))
    response = admin.post(f"/admin/lawyers/{lawyer.id}/active", data={"active": "0"}, headers=EN,
                          follow_redirects=True)
    assert "needs a re-plan" in response.get_data(as_text=True)
    assert make.get(DutyPeriod, period.id).replan_needed_at is not None


def test_sheet_reader_limits():
    with pytest.raises(sheets.SheetError) as refused:
        sheets.read("x.csv", b"")
    assert refused.value.code == "empty"
    assert sheets.looks_like_formula("=1+1") and sheets.looks_like_formula("@SUM(A1)")
    assert sheets.looks_like_formula("-cmd") and not sheets.looks_like_formula("+86 138 0013 8000")
    assert not sheets.looks_like_formula("-5") and not sheets.looks_like_formula("王明")


def test_numbers_in_cells_are_finite_and_in_range():
    from hotline.registers import columns

    for reader in (columns.whole(0, 10), columns.hours_as_minutes(0, 10), columns.amount(0, 1e12)):
        for text, code in (("NaN", "not_a_number"), ("sNaN", "not_a_number"), ("Infinity", "not_a_number"),
                           ("abc", "not_a_number"), ("-1", "out_of_range"), ("1e400", "out_of_range")):
            with pytest.raises(columns.CellError) as refused:
                reader(None, text)
            assert refused.value.code == code, (text, code)
    assert columns.whole(0, 10)(None, "7") == 7 and columns.hours_as_minutes(0, 10)(None, "7.5") == 450
    with pytest.raises(columns.CellError):
        columns.whole(0, 10)(None, "7.5")
