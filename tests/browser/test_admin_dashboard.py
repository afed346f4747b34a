"""An operator reads today's dashboard and last month's report in the browser."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.models import (
    Alert,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    EmergencyContact,
    Vehicle,
    now,
)
from tests.browser.agefriendly import check_page
from tests.browser.test_admin_import import sign_in_as_operator
from tests.conftest import screenshot
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes

pytestmark = pytest.mark.browser


def _a_day_of_work(session: Session) -> None:
    """Today's orders and a route under way, an open no-answer, and a senior living alone gone quiet."""
    seed_schemes(session)
    today = now().date()
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    counter = make_user(session, "counter")
    for channel in ("dine_in", "dine_in", "pickup", "delivery", "delivery"):
        make_priced_order(session, make_senior(session), canteen, today, channel=channel, placed_by=counter)
    driver, vehicle = Driver(canteen_id=canteen.id or 0, name="孙师傅", phone="13900000011"), Vehicle(
        canteen_id=canteen.id or 0, name="孙师傅的电动车")
    plan = DeliveryPlan(canteen_id=canteen.id or 0, service_date=today, slot="lunch", status="published")
    session.add_all([driver, vehicle, plan])
    session.flush()
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0)
    session.add(route)
    session.flush()
    quiet = make_senior(session, name="王秀英", lives_alone=True)
    for seq, status in enumerate(("delivered", "no_answer", "pending"), start=1):
        order = make_priced_order(session, make_senior(session), canteen, today, channel="delivery", placed_by=counter)
        session.add(DeliveryStop(route_id=route.id or 0, order_id=order.id or 0, seq=seq, status=status))
    session.add(Alert(kind="no_answer", senior_id=quiet.id or 0, canteen_id=canteen.id or 0,
                      message="敲门两次无人应答，电话未接"))
    session.add(EmergencyContact(senior_id=quiet.id or 0, name="王海燕", relation="女儿", phone="13800001234"))
    for n in range(3, 9):
        make_priced_order(session, quiet, canteen, today - timedelta(days=n), status="served", placed_by=counter)
    session.commit()


def _last_month(session: Session) -> date:
    seed_schemes(session)
    first = (now().date().replace(day=1) - timedelta(days=1)).replace(day=1)
    canteens = [make_canteen(session, name="彭浦新村长者食堂"), make_canteen(session, name="共康长者食堂")]
    counter = make_user(session, "counter")
    seniors = [make_senior(session) for _ in range(4)]
    for day_no in range(0, 20, 2):
        for i, senior in enumerate(seniors[: 1 + day_no % 4]):
            channel = ("dine_in", "delivery", "pickup")[i % 3]
            make_priced_order(session, senior, canteens[i % 2], first + timedelta(days=day_no), channel=channel,
                              status="served", placed_by=counter)
    return first


def test_an_operator_reads_todays_dashboard(page: Any, session: Session) -> None:
    _a_day_of_work(session)
    sign_in_as_operator(page, session)

    page.goto("/admin")
    orders = page.locator("[data-stat=orders] .stat-value").inner_text()
    route = page.locator('[data-route="彭浦新村长者食堂-lunch"]').inner_text()
    alert = page.locator("[data-alert]").inner_text()
    call_link = page.locator("[data-alert] a[href='tel:13800001234']").count()
    check_in = page.locator("[data-check-in]").inner_text()
    problems = check_page(page)
    screenshot(page, "admin-dashboard")

    assert orders == "8"
    assert route.split() == ["彭浦新村长者食堂", "午餐", "已发布", "1", "3", "1", "1", "1"]
    assert "王秀英" in alert and "王海燕（女儿）138****1234" in alert
    assert call_link == 1
    assert check_in.startswith("王秀英 独居")
    assert problems == []


def test_an_operator_reads_last_months_report(page: Any, session: Session) -> None:
    first = _last_month(session)
    sign_in_as_operator(page, session)

    page.goto("/admin")
    page.click(".admin-nav >> text=统计报表")
    start = page.input_value("#f-start")
    total = page.locator("[data-total-meals]").inner_text()
    bars = page.locator('[data-chart="每天的餐数"] rect').count()
    problems = check_page(page)
    screenshot(page, "admin-report")
    with page.expect_download() as download:
        page.click("[data-download]")

    assert start == first.isoformat()
    assert total == "20"
    assert bars >= 28
    assert download.value.suggested_filename.endswith(".xlsx")
    assert problems == []

