"""The database itself refuses impossible rows, whatever code path tries to write them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import Dish, MenuItem, Order, OrderLine, now
from tests.factories import make_canteen, make_menu, make_senior, make_user


def _order(session: Session, **kw: object) -> Order:
    canteen = make_canteen(session)
    menu = make_menu(session, canteen, now().date())
    senior = make_senior(session)
    user = make_user(session, "counter")
    fields: dict[str, object] = dict(public_no=f"T{menu.id}", senior_id=senior.id, canteen_id=canteen.id,
                                     menu_id=menu.id, service_date=menu.service_date, slot=menu.slot,
                                     fulfilment="dine_in", placed_by_id=user.id, placed_via="counter",
                                     idempotency_key="k1", changeable_until=now(), list_fen=2000,
                                     discount_fen=200, subsidy_fen=300, payable_fen=1500)
    fields.update(kw)
    return Order(**fields)  # type: ignore[arg-type]


def test_a_dish_with_a_negative_price_is_refused(session: Session) -> None:
    canteen = make_canteen(session)
    session.add(Dish(canteen_id=canteen.id or 0, name="负价菜", category="荤", price_fen=-1))

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_consistent_order_is_accepted(session: Session) -> None:
    order = _order(session)
    session.add(order)

    session.commit()

    assert order.id is not None


def test_an_order_whose_price_does_not_balance_is_refused(session: Session) -> None:
    session.add(_order(session, payable_fen=1600))

    with pytest.raises(IntegrityError):
        session.commit()


def test_an_order_for_a_date_the_menu_does_not_serve_is_refused(session: Session) -> None:
    order = _order(session)
    order.service_date = order.service_date + timedelta(days=1)
    session.add(order)

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_line_without_an_order_is_refused(session: Session) -> None:
    canteen = make_canteen(session)
    menu = make_menu(session, canteen, now().date())
    item = session.get(MenuItem, 1)
    assert item is not None
    session.add(OrderLine(order_id=999, menu_id=menu.id or 0, menu_item_id=item.id or 0, name="x",
                          unit_price_fen=100))

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_line_for_an_item_of_another_menu_is_refused(session: Session) -> None:
    order = _order(session)
    session.add(order)
    session.commit()
    other = make_menu(session, make_canteen(session), now().date())
    other_item = [i for i in session.exec(select(MenuItem)).all()
                  if i.menu_id == other.id][0]
    session.add(OrderLine(order_id=order.id or 0, menu_id=order.menu_id, menu_item_id=other_item.id or 0,
                          name="x", unit_price_fen=100))

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_menu_item_cannot_be_sold_beyond_its_limit(session: Session) -> None:
    canteen = make_canteen(session)
    make_menu(session, canteen, now().date(), quantity_limit=2)
    item = session.get(MenuItem, 1)
    assert item is not None
    item.sold_count = 3
    session.add(item)

    with pytest.raises(IntegrityError):
        session.commit()


def test_naive_datetimes_are_refused(session: Session) -> None:
    order = _order(session, changeable_until=now().replace(tzinfo=None))
    session.add(order)

    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_times_come_back_in_shanghai_time(session: Session) -> None:
    order = _order(session)
    session.add(order)
    session.commit()
    session.expire_all()

    loaded = session.get(Order, order.id)

    assert loaded is not None and str(loaded.created_at.tzinfo) == "Asia/Shanghai"
