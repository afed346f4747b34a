"""Finding 1 of the security review, against a live server with real threads, on SQLite and PostgreSQL alike:
five simultaneous POST /api/v1/orders for one senior and one meal make one standing order with one subsidy, and
the same idempotency key sent five times at once makes one order that the replays answer with 200."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.settings import TZ
from app.models import MenuItem, Order
from app.ordering import rules as ordering_rules
from tests.factories import make_canteen, make_menu, make_senior, make_user, seed_schemes

DAY = date(2030, 3, 4)
PIN = "3817"


@pytest.fixture
def world(session: Session, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(ordering_rules, "current_time", lambda: datetime(2030, 3, 4, 8, 0, tzinfo=TZ))
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀")
    senior = make_senior(session, age=85, today=DAY, default_canteen_id=canteen.id, card_no="88000001")
    user = make_user(session, "senior", senior=senior, password=PIN)
    menu = make_menu(session, canteen, DAY, "lunch", items=[("一荤两素一汤", 2000)])
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    return dict(senior=senior, menu=menu, item=item, canteen=canteen, user=user)


def _signed_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as c:
        c.get("/login")
        r = c.post("/login/senior", data={"card_no": "88000001", "pin": PIN,
                                          "csrf_token": c.cookies.get("canteen_csrf") or ""})
        assert r.status_code in (200, 303), r.text[-300:]
        return c.cookies


def _fire(base: str, cookies: httpx.Cookies, body: dict[str, Any], keys: list[str]) -> list[httpx.Response]:
    """POST every key at once from its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(keys))
    replies: list[Any] = [None] * len(keys)

    def run(i: int) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as c:
            headers = {"X-CSRF-Token": c.cookies.get("canteen_csrf") or "", "Idempotency-Key": keys[i]}
            barrier.wait()
            replies[i] = c.post("/api/v1/orders", json=body, headers=headers)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(keys))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    return replies


def _body(w: dict[str, Any]) -> dict[str, Any]:
    return {"senior_id": w["senior"].id, "menu_id": w["menu"].id, "fulfilment": "dine_in",
            "items": [{"menu_item_id": w["item"].id}]}


def test_five_orders_at_once_with_their_own_keys_make_one_order_and_one_subsidy(
        live_server: str, session: Session, world: dict[str, Any]) -> None:
    cookies = _signed_in(live_server)

    replies = _fire(live_server, cookies, _body(world), [f"race-tap-{i:04d}" for i in range(5)])

    session.expire_all()
    orders = session.exec(select(Order).where(Order.senior_id == world["senior"].id)).all()
    assert sorted(r.status_code for r in replies) == [201, 409, 409, 409, 409]
    refusal = msg.ORDER_ALREADY_PLACED.format(day="今天", slot="午餐", public_no=orders[0].public_no)
    assert [r.json()["detail"] for r in replies if r.status_code == 409] == [refusal] * 4
    assert [(o.status, o.subsidy_fen, o.subsidised_meals) for o in orders] == [("placed", 300, 1)]


def test_one_key_sent_five_times_at_once_makes_one_order_and_the_replays_answer_200(
        live_server: str, session: Session, world: dict[str, Any]) -> None:
    cookies = _signed_in(live_server)

    replies = _fire(live_server, cookies, _body(world), ["double-tap-0001"] * 5)

    session.expire_all()
    orders = session.exec(select(Order)).all()
    assert sorted(r.status_code for r in replies) == [200, 200, 200, 200, 201]
    assert {r.json()["id"] for r in replies} == {orders[0].id}
    assert len(orders) == 1


def test_the_database_itself_refuses_a_second_standing_order_for_the_same_senior_and_slot(
        session: Session, world: dict[str, Any]) -> None:
    first = _order(world, "first-key-0001")
    session.add(first)
    session.commit()

    session.add(_order(world, "second-key-0001", public_no="X2"))

    with pytest.raises(IntegrityError, match="uq_meal_order_standing_slot|UNIQUE constraint failed"):
        session.commit()


def test_the_database_itself_refuses_a_second_daily_subsidy_but_a_cancelled_order_releases_it(
        session: Session, world: dict[str, Any]) -> None:
    dinner = make_menu(session, world["canteen"], DAY, "dinner", items=[("晚餐套餐", 2000)])
    cancelled = _order(world, "lunch-key-0001", status="cancelled", subsidy_day=DAY)
    lunch = _order(world, "lunch-key-0002", public_no="X2", subsidy_day=DAY)
    session.add_all([cancelled, lunch])
    session.commit()

    session.add(_order(world, "dinner-key-001", public_no="X3", subsidy_day=DAY, menu_id=dinner.id or 0,
                       slot="dinner"))

    with pytest.raises(IntegrityError, match="uq_meal_order_subsidy_day|UNIQUE constraint failed"):
        session.commit()
    session.rollback()
    assert len(session.exec(select(Order).where(col(Order.subsidy_day) == DAY)).all()) == 2


def _order(world: dict[str, Any], key: str, *, public_no: str = "X1", status: str = "placed",
           subsidy_day: date | None = None, menu_id: int | None = None, slot: str = "lunch") -> Order:
    senior, menu = world["senior"], world["menu"]
    at = datetime(2030, 3, 4, 8, 0, tzinfo=TZ)
    return Order(public_no=public_no + key[-4:], senior_id=senior.id, canteen_id=menu.canteen_id,
                 menu_id=menu_id or menu.id, service_date=DAY, slot=slot, fulfilment="dine_in", status=status,
                 placed_by_id=world["user"].id, placed_via="self", idempotency_key=key, changeable_until=at,
                 list_fen=2000, subsidy_fen=300 if subsidy_day else 0, payable_fen=1700 if subsidy_day else 2000,
                 subsidised_meals=1 if subsidy_day else 0, scheme_key="shanghai-putuo", subsidy_day=subsidy_day)
