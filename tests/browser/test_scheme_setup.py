"""A district sets itself up: a new scheme for 天津河西 from a blank form, a canteen attached to it, the preview,
the save, and an order at that canteen priced by it; a bad version refused with every error shown."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import Canteen, SubsidySchemeVersion, now
from tests.browser.agefriendly import check_page, settled
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import ARTIFACTS, screenshot
from tests.factories import make_canteen, make_priced_order, make_senior, seed_schemes

pytestmark = pytest.mark.browser


def _next_month_first() -> date:
    return (now().date().replace(day=28) + timedelta(days=4)).replace(day=1)


def _fill_hexi(page: Any) -> None:
    page.fill("#f-key", "tianjin-hexi")
    page.fill("#f-area_city", "天津")
    page.fill("#f-area_district", "河西")
    page.fill("#f-name", "天津市河西区老年助餐补贴")
    page.fill("#f-note", "依据河西区2027年1号通知")
    page.select_option("#f-funder1_kind", "city")
    page.fill("#f-funder1_name", "天津市财政")
    page.select_option("#f-funder1_share", "fixed")
    page.fill("#f-funder1_amount", "1")
    page.select_option("#f-funder2_kind", "district")
    page.fill("#f-funder2_name", "河西区财政")
    page.fill("#f-tier1_name", "60至79周岁")
    page.fill("#f-tier1_min_age", "60")
    page.fill("#f-tier1_max_age", "79")
    page.fill("#f-tier1_hukou", "天津")
    page.fill("#f-tier1_amount", "3")
    page.fill("#f-tier2_name", "80周岁及以上")
    page.fill("#f-tier2_min_age", "80")
    page.fill("#f-tier2_hukou", "天津")
    page.fill("#f-tier2_amount", "5")


def test_a_district_creates_its_scheme_attaches_a_canteen_and_an_order_is_priced_by_it(
        page: Any, session: Session) -> None:
    seed_schemes(session)
    for age in (70, 72, 86):
        make_senior(session, age=age, hukou="天津", residence_city="天津", residence_district="河西")
    canteen = make_canteen(session, name="河西区友谊路长者食堂", district="河西", street="友谊路街道", scheme_key="")
    sign_in_as_operator(page, session)

    page.goto("/subsidy")
    page.click("[data-create-scheme]")
    _fill_hexi(page)
    page.click("button[value=preview]")
    tiers = {row.get_attribute("data-tier"): row.locator("td.num").inner_text()
             for row in page.locator("[data-preview-tiers] tr[data-tier]").all()}
    preview_problems = check_page(page)
    screenshot(page, "subsidy-scheme-preview")
    page.locator("[data-preview]").screenshot(path=str(ARTIFACTS / "subsidy-scheme-preview-part.png"))
    page.click("button[value=save]")
    page.wait_for_url("**/subsidy/schemes/tianjin-hexi?added=1")
    saved_notice = page.locator(".notice-ok").inner_text()
    page.goto(f"/admin/canteens/edit?canteen={canteen.id}")
    page.select_option("#f-scheme_key", "tianjin-hexi")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/admin/canteens")
    page.goto("/subsidy/schemes/tianjin-hexi")
    attached = page.locator("[data-attached] li").all_inner_texts()
    scheme_problems = check_page(page)
    screenshot(page, "subsidy-scheme-saved")

    day = _next_month_first()
    session.expire_all()
    attached_canteen = session.get(Canteen, canteen.id)
    person = make_senior(session, age=85, hukou="天津", residence_city="天津", residence_district="河西", today=day)
    order = make_priced_order(session, person, attached_canteen, day, price_fen=1500)
    assert tiers == {"60至79周岁": "2", "80周岁及以上": "1", "不享受补贴": "0"}
    assert saved_notice.startswith("方案“天津市河西区老年助餐补贴”已创建，第 1 版自")
    assert attached == ["河西区友谊路长者食堂（河西）"]
    assert (order.scheme_key, order.category_name, order.subsidy_fen, order.payable_fen) == (
        "tianjin-hexi", "80周岁及以上", 500, 1000)
    assert preview_problems == [] and scheme_problems == []


def test_a_bad_version_is_refused_with_every_error_shown_and_the_first_in_view(page: Any, session: Session) -> None:
    seed_schemes(session)
    sign_in_as_operator(page, session)

    page.goto("/subsidy/new-scheme")
    _fill_hexi(page)
    page.fill("#f-key", "Tianjin Hexi")
    page.fill("#f-tier1_max_age", "50")
    page.fill("#f-tier2_amount", "五元")
    page.fill("#f-effective_from", "")
    page.click("button[value=preview]")
    summary = page.locator("[data-error-summary] li").all_inner_texts()
    settled(page)
    summary_has_focus = page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.click("[data-error-summary] a[data-error-for=tier1_max_age]")
    field_has_focus = page.evaluate("document.activeElement.id")
    shown = {el.get_attribute("id") for el in page.locator(".error-text").all()}
    problems = check_page(page)
    screenshot(page, "subsidy-scheme-errors")

    assert shown == {"f-key-err", "f-tier1_max_age-err", "f-tier2_amount-err", "f-effective_from-err"}
    assert len(summary) == 4
    assert summary_has_focus and field_has_focus == "f-tier1_max_age"
    assert page.locator("#f-tier1_max_age").input_value() == "50"
    assert session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key != "shanghai-putuo")
                        ).all() == []
    assert problems == []
