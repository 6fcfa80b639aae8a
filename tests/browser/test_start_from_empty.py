"""In a real browser, a department's first day without the demo: from the reference data alone (`flask reference`),
the coordinator imports its firms, lawyers, key projects and liaisons from its own spreadsheets (a dry run, then
the import), and reaches a solved, published roster and a published counsel plan."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.models.types import utcnow
from hotline.registers import sheets
from tests.browser.conftest import go_to, sign_in
from tests.conftest import serve

pytestmark = pytest.mark.browser


def _files(folder):
    """The department's spreadsheets: firms and projects as CSV (one saved by Excel in China, GBK), lawyers as XLSX."""
    firms = folder / "律所名录.csv"
    firms.write_bytes("律所名称,所在城市\n辽宁诚信律师事务所,沈阳\n大连海湾律师事务所,大连\n".encode("gb18030"))
    header = ["执业证号", "姓名", "手机号码", "执业机构", "所在城市", "业务领域（等级1-3）", "工作语言", "自贸区律师服务团成员",
              "每月顾问服务小时", "最多服务项目数", "每月值班小时上限", "最多连续值班天数"]
    rows = []
    for n in range(8):
        firm = "辽宁诚信律师事务所" if n % 2 else "大连海湾律师事务所"
        rows.append([f"2101202610{n:07d}", f"律师{n}", f"1390000{n:04d}", firm, "沈阳" if n % 2 else "大连",
                     "劳动争议:2；婚姻家庭:2；合同与债务:2；公司与商事:3", "普通话；韩语；英语", "是" if n < 4 else "否",
                     60, 10, 150, 5])
    lawyers = folder / "律师名录.xlsx"
    lawyers.write_bytes(sheets.write_xlsx(header, rows))
    projects = folder / "重点项目.csv"
    projects.write_text("项目编号,项目名称,所在城市,自贸区片区,行业,投资额（万元）,优先级（1-5）,法律需求,服务语言\n"
                        "LN-2026-0001,沈阳智能制造产业园,沈阳,沈阳片区,先进制造,86000,1,公司与商事,普通话；英语\n",
                        encoding="utf-8-sig")
    liaisons = folder / "联络人.csv"
    liaisons.write_text("用户名,姓名,手机号码,联系的项目编号\nliu.yang,刘洋,13800001111,LN-2026-0001\n", encoding="utf-8")
    return {"Law firms": firms, "Lawyers": lawyers, "Key projects": projects, "Project liaisons": liaisons}


def test_a_department_starts_from_its_own_spreadsheets(browser, threaded_app, make, tmp_path):
    admin = make.user("admin", name="Coordinator Liu")
    start = (utcnow() + timedelta(days=3)).date()
    with serve(threaded_app) as base:
        page = browser.new_context(locale="en-GB").new_page()
        page.set_default_timeout(30000)
        sign_in(page, base, admin.username)
        for register, path in _files(tmp_path).items():
            go_to(page, "Registers", register)
            page.click("[data-testid=import]")
            page.set_input_files("[data-testid=file]", str(path))
            page.click("[data-testid=dry-run]")
            counts = page.inner_text("[data-testid=plan-counts]")
            assert "refused: 0" in counts and "To add: 0" not in counts, counts
            page.click("[data-testid=confirm]")
            assert "Imported:" in page.inner_text("main")
            assert page.locator("[data-testid=register] tbody tr").count() >= 1
        page.screenshot(path=str(tmp_path / "liaisons.png"))

        go_to(page, "Duty", "Rosters")
        page.fill("input[name=name]", "First week")
        page.fill("input[name=starts_on]", start.isoformat())
        page.fill("input[name=ends_on]", (start + timedelta(days=2)).isoformat())
        for code in ("PM", "EVE", "NIGHT"):
            page.uncheck(f"input[name=shift_codes][value={code}]")
        page.click("button:has-text('Create period')")
        page.fill("input[name=time_limit]", "5")
        page.click("button:has-text('Solve the roster')")
        page.wait_for_selector("[data-testid=job-status][data-status=succeeded], "
                               "[data-testid=job-status][data-status=failed]")
        assert page.get_attribute("[data-testid=job-status]", "data-status") == "succeeded"
        page.click("[data-testid=review-link]")
        assert "律师" in page.inner_text("[data-testid=roster-grid]")
        page.click("button:has-text('Publish and notify the lawyers')")
        assert "Published" in page.inner_text("[data-testid=period-status]")

        go_to(page, "FTZ", "FTZ counsel")
        page.fill("input[name=time_limit]", "5")
        page.click("button:has-text('Match all key projects')")
        page.wait_for_selector("[data-testid=job-status][data-status=succeeded]")
        page.click("[data-testid=review-link]")
        page.click("[data-testid=plan-link]")
        assert "Every project is matched." in page.inner_text("[data-testid=unmatched]")
        page.click("button:has-text('Publish this plan')")
        assert page.inner_text("[data-testid=plan-status]") == "Published"

        # An imported liaison has no password anyone knows: the coordinator sets a first one, changed at sign-in.
        go_to(page, "Registers", "Project liaisons")
        page.click("[data-testid=register] a:text-is('liu.yang')")
        page.click("a:has-text('Account and password')")
        page.fill("input[name=password]", "first-password-2026")
        page.fill("input[name=confirm]", "first-password-2026")
        page.click("button:has-text('Reset password')")
        liaison = browser.new_context(locale="zh-CN").new_page()
        liaison.goto(f"{base}/login")
        liaison.fill("input[name=username]", "liu.yang")
        liaison.fill("input[name=password]", "first-password-2026")
        liaison.click("main button[type=submit]")
        liaison.wait_for_url("**/password**")
        liaison.fill("input[name=current]", "first-password-2026")
        liaison.fill("input[name=password]", "my-own-password-2026")
        liaison.fill("input[name=confirm]", "my-own-password-2026")
        liaison.click("main button[type=submit]")
        liaison.goto(f"{base}/")
        text = liaison.inner_text("main")
        assert "沈阳智能制造产业园" in text and "律师" in text, text
        page.context.close()
        liaison.context.close()
