"""The ordering JSON API: the same operations and rules as the pages, with Chinese errors and OpenAPI docs."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.core.settings import TZ
from app.models import MenuItem, Order
from app.ordering import rules as ordering_rules
from tests.conftest import csrf
from tests.factories import (
    PASSWORD,
    PIN,
    make_canteen,
    make_menu,
    make_senior,
    make_slot_row,
    make_user,
    seed_schemes,
)

DAY = date(2030, 3, 4)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    state = {"at": datetime(2030, 3, 4, 8, 0, tzinfo=TZ)}
    monkeypatch.setattr(ordering_rules, "current_time", lambda: state["at"])
    return state


@pytest.fixture
def world(session: Session, clock: dict[str, datetime], client: Any, login: Any) -> dict[str, Any]:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀")
    senior = make_senior(session, age=85, today=DAY, default_canteen_id=canteen.id, card_no="88000001")
    make_user(session, "senior", senior=senior, password=PIN)
    menu = make_menu(session, canteen, DAY, "lunch", items=[("一荤两素一汤", 2000), ("爱心实惠套餐", 800)])
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id).order_by(col(MenuItem.position))).first()
    login(card_no="88000001", pin=PIN)
    return dict(senior=senior, menu=menu, item=item, canteen=canteen)


def _body(w: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"senior_id": w["senior"].id, "menu_id": w["menu"].id, "fulfilment": "dine_in",
            "items": [{"menu_item_id": w["item"].id}], **kw}


def _post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf(client), **headers})


def test_menus_list_each_item_with_what_the_senior_may_choose_and_the_cutoffs(client: Any,
                                                                               world: dict[str, Any]) -> None:
    response = client.get(f"/api/v1/menus?senior_id={world['senior'].id}&days=2")

    meals = response.json()
    assert response.status_code == 200
    assert [(m["title"], [i["name"] for i in m["items"]]) for m in meals] == [
        ("今天午餐", ["一荤两素一汤", "爱心实惠套餐"])]
    assert meals[0]["ways"][0] == {"fulfilment": "dine_in", "open": True, "cutoff_words": "今天上午9:30前可订",
                                   "problem": ""}


def test_the_menus_answer_is_exactly_the_published_schema(client: Any, world: dict[str, Any]) -> None:
    """The menus are serialised from plain dicts (issue 21): read back through the published model, field by
    field, nothing is missing, extra or of another type."""
    from pydantic import TypeAdapter

    from app.ordering.api import ItemOut, MealOut, WayOut

    response = client.get(f"/api/v1/menus?senior_id={world['senior'].id}&days=2")

    meals = TypeAdapter(list[MealOut]).validate_json(response.content, strict=False)
    assert meals and meals[0].items and meals[0].ways
    assert [m.model_dump(mode="json") for m in meals] == response.json()
    assert all(set(m) == set(MealOut.model_fields) for m in response.json())
    assert all(set(i) == set(ItemOut.model_fields) for m in response.json() for i in m["items"])
    assert all(set(w) == set(WayOut.model_fields) for m in response.json() for w in m["ways"])


def test_a_quote_prices_without_placing(client: Any, session: Session, world: dict[str, Any]) -> None:
    response = _post(client, "/api/v1/quote", _body(world))

    quote = response.json()
    assert response.status_code == 200
    assert (quote["list_fen"], quote["discount_fen"], quote["subsidy_fen"], quote["payable_fen"]) == (
        2000, 300, 300, 1400)
    assert quote["cancel_until"] == "今天上午9:30"
    assert session.exec(select(Order)).all() == []


def test_placing_twice_with_one_idempotency_key_returns_the_same_order(client: Any, session: Session,
                                                                       world: dict[str, Any]) -> None:
    first = _post(client, "/api/v1/orders", _body(world), **{"Idempotency-Key": "kiosk-tap-0001"})
    again = _post(client, "/api/v1/orders", _body(world), **{"Idempotency-Key": "kiosk-tap-0001"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert session.exec(select(Order)).one().placed_via == "api"


def test_orders_are_listed_and_cancelled_through_the_api(client: Any, world: dict[str, Any]) -> None:
    placed = _post(client, "/api/v1/orders", _body(world, idempotency_key="kiosk-tap-0002")).json()

    listed = client.get(f"/api/v1/orders?senior_id={world['senior'].id}").json()
    cancelled = _post(client, f"/api/v1/orders/{placed['id']}/cancel", {})

    assert [o["public_no"] for o in listed] == [placed["public_no"]]
    assert listed[0]["cancellable"] is True
    assert cancelled.json()["status"] == "cancelled"


def test_a_refusal_comes_back_as_json_with_the_chinese_reason(client: Any, world: dict[str, Any],
                                                              clock: dict[str, datetime]) -> None:
    clock["at"] = datetime(2030, 3, 4, 9, 45, tzinfo=TZ)

    response = _post(client, "/api/v1/orders", _body(world, idempotency_key="kiosk-tap-0003"))

    assert response.status_code == 409
    assert response.json() == {"detail": "今天午餐已截止。", "errors": {"slot": "今天午餐已截止。"}}


def test_a_well_formed_order_the_meal_cannot_take_is_a_409_not_a_422(
        client: Any, session: Session, world: dict[str, Any], clock: dict[str, datetime]) -> None:
    """422 says the request itself is malformed; a breakfast has no delivery, which is the menu's state, so an API
    client (and schemathesis' positive-data check) can tell "fix your request" from "this meal cannot"."""
    session.add(make_slot_row(world["canteen"].id, "breakfast", delivers=False, dine_in_cutoff=time(6, 30)))
    clock["at"] = datetime(2030, 3, 4, 6, 0, tzinfo=TZ)
    breakfast = make_menu(session, world["canteen"], DAY, "breakfast")
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == breakfast.id)).first()
    body = {"senior_id": world["senior"].id, "menu_id": breakfast.id, "fulfilment": "delivery",
            "items": [{"menu_item_id": item.id if item else 0}], "idempotency_key": "kiosk-tap-0009"}

    response = _post(client, "/api/v1/orders", body)

    assert response.status_code == 409
    assert response.json()["errors"] == {"fulfilment": "早餐不提供送餐上门，可以选到店堂食或自取。"}
    assert session.exec(select(Order).where(Order.menu_id == breakfast.id)).all() == []


def test_another_seniors_orders_are_refused(client: Any, session: Session, world: dict[str, Any]) -> None:
    other = make_senior(session, today=DAY, default_canteen_id=world["canteen"].id)

    response = client.get(f"/api/v1/orders?senior_id={other.id}")

    assert response.status_code == 403
    assert response.json() == {"detail": "您没有为这位老人代订的授权。"}


def test_the_openapi_docs_describe_the_fields_in_chinese(client: Any, world: dict[str, Any]) -> None:
    schema = client.get("/api/openapi.json").json()

    order_in = schema["components"]["schemas"]["OrderIn"]["properties"]
    assert "防重复提交编号" in order_in["idempotency_key"]["description"]
    assert schema["paths"]["/api/v1/orders"]["post"]["summary"] == "下单"


def test_a_helper_without_a_link_cannot_quote(client: Any, session: Session, world: dict[str, Any],
                                               login: Any) -> None:
    make_user(session, "helper", phone="13700000009")
    login("13700000009", PASSWORD)

    response = _post(client, "/api/v1/quote", _body(world))

    assert response.status_code == 403
