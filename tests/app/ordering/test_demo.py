"""The demo's orders go through place_order: they balance, respect portions, and cover every way of eating."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from app.demo.build import build_demo
from app.models import MenuItem, Order, OrderLine

DAY = date(2030, 3, 6)


def test_demo_orders_cover_todays_meals_by_preference_and_match_the_portion_counts(session: Session) -> None:
    build_demo(session, seniors=40, today=DAY)

    today = session.exec(select(Order).where(Order.service_date == DAY)).all()
    later = session.exec(select(Order).where(Order.service_date > DAY)).all()
    sold = session.exec(select(func.sum(MenuItem.sold_count))).one()
    portions = session.exec(select(func.sum(OrderLine.quantity))).one()
    lunch_share = len({o.senior_id for o in today if o.slot == "lunch"}) / 40
    assert 0.45 <= lunch_share <= 0.75
    assert {o.fulfilment for o in today} == {"dine_in", "pickup", "delivery"}
    assert {o.placed_via for o in today} >= {"helper", "self"}
    assert later
    assert sold == portions
    assert all(o.list_fen == o.discount_fen + o.subsidy_fen + o.payable_fen for o in [*today, *later])
