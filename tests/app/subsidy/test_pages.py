"""Operators' subsidy pages: schemes in force, adding a version through the form, the printable settlement."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import AuditEvent, SubsidySchemeVersion, now
from app.pricing import builtin_scheme_data
from tests.conftest import csrf
from tests.factories import make_canteen, make_senior, make_user, seed_schemes
from tests.factories import make_priced_order as _priced_order

OPERATOR_PHONE = "13900008801"


def make_priced_order(*args: Any, status: str = "served", **kw: Any) -> Any:
    """The meals of these tests were eaten (checked in at the counter, 已就餐) unless a test says otherwise:
    settlement claims only served meals."""
    return _priced_order(*args, status=status, **kw)


@pytest.fixture
def operator(session: Session, login: Any) -> Any:
    seed_schemes(session, ("shanghai-putuo", "guangzhou-zengcheng-2020"))
    make_user(session, "operator", phone=OPERATOR_PHONE, name="陈运营")
    return login(OPERATOR_PHONE)


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def one(page: BeautifulSoup | Tag, selector: str) -> Tag:
    found = page.select_one(selector)
    assert found is not None, selector
    return found


def next_month_first() -> str:
    today = now().date()
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()


def test_operator_sees_each_scheme_with_its_version_in_force(operator: Any) -> None:
    page = soup(operator.get("/subsidy"))

    rows = {row["data-scheme"]: row for row in page.select("tr[data-scheme]")}
    assert sorted(rows) == ["guangzhou-zengcheng-2020", "shanghai-putuo"]
    assert one(rows["shanghai-putuo"], "[data-in-force]").get_text(strip=True) == "第 1 版，2026-01-01 起"
    assert one(rows["shanghai-putuo"], "[data-upcoming]").get_text(strip=True) == "无"


def test_kitchen_staff_may_not_open_the_subsidy_pages(session: Session, login: Any) -> None:
    make_user(session, "kitchen", phone="13900008802")
    client = login("13900008802")

    assert client.get("/subsidy").status_code == 403
    assert client.get("/subsidy/settlement").status_code == 403


def test_the_form_starts_from_the_latest_version_and_next_month(operator: Any) -> None:
    page = soup(operator.get("/subsidy/schemes/shanghai-putuo/new"))

    assert json.loads(one(page, "textarea#f-body").get_text())["key"] == "shanghai-putuo"
    assert one(page, "input#f-effective_from")["value"] == next_month_first()


def test_a_valid_version_is_saved_and_listed_with_who_added_it(operator: Any, session: Session) -> None:
    data = builtin_scheme_data("shanghai-putuo")
    data["subsidy"]["categories"][2]["benefit"]["amount_fen"] = 400

    r = operator.post(
        "/subsidy/schemes/shanghai-putuo/new",
        data={
            "body": json.dumps(data, ensure_ascii=False),
            "effective_from": next_month_first(),
            "note": "C类提高到4元",
            "csrf_token": csrf(operator),
        },
    )

    assert r.status_code == 200 and r.url.path == "/subsidy/schemes/shanghai-putuo"
    page = soup(r)
    assert "第 2 版已保存" in one(page, ".notice-ok").get_text()
    row = one(page, 'tr[data-version="2"]')
    cells = [td.get_text(strip=True) for td in row.select("td")]
    assert cells[1:6] == [next_month_first(), "—", "待生效", "C类提高到4元", "陈运营"]
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "scheme.version_added")
    ).one().detail == (f"shanghai-putuo v2 自 {next_month_first()} 起生效；C类提高到4元")


def test_an_invalid_version_is_explained_next_to_the_field_and_not_saved(
    operator: Any, session: Session
) -> None:
    data = builtin_scheme_data("shanghai-putuo")
    data["subsidy"]["categories"][0]["benefit"]["amount_fen"] = "5元"
    body = json.dumps(data, ensure_ascii=False)

    r = operator.post(
        "/subsidy/schemes/shanghai-putuo/new",
        data={"body": body, "effective_from": next_month_first(), "note": "", "csrf_token": csrf(operator)},
    )

    page = soup(r)
    assert r.status_code == 422
    assert one(page, "textarea#f-body")["aria-invalid"] == "true"
    assert one(page, "#f-body-err").get_text(strip=True) == (
        "⚠subsidy.categories[0].benefit.amount_fen：金额以分为单位，应为非负整数（3元写作 300），实际为 '5元'"
    )
    assert json.loads(one(page, "textarea#f-body").get_text()) == data
    assert len(session.exec(select(SubsidySchemeVersion)).all()) == 2


def test_a_date_in_the_past_is_refused_next_to_the_date(operator: Any) -> None:
    body = json.dumps(builtin_scheme_data("shanghai-putuo"), ensure_ascii=False)

    r = operator.post(
        "/subsidy/schemes/shanghai-putuo/new",
        data={
            "body": body,
            "effective_from": now().date().isoformat(),
            "note": "",
            "csrf_token": csrf(operator),
        },
    )

    page = soup(r)
    assert r.status_code == 422
    assert "新版本最早从明天" in one(page, "#f-effective_from-err").get_text()
    assert page.select_one("#f-body-err") is None


def test_scheme_page_reads_the_version_in_force_back_in_plain_chinese(operator: Any) -> None:
    page = soup(operator.get("/subsidy/schemes/shanghai-putuo"))

    rules = [li.get_text() for li in page.select("[data-rules] li")]
    assert rules[-4:] == [
        "· 80周岁及以上本市户籍老人（80周岁及以上，户籍上海）：折后消费满15元，每餐补贴3元",
        "出资：普陀区财政全额承担",
        "送餐费不补贴",
        "养老服务消费券：中度、重度、完全失能老人每月最多抵扣500元",
    ]
    assert json.loads(one(page, "[data-body]").get_text())["key"] == "shanghai-putuo"


def test_the_format_page_explains_every_part_of_a_scheme(operator: Any) -> None:
    page = soup(operator.get("/subsidy/format"))

    fields = [tr.select("td")[0].get_text() for tr in page.select("[data-format] tbody tr")]
    assert fields == [
        "key、name",
        "area",
        "funders",
        "discount",
        "subsidy",
        "caps",
        "categories",
        "benefit",
        "funding",
        "when",
    ]


def test_unknown_scheme_is_not_found(operator: Any) -> None:
    assert operator.get("/subsidy/schemes/no-such-scheme").status_code == 404


def test_settlement_page_shows_the_month_by_funder_and_category(operator: Any, session: Session) -> None:
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    day = now().date().replace(day=1) - timedelta(days=20)  # last month
    make_priced_order(session, make_senior(session, age=85, today=day), canteen, day)
    make_priced_order(session, make_senior(session, age=70, today=day), canteen, day)

    page = soup(
        operator.get("/subsidy/settlement", params={"month": f"{day:%Y-%m}", "canteen": str(canteen.id)})
    )

    funders = [
        (tr["data-funder"], tr["data-category"], one(tr, "[data-subsidy]").get_text())
        for tr in page.select("tr[data-funder]")
    ]
    assert funders == [("shanghai-putuo/putuo-district", "b-age-60-79", "2.00"),
                       ("shanghai-putuo/putuo-district", "c-age-80-plus", "3.00")]
    assert one(page, "tr[data-total] [data-subsidy]").get_text() == "5.00"
    assert len(page.select("tr[data-order]")) == 2
    assert one(page, "[data-print]").get_text() == "打印"


def test_settlement_downloads_as_excel_and_the_export_is_audited(operator: Any, session: Session) -> None:
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    day = now().date().replace(day=1) - timedelta(days=20)
    make_priced_order(session, make_senior(session, age=85, today=day), canteen, day)

    r = operator.get(
        "/subsidy/settlement/download", params={"month": f"{day:%Y-%m}", "canteen": "", "fmt": "xlsx"}
    )

    book = load_workbook(io.BytesIO(r.content))
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert [c.value for c in book["出资方汇总"][3]][:3] == [
        canteen.name,
        "普陀区财政",
        "80周岁及以上本市户籍老人",
    ]
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "settlement.exported")).one() is not None
    )


def test_settlement_csv_part_downloads_with_a_bom_for_excel(operator: Any) -> None:
    r = operator.get(
        "/subsidy/settlement/download", params={"month": "2026-10", "fmt": "csv", "part": "ledger"}
    )

    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith("\ufeff订单号".encode())


def test_settlement_page_takes_a_date_range_and_keeps_it_for_the_downloads(operator: Any) -> None:
    page = soup(operator.get("/subsidy/settlement", params={"start": "2026-10-01", "end": "2026-12-31"}))

    assert one(page, "[data-title]").get_text() == "全部食堂 2026-10-01 至 2026-12-31 补贴核销"
    assert "start=2026-10-01" in one(page, '[data-download="xlsx"]')["href"]


def test_a_malformed_month_is_explained_next_to_the_field(operator: Any) -> None:
    r = operator.get("/subsidy/settlement", params={"month": "11月"})

    page = soup(r)
    assert r.status_code == 422
    assert one(page, "#f-month-err").get_text(strip=True) == "⚠月份格式应为 年-月，如 2026-11。"
    assert one(page, "input#f-month")["value"] == "11月"


@pytest.mark.browser
def test_operator_adds_a_version_and_prints_the_settlement_in_a_real_browser(
    page: Any, session: Session
) -> None:
    from tests.browser.agefriendly import check_page
    from tests.conftest import screenshot
    from tests.factories import PASSWORD

    seed_schemes(session)
    make_user(session, "operator", phone=OPERATOR_PHONE, name="陈运营")
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    day = now().date().replace(day=1) - timedelta(days=20)
    make_priced_order(session, make_senior(session, age=85, today=day), canteen, day)
    page.goto("/login?mode=staff")
    page.fill("#f-phone", OPERATOR_PHONE)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")

    page.goto("/subsidy/format")
    problems = {"format": check_page(page)}
    page.goto("/subsidy")
    problems["schemes"] = check_page(page)
    screenshot(page, "subsidy-schemes")
    page.click('tr[data-scheme="shanghai-putuo"] >> text=添加新版本')
    page.fill("#f-effective_from", "2020-01-01")
    page.click("button[type=submit]")
    problems["form-error"] = check_page(page)
    screenshot(page, "subsidy-version-error")
    error = page.locator("#f-effective_from-err").inner_text()
    page.fill("#f-effective_from", next_month_first())
    page.click("button[type=submit]")
    saved = page.locator(".notice-ok").inner_text()
    problems["history"] = check_page(page)
    screenshot(page, "subsidy-history")
    page.goto(f"/subsidy/settlement?month={day:%Y-%m}")
    total = page.locator("tr[data-total] [data-subsidy]").inner_text()
    problems["settlement"] = check_page(page)
    screenshot(page, "subsidy-settlement")
    page.emulate_media(media="print")
    hidden_when_printed = page.locator(".settlement-form").is_hidden()

    assert "新版本最早从明天" in error
    assert "第 2 版已保存" in saved
    assert total == "3.00"
    assert hidden_when_printed
    assert problems == {"format": [], "schemes": [], "form-error": [], "history": [], "settlement": []}
