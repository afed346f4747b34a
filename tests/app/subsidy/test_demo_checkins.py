"""The demo district's past lunches were checked in at the counter, most of them: its settlement is realistic,
claiming the served meals and listing the no-shows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.demo.build import build_demo
from app.models import Order, OrderEvent
from app.subsidy import settlement

DAY = date(2026, 11, 4)  # a Wednesday already past (no-shows are listed only for past days)


def test_most_past_counter_meals_are_checked_in_and_the_rest_are_no_shows(session: Session) -> None:
    build_demo(session, seniors=40, today=DAY)

    past = session.exec(select(Order).where(Order.service_date < DAY,
                                            col(Order.fulfilment).in_(("dine_in", "pickup")))).all()
    served = [o for o in past if o.status == "served"]
    waiting = [o for o in past if o.status == "placed"]
    events = session.exec(select(OrderEvent).where(OrderEvent.status == "served")).all()
    report = settlement.settle(session, settlement.range_scope("2026-11-02", "2026-11-03"))
    assert len(past) >= 10
    assert 0.75 <= len(served) / len(past) < 1 and waiting
    assert sorted(e.order_id for e in events) == sorted(o.id for o in served)
    assert all(e.at.date() == o.service_date for e in events for o in served if o.id == e.order_id)
    assert {o.public_no for o in served} <= {row.order_no for row in report.ledger}
    assert {o.public_no for o in waiting} == {e.order_no for e in report.exceptions if e.kind == "no_show"}
    assert not session.exec(select(Order).where(Order.service_date >= DAY, Order.status == "served")).all()
