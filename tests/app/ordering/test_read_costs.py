"""What a morning rush costs the database: each ordering endpoint runs a bounded number of SQL statements (a
budget that fails when someone adds an N+1), and the menus kept between requests follow every operator edit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core import revision
from app.core.settings import TZ
from app.models import Dish, MenuItem
from app.ordering import rules as ordering_rules
from tests.conftest import csrf
from tests.factories import PIN, days_ahead, make_canteen, make_menu, make_senior, make_user, seed_schemes

# Budgets per request, measured when they were set (a week of lunches and dinners, a signed-in senior):
# GET /api/v1/menus (7 days, 14 meals): who is signed in; the senior, the catalogue stamp and the standing orders;
# the sold counts. The published menus and built items come from the process's shelf (5 before, 8 before that).
MENUS_API_BUDGET = 3
MENU_PAGE_BUDGET = 4   # GET /order: the same, and the last order of the slot for 和上次一样 (6 before, 9 before that)
# POST /api/v1/orders, a new order (17, then 13 before: the short number, the stamp and the standing meal now ride
# on other statements). On PostgreSQL number, order, lines, shares and event are one statement (11 before).
PLACE_ORDER_BUDGET = {"sqlite": 11, "postgresql": 7}


@pytest.fixture
def week(session: Session, client: Any, login: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(ordering_rules, "current_time", lambda: datetime.combine(days_ahead(0),
                                                                                datetime.min.time(), TZ)
                        .replace(hour=7))
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀")
    senior = make_senior(session, age=82, default_canteen_id=canteen.id, card_no="88000031")
    make_user(session, "senior", senior=senior, password=PIN)
    menus = [make_menu(session, canteen, days_ahead(d), slot, items=[("一荤两素一汤", 2000), ("小份菜", 900),
                                                                     ("爱心套餐", 800)], quantity_limit=50)
             for d in range(0, 7) for slot in ("lunch", "dinner")]
    login(card_no="88000031", pin=PIN)
    return {"senior": senior, "menus": menus, "canteen": canteen}


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's write lock at BEGIN is transaction control, not a read
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _item_of(session: Session, menu_id: int, position: int = 0) -> MenuItem:
    return session.exec(select(MenuItem).where(MenuItem.menu_id == menu_id, MenuItem.position == position)).one()


def _order(client: Any, session: Session, senior_id: int, menu_id: int, key: str) -> Any:
    return client.post("/api/v1/orders", headers={"X-CSRF-Token": csrf(client)}, json={
        "senior_id": senior_id, "menu_id": menu_id, "fulfilment": "dine_in",
        "items": [{"menu_item_id": _item_of(session, menu_id).id}], "idempotency_key": key})


def test_the_weeks_menus_stay_within_the_statement_budget(client: Any, session: Session, week: dict[str, Any],
                                                          statements: list[str]) -> None:
    for n, menu in enumerate(week["menus"][:6]):  # a senior with orders standing: no query per order either
        assert _order(client, session, week["senior"].id, menu.id, f"standing-{n:04d}").status_code == 201
    client.get(f"/api/v1/menus?senior_id={week['senior'].id}")
    statements.clear()

    response = client.get(f"/api/v1/menus?senior_id={week['senior'].id}")

    assert response.status_code == 200 and len(response.json()) == 14
    assert len(statements) <= MENUS_API_BUDGET, "\n".join(s[:90] for s in statements)


def test_the_senior_menu_page_stays_within_the_statement_budget(client: Any, week: dict[str, Any],
                                                                statements: list[str]) -> None:
    client.get("/order")
    statements.clear()

    response = client.get("/order")

    assert response.status_code == 200
    assert len(statements) <= MENU_PAGE_BUDGET, "\n".join(s[:90] for s in statements)


def test_placing_an_order_stays_within_the_statement_budget(client: Any, session: Session, week: dict[str, Any],
                                                            statements: list[str], engine: Engine) -> None:
    first, second = week["menus"][0], week["menus"][2]
    client.get(f"/api/v1/menus?senior_id={week['senior'].id}")  # the senior looked at the week first
    for menu, key in ((first, "budget-warm-1"), (second, "budget-count-2")):
        item_id = _item_of(session, menu.id).id
        statements.clear()
        response = client.post("/api/v1/orders", headers={"X-CSRF-Token": csrf(client)}, json={
            "senior_id": week["senior"].id, "menu_id": menu.id, "fulfilment": "dine_in",
            "items": [{"menu_item_id": item_id}], "idempotency_key": key})
        assert response.status_code == 201

    assert len(statements) <= PLACE_ORDER_BUDGET[engine.dialect.name], "\n".join(s[:90] for s in statements)


def test_a_menu_the_operator_withdraws_or_publishes_shows_on_the_next_menu_read(
        client: Any, session: Session, week: dict[str, Any]) -> None:
    url = f"/api/v1/menus?senior_id={week['senior'].id}&days=2"
    first = week["menus"][0]
    assert [m["menu_id"] for m in client.get(url).json()][:1] == [first.id]  # now kept by this process

    first.status = "draft"
    session.add(first)
    session.commit()
    withdrawn = [m["menu_id"] for m in client.get(url).json()]
    first.status = "published"
    session.add(first)
    session.commit()
    again = [m["menu_id"] for m in client.get(url).json()]

    assert first.id not in withdrawn and len(withdrawn) == 3
    assert again[0] == first.id and len(again) == 4


def test_a_price_the_operator_changes_shows_on_the_next_menu_read(client: Any, session: Session,
                                                                   week: dict[str, Any]) -> None:
    url = f"/api/v1/menus?senior_id={week['senior'].id}&days=1"
    before = client.get(url).json()[0]["items"][0]["price_fen"]
    item = _item_of(session, week["menus"][0].id)
    item.price_fen = 2300
    session.add(item)
    session.commit()

    after = client.get(url).json()[0]["items"][0]["price_fen"]

    assert (before, after) == (2000, 2300)


def test_an_allergen_added_to_a_dish_by_a_bulk_update_blocks_it_on_the_next_read(
        client: Any, session: Session, week: dict[str, Any]) -> None:
    senior = week["senior"]
    senior.allergies = "花生"
    session.add(senior)
    session.commit()
    url = f"/api/v1/menus?senior_id={senior.id}&days=1"
    assert client.get(url).json()[0]["items"][0]["blocked"] == ""

    session.exec(update(Dish).where(col(Dish.canteen_id) == week["canteen"].id).values(allergens="花生"))
    session.commit()

    assert "花生" in client.get(url).json()[0]["items"][0]["blocked"]


def test_selling_portions_leaves_the_catalogue_stamp_alone_yet_shows_what_is_left(
        client: Any, session: Session, week: dict[str, Any]) -> None:
    menu = week["menus"][0]
    url = f"/api/v1/menus?senior_id={week['senior'].id}&days=1"
    client.get(url)
    stamp = revision.current(session)
    item = _item_of(session, menu.id)

    client.post("/api/v1/orders", headers={"X-CSRF-Token": csrf(client)}, json={
        "senior_id": week["senior"].id, "menu_id": menu.id, "fulfilment": "dine_in",
        "items": [{"menu_item_id": item.id, "quantity": 2}], "idempotency_key": "sold-two-1"})
    session.expire_all()

    assert revision.current(session) == stamp
    assert client.get(url).json()[0]["items"][0]["left"] == 48


def test_a_cutoff_the_operator_moves_shows_on_the_next_menu_read(client: Any, session: Session,
                                                                  week: dict[str, Any]) -> None:
    from app.models import CanteenSlot

    url = f"/api/v1/menus?senior_id={week['senior'].id}&days=1"
    before = client.get(url).json()[0]["ways"][0]["cutoff_words"]
    slot = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == week["canteen"].id,
                                                  CanteenSlot.slot == "lunch")).one()
    slot.dine_in_cutoff = slot.dine_in_cutoff.replace(hour=8, minute=45)
    session.add(slot)
    session.commit()

    after = client.get(url).json()[0]["ways"][0]["cutoff_words"]

    assert "8:45" in after and after != before


def test_two_seniors_with_the_same_allergy_each_read_their_own_name_in_the_refusal(
        client: Any, session: Session, week: dict[str, Any], login: Any) -> None:
    session.exec(update(Dish).where(col(Dish.canteen_id) == week["canteen"].id).values(allergens="花生"))
    first = week["senior"]
    first.allergies = "花生"
    session.add(first)
    second = make_senior(session, age=80, name="李秀兰", default_canteen_id=week["canteen"].id, card_no="88000032",
                         allergies="花生米")
    make_user(session, "senior", senior=second, password=PIN)
    session.commit()
    first_blocked = client.get(f"/api/v1/menus?senior_id={first.id}&days=1").json()[0]["items"][0]["blocked"]

    login(card_no="88000032", pin=PIN)
    second_blocked = client.get(f"/api/v1/menus?senior_id={second.id}&days=1").json()[0]["items"][0]["blocked"]

    assert first_blocked == f"含有花生，{first.name}对花生过敏"
    assert second_blocked == "含有花生，李秀兰对花生过敏"


def test_a_menu_withdrawn_after_it_was_read_takes_no_more_orders(client: Any, session: Session,
                                                                 week: dict[str, Any]) -> None:
    menu = week["menus"][0]
    client.get(f"/api/v1/menus?senior_id={week['senior'].id}")  # the menu is now kept by this process
    menu.status = "draft"
    session.add(menu)
    session.commit()

    response = _order(client, session, week["senior"].id, menu.id, "withdrawn-0001")

    assert response.status_code == 404
    assert session.exec(select(MenuItem.sold_count).where(MenuItem.id == _item_of(session, menu.id).id)).one() == 0


def test_a_scheme_version_withdrawn_after_orders_were_priced_by_it_prices_the_next_order_without_it(
        client: Any, session: Session, week: dict[str, Any]) -> None:
    from app.models import Order, SubsidySchemeVersion
    from app.models import now as clock_now

    senior_id = week["senior"].id
    first = _order(client, session, senior_id, week["menus"][0].id, "scheme-kept-1")
    assert first.status_code == 201  # the scheme is now parsed and kept by this process
    version = session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key == "shanghai-putuo")).one()
    version.withdrawn_at = clock_now()
    session.add(version)
    session.commit()

    second = _order(client, session, senior_id, week["menus"][2].id, "scheme-kept-2")

    assert second.status_code == 201
    priced = {o.idempotency_key: o for o in session.exec(select(Order).where(Order.senior_id == senior_id))}
    assert priced["scheme-kept-1"].subsidy_fen > 0 and priced["scheme-kept-1"].scheme_key == "shanghai-putuo"
    assert priced["scheme-kept-2"].subsidy_fen == 0 and priced["scheme-kept-2"].scheme_key == ""
