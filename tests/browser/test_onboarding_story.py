"""Issue 14's "Done when", in a real Chromium: a street's messy register and its building register are imported,
and an imported senior is then served end to end: the map point comes from the address, a card is issued and
printed, the senior signs in with it, a helper is linked from the record, a delivery order is priced at the
senior's tier (本市 read as 上海, 是否低保 “是” as 低保), and the peanut dish is refused."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.core.settings import TZ, get_settings
from app.models import CanteenSlot, HelperLink, Order, OrderSubsidy, Senior, SubsidySchemeVersion, now
from app.ordering import rules as ordering_rules
from app.pricing.builtin import builtin_scheme_data
from routing import haversine_m
from tests.browser.agefriendly import check_page
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import screenshot
from tests.data import registers as reg
from tests.data.buildings import LINFEN_2, building_register
from tests.factories import make_canteen, make_dish_menu, make_user

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


@pytest.fixture
def street(session: Session, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A 静安 canteen whose scheme subsidises delivery too (the 普陀 rules, moved to 静安), lunch delivery open
    until 9:00 and the clock at 8:00; today's lunch has a peanut dish and a safe one."""
    at = datetime.combine(now().date(), time(8, 0), TZ)
    monkeypatch.setattr(ordering_rules, "current_time", lambda: at)
    scheme = json.loads(json.dumps(builtin_scheme_data("shanghai-putuo"), ensure_ascii=False).replace("普陀", "静安"))
    scheme |= {"key": "test-jingan", "name": "静安区长者助餐补贴（测试）"}
    scheme["discount"]["channels"] = scheme["subsidy"]["channels"] = ["dine_in", "delivery"]
    session.add(SubsidySchemeVersion(scheme_key="test-jingan", name=scheme["name"], version=1,
                                     effective_from=date(2026, 1, 1), body=json.dumps(scheme, ensure_ascii=False)))
    canteen = make_canteen(session, name="临汾路长者食堂", district="静安", street="临汾路街道",
                           scheme_key="test-jingan")
    for slot in session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen.id)):
        slot.delivery_cutoff_days_before, slot.delivery_cutoff = 0, time(9, 0)
        session.add(slot)
    make_dish_menu(session, canteen, at.date(), "lunch", dishes=[
        dict(name="花生酱拌面", price_fen=1200, allergens="花生酱"),
        dict(name="红烧狮子头", price_fen=1500, allergens="")])
    make_user(session, "helper", phone="13800002222", name="李女儿")
    return {"canteen": canteen}


def _ok(page: Any, name: str, problems: list[list[str]]) -> None:
    problems.append(check_page(page))
    screenshot(page, name)


def test_an_imported_senior_is_placed_carded_signed_in_linked_and_orders_a_delivery_but_not_the_peanut_dish(
        page: Any, session: Session, tmp_path: Path, street: dict[str, Any]) -> None:
    problems: list[list[str]] = []
    (tmp_path / "楼栋.xlsx").write_bytes(building_register())
    (tmp_path / "名册.xlsx").write_bytes(reg.real_register())
    sign_in_as_operator(page, session)

    # The building register, then the civil-affairs register (its troubles are confirmed in the preview).
    page.goto("/admin/buildings")
    page.set_input_files("#f-file", str(tmp_path / "楼栋.xlsx"))
    page.fill("#f-district", "静安")
    page.click("form[data-form=buildings] button[type=submit]")
    page.wait_for_selector("[data-building='临汾小区2号']")
    page.goto("/admin/seniors/import")
    page.select_option("#f-canteen", label="临汾路长者食堂")
    page.set_input_files("#f-file", str(tmp_path / "名册.xlsx"))
    page.click("form[data-form=upload] button[type=submit]")
    page.wait_for_selector("[data-noted-row]")
    _ok(page, "onboard-1-import-preview", problems)
    page.check("#f-confirm_warnings")
    page.click("[data-import-all]")
    imported = page.locator("[data-import-done]").inner_text()

    # Map points from the addresses, straight from the import's last page.
    page.click("[data-locate]")
    page.wait_for_selector("[data-located='王秀英']")
    _ok(page, "onboard-2-located", problems)
    wang = session.exec(select(Senior).where(Senior.name == "王秀英")).one()

    # A card, printed; a helper linked from the record.
    page.goto(f"/admin/seniors/{wang.id}")
    source = page.locator("[data-point-source]").inner_text()
    page.click("[data-issue-card]")
    card_no, pin = page.locator("[data-card-no]").inner_text(), page.locator("[data-pin]").inner_text()
    page.emulate_media(media="print")
    screenshot(page, "onboard-3-card-sheet-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("[data-cards-pdf]")
    pdf_path = tmp_path / "cards.pdf"
    download.value.save_as(pdf_path)
    page.goto(f"/admin/seniors/{wang.id}")
    page.fill("#f-helper_phone", "13800002222")
    page.fill("#f-relation", "女儿")
    page.fill("#f-consent_by", "王秀英")
    page.select_option("#f-consent_method", "当面")
    page.click("[data-link-helper]")
    page.wait_for_selector("[data-helper='李女儿']")
    _ok(page, "onboard-4-record-helper-linked", problems)

    # The senior signs in with the new card and orders.
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#f-card_no", card_no)
    page.fill("#f-pin", pin)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.click("[data-blocked-fold] > summary")
    peanut = page.locator("[data-item='花生酱拌面']").inner_text()
    _ok(page, "onboard-5-senior-menu", problems)
    page.click("[data-item='红烧狮子头'] a.btn-primary")
    page.click("[data-way=delivery]")
    _ok(page, "onboard-6-confirm-delivery", problems)
    page.click(".btn-confirm")
    page.wait_for_selector(".done-when")

    session.expire_all()
    wang = session.exec(select(Senior).where(Senior.name == "王秀英")).one()
    order = session.exec(select(Order)).one()
    subsidy = session.exec(select(OrderSubsidy)).one()
    assert "新增 5 位" in imported
    assert (wang.hukou_city, wang.economic_status, wang.allergies, wang.point_source) == ("上海", "低保", "花生",
                                                                                          "building")
    assert haversine_m(wang.lat or 0, wang.lng or 0, *LINFEN_2) < 1.0
    assert source == "楼栋登记（门牌精确匹配）"
    assert card_no == "880000013"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert session.exec(select(HelperLink).where(HelperLink.senior_id == wang.id)).one().relation == "女儿"
    assert "不能订：含有花生，王秀英对花生过敏" in peanut
    assert (order.senior_id, order.fulfilment, order.address_snapshot) == (wang.id, "delivery", wang.address)
    # 15.00 less 15 % (80+ 静安 resident) = 12.75, less the 5.00 低保 subsidy, plus the 3.00 delivery fee
    assert (order.list_fen, order.delivery_fee_fen, order.discount_fen, order.subsidy_fen, order.payable_fen) == (
        1800, 300, 225, 500, 1075)
    assert subsidy.category_key == "a-dibao"  # 60+ 本市户籍低保: the tier the register's 本市 and 是 mean
    assert problems == [[]] * 5
