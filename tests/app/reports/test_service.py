"""Reports over a date range reconcile with the orders: meals per canteen × slot × channel, head-counts, meals per
day, delivery punctuality and no-answers, a bar chart's geometry, and the Excel download."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, func, select

from app.core.errors import InvalidInput
from app.core.settings import TZ
from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop, Driver, Order, Vehicle
from app.reports import service as rp
from app.reports.dashboard import Scope
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes

START, END = date(2026, 10, 1), date(2026, 10, 31)


def _october(session: Session) -> tuple[object, object]:
    seed_schemes(session)
    a, b = make_canteen(session, name="彭浦食堂"), make_canteen(session, name="共康食堂")
    counter = make_user(session, "counter")
    wang, li = make_senior(session), make_senior(session)
    for day, canteen, senior, slot, channel, status in [
        (date(2026, 10, 1), a, wang, "lunch", "dine_in", "served"),
        (date(2026, 10, 2), a, wang, "lunch", "dine_in", "served"),
        (date(2026, 10, 2), a, li, "lunch", "delivery", "delivered"),
        (date(2026, 10, 2), a, li, "dinner", "delivery", "no_answer"),
        (date(2026, 10, 3), b, wang, "lunch", "pickup", "served"),
        (date(2026, 10, 3), b, li, "lunch", "dine_in", "cancelled"),
        (date(2026, 9, 30), a, wang, "lunch", "dine_in", "served"),
        (date(2026, 11, 1), a, wang, "lunch", "dine_in", "served"),
    ]:
        make_priced_order(
            session, senior, canteen, day, slot, channel=channel, status=status, placed_by=counter
        )
    return a, b


def test_meals_per_canteen_slot_and_channel_reconcile_with_the_orders_of_the_range(session: Session) -> None:
    _october(session)

    report = rp.build(session, Scope(), START, END)

    standing = session.exec(
        select(func.count())
        .select_from(Order)
        .where(
            col(Order.service_date) >= START, col(Order.service_date) <= END, col(Order.status) != "cancelled"
        )
    ).one()
    assert [(m.canteen_name, m.slot, m.channel, m.meals, m.seniors) for m in report.meals] == [
        ("彭浦食堂", "lunch", "dine_in", 2, 1),
        ("彭浦食堂", "lunch", "delivery", 1, 1),
        ("彭浦食堂", "dinner", "delivery", 1, 1),
        ("共康食堂", "lunch", "pickup", 1, 1),
    ]
    assert report.total_meals == standing == 5
    assert sum(n for _, n in report.per_day) == 5
    assert report.per_day[:4] == [
        (date(2026, 10, 1), 1),
        (date(2026, 10, 2), 3),
        (date(2026, 10, 3), 1),
        (date(2026, 10, 4), 0),
    ]
    assert (report.seniors, report.by_canteen()) == (2, [("彭浦食堂", 4), ("共康食堂", 1)])
    assert report.by_channel() == [("堂食", 2), ("自取", 1), ("送餐上门", 2)]


def test_one_canteen_only_counts_its_own_meals(session: Session) -> None:
    a, _b = _october(session)

    report = rp.build(session, Scope(canteen_id=a.id), START, END)  # type: ignore[attr-defined]

    assert (report.total_meals, [c.name for c in report.canteens]) == (4, ["彭浦食堂"])


def test_punctuality_compares_the_eta_with_the_reported_delivery_and_counts_no_answers(
    session: Session,
) -> None:
    seed_schemes(session)
    canteen = make_canteen(session, name="彭浦食堂")
    driver, vehicle = (
        Driver(canteen_id=canteen.id or 0, name="孙师傅", phone="13900000011"),
        Vehicle(canteen_id=canteen.id or 0, name="电动车"),
    )
    day = date(2026, 10, 8)
    plan = DeliveryPlan(canteen_id=canteen.id or 0, service_date=day, slot="lunch", status="published")
    session.add_all([driver, vehicle, plan])
    session.flush()
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0)
    session.add(route)
    session.flush()
    eta = datetime.combine(day, time(11, 30), TZ)
    for seq, (status, minutes_after) in enumerate(
        [("delivered", -5), ("delivered", 15), ("delivered", 40), ("no_answer", None)], start=1
    ):
        order = make_priced_order(session, make_senior(session), canteen, day, channel="delivery")
        reported = eta + timedelta(minutes=minutes_after) if minutes_after is not None else None
        session.add(
            DeliveryStop(
                route_id=route.id or 0,
                order_id=order.id or 0,
                seq=seq,
                status=status,
                eta=eta,
                reported_at=reported,
            )
        )
    session.commit()

    (p,) = rp.build(session, Scope(), START, END).punctuality

    assert (p.delivered, p.on_time, p.late, p.worst_late_minutes, p.no_answer, p.on_time_percent) == (
        3,
        2,
        1,
        40,
        1,
        67,
    )


def test_the_excel_download_holds_the_same_figures_as_the_page(session: Session) -> None:
    _october(session)
    report = rp.build(session, Scope(), START, END)

    wb = load_workbook(io.BytesIO(rp.to_xlsx(report)))

    meals = [list(r) for r in wb["餐数"].iter_rows(min_row=3, values_only=True)]
    assert wb.sheetnames == ["餐数", "每日餐数", "送餐准时"]
    assert meals[0] == ["彭浦食堂", "午餐", "堂食", 2, 1]
    assert meals[-1] == ["合计", None, None, 5, 2]
    assert wb["每日餐数"].max_row == 2 + 31


def test_a_bar_chart_scales_the_tallest_bar_to_the_full_height() -> None:
    chart = rp.bar_chart("每日餐数", [("1日", 10), ("2日", 5), ("3日", 0)], width=300, height=270)

    tall, half, empty = chart.bars
    assert (tall.height, half.height, empty.height) == (200.0, 100.0, 0.0)
    assert tall.y == 30.0 and half.y + half.height == chart.baseline == 230.0
    assert tall.x == 15.0


def test_a_range_that_ends_before_it_starts_is_refused_next_to_the_end_date() -> None:
    with pytest.raises(InvalidInput) as refused:
        rp.date_range("2026-10-31", "2026-10-01")

    assert refused.value.errors == {"end": "结束日期不能早于开始日期。"}
