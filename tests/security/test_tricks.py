"""The classic tricks, each tried by someone who is signed in and allowed the route, but not the object:
the check must happen on the server, per object, and a refused write must leave nothing behind."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import Session, func, select

from app.core.security import CSRF_COOKIE
from app.models import DeliveryStop, HelperLink, Order, StopEvent, User, now
from tests.security.conftest import shared_app
from tests.security.walk import refused, sign_as
from tests.security.world import World


def url(name: str, **params: object) -> str:
    return str(shared_app().url_path_for(name, **{k: str(v) for k, v in params.items()}))


def post(client: Any, path: str, data: dict[str, Any] | None = None, *, token: bool = True) -> Any:
    headers = {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""} if token else {}
    return client.post(path, data=data or {}, headers=headers, follow_redirects=False)


def _order_status(session: Session, order_id: int | None) -> str:
    order = session.get(Order, order_id)
    assert order is not None
    return order.status


def _user_active(session: Session, user_id: int | None) -> bool:
    user = session.get(User, user_id)
    assert user is not None
    return user.active


def orders_of(session: Session, senior_id: int | None) -> int:
    return session.exec(select(func.count()).select_from(Order).where(Order.senior_id == senior_id)).one()


# ---------------------------------------------------------------- seniors and helpers

def test_a_senior_cannot_open_another_seniors_order_by_changing_the_id(world: World, client: Any) -> None:
    sign_as(client, world, "senior")

    own = client.get(url("order:done", order_id=world.order.id))
    other = client.get(url("order:done", order_id=world.other_order.id), follow_redirects=False)

    assert own.status_code == 200
    assert refused(other)
    assert world.other_senior.name not in other.text


def test_a_senior_cannot_cancel_another_seniors_order(world: World, client: Any, session: Session) -> None:
    sign_as(client, world, "senior")

    r = post(client, url("order:cancel", order_id=world.other_order.id))

    assert refused(r)
    assert _order_status(session, world.other_order.id) == "placed"


def test_a_helper_cannot_order_for_a_senior_they_are_not_linked_to(world: World, client: Any,
                                                                   session: Session) -> None:
    sign_as(client, world, "helper")
    before = orders_of(session, world.other_senior.id)

    r = post(client, url("order:place"), {"menu": world.order.menu_id, "item": world.item_id,
                                          "senior": world.other_senior.id, "fulfilment": "dine_in",
                                          "key": "trick-unlinked"})

    assert refused(r)
    assert orders_of(session, world.other_senior.id) == before


def test_a_helper_cannot_see_an_unlinked_seniors_day(world: World, client: Any) -> None:
    sign_as(client, world, "helper")

    r = client.get(url("family:status", senior_id=world.other_senior.id), follow_redirects=False)

    assert refused(r)
    assert world.other_senior.name not in r.text


def test_a_revoked_link_ends_the_helpers_access_at_once(world: World, client: Any, session: Session) -> None:
    link = session.get(HelperLink, world.link.id)
    assert link is not None
    link.revoked_at = now()
    session.add(link)
    session.commit()
    sign_as(client, world, "helper")

    status = client.get(url("family:status", senior_id=world.senior.id), follow_redirects=False)
    order = client.get(url("order:done", order_id=world.order.id), follow_redirects=False)

    assert refused(status) and refused(order)


@pytest.mark.parametrize("name", ["accounts:users", "accounts:audit", "admin:seniors", "kitchen:home",
                                  "dispatch:home", "counter:home", "driver:home", "subsidy:schemes"])
def test_a_senior_is_refused_every_staff_page(name: str, world: World, client: Any) -> None:
    sign_as(client, world, "senior")

    r = client.get(url(name), follow_redirects=False)

    assert r.status_code == 403
    assert "没有权限" in r.text


def test_a_senior_cannot_open_another_seniors_full_record(world: World, client: Any) -> None:
    sign_as(client, world, "senior")

    r = client.get(url("admin:senior", senior_id=world.other_senior.id), follow_redirects=False)

    assert r.status_code == 403
    assert world.other_senior.address not in r.text


# ---------------------------------------------------------------- kitchens, counters, dispatchers

@pytest.mark.parametrize("sheet", ["kitchen:prep", "kitchen:diets", "kitchen:packing", "kitchen:labels"])
def test_a_kitchen_cannot_open_another_canteens_sheet(sheet: str, world: World, client: Any) -> None:
    sign_as(client, world, "kitchen")
    day = world.today.isoformat()

    own = client.get(url(sheet, canteen_id=world.canteen.id, day=day, slot="lunch"))
    other = client.get(url(sheet, canteen_id=world.other_canteen.id, day=day, slot="lunch"),
                       follow_redirects=False)

    assert own.status_code == 200
    assert refused(other)
    assert world.far_senior.name not in other.text and world.far_senior.address not in other.text


def test_a_kitchen_cannot_download_another_canteens_pdf(world: World, client: Any) -> None:
    sign_as(client, world, "kitchen")

    r = client.get(url("kitchen:pdf", canteen_id=world.other_canteen.id, day=world.today.isoformat(),
                       slot="lunch", sheet="packing"), follow_redirects=False)

    assert refused(r)
    assert r.headers.get("content-type", "").startswith("text/html")


def test_a_counter_cannot_cancel_an_order_at_another_canteen(world: World, client: Any, session: Session) -> None:
    sign_as(client, world, "counter")

    r = post(client, url("order:cancel", order_id=world.far_order.id))

    assert refused(r)
    assert _order_status(session, world.far_order.id) == "placed"


def test_a_dispatcher_cannot_open_or_publish_another_canteens_plan(world: World, client: Any) -> None:
    assert world.far_plan is not None
    sign_as(client, world, "dispatcher")

    board = client.get(url("dispatch:board", plan_id=world.far_plan.id), follow_redirects=False)
    publish = post(client, url("dispatch:publish", plan_id=world.far_plan.id))

    assert refused(board) and refused(publish)


def test_the_counter_cannot_set_the_pin_of_another_canteens_senior(world: World, client: Any,
                                                                  session: Session) -> None:
    sign_as(client, world, "counter")

    r = post(client, url("accounts:set_senior_pin", senior_id=world.far_senior.id), {"pin": "2580",
                                                                                    "pin2": "2580"})

    assert r.status_code == 403
    assert session.exec(select(User).where(User.senior_id == world.far_senior.id)).first() is None


# ---------------------------------------------------------------- drivers

def _stop_status(session: Session, stop_id: int | None) -> tuple[str, int]:
    stop = session.get(DeliveryStop, stop_id)
    assert stop is not None
    events = session.exec(select(func.count()).select_from(StopEvent).where(StopEvent.stop_id == stop_id)).one()
    return stop.status, events


@pytest.mark.parametrize("which", ["other_stop", "yesterday_stop"])
def test_a_driver_cannot_report_at_another_drivers_or_yesterdays_stop(which: str, world: World, client: Any,
                                                                     session: Session) -> None:
    stop = getattr(world, which)
    before = _stop_status(session, stop.id)
    sign_as(client, world, "driver")

    r = post(client, url("driver:report", stop_id=stop.id), {"choice": "delivered",
                                                             "client_report_id": f"trick-{which}"})

    assert refused(r) or r.headers.get("location", "").endswith("?error=1#stop-" + str(stop.id))
    assert _stop_status(session, stop.id) == before


@pytest.mark.parametrize("which", ["other_stop", "yesterday_stop"])
def test_changing_the_stop_id_in_the_drivers_json_body_is_refused(which: str, world: World, client: Any,
                                                                 session: Session) -> None:
    stop = getattr(world, which)
    before = _stop_status(session, stop.id)
    sign_as(client, world, "driver")

    r = client.post(url("api_driver:report"), json={"client_report_id": f"json-{which}", "stop_id": stop.id,
                                                    "choice": "delivered"},
                    headers={"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""})

    assert r.status_code == 403
    assert r.json()["detail"]
    assert _stop_status(session, stop.id) == before


def test_a_driver_sees_only_their_own_stops_today(world: World, client: Any) -> None:
    sign_as(client, world, "driver")

    r = client.get(url("driver:home"))

    assert world.senior.name in r.text
    assert world.other_senior.name not in r.text and world.other_senior.address not in r.text
    assert world.far_senior.name not in r.text


# ---------------------------------------------------------------- CSRF, sessions, redirects

def test_a_form_replayed_without_the_csrf_token_changes_nothing(world: World, client: Any,
                                                                session: Session) -> None:
    sign_as(client, world, "operator")

    r = post(client, url("accounts:set_active", user_id=world.bystander.id), {"active": "0"}, token=False)

    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert _user_active(session, world.bystander.id) is True


def test_a_form_with_another_browsers_csrf_token_is_refused(world: World, client: Any, session: Session) -> None:
    sign_as(client, world, "senior")

    r = client.post(url("order:cancel", order_id=world.order.id), data={"csrf_token": "stolen-from-elsewhere"},
                    follow_redirects=False)

    assert r.status_code == 403
    assert _order_status(session, world.order.id) == "placed"


def test_a_json_request_without_the_csrf_header_is_refused(world: World, client: Any, session: Session) -> None:
    before = _stop_status(session, world.stop.id)
    sign_as(client, world, "driver")

    r = client.post(url("api_driver:report"), json={"client_report_id": "no-csrf-1", "stop_id": world.stop.id,
                                                    "choice": "delivered"})

    assert r.status_code == 403
    assert _stop_status(session, world.stop.id) == before


def test_a_signed_out_session_cookie_no_longer_works(world: World, client: Any) -> None:
    sign_as(client, world, "operator")
    post(client, url("auth:logout"))
    sign_as(client, world, "operator")  # the old cookie, replayed

    r = client.get(url("accounts:users"), follow_redirects=False)

    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_deactivated_account_is_signed_out_everywhere(world: World, client: Any) -> None:
    sign_as(client, world, "operator")
    post(client, url("accounts:set_active", user_id=world.users["kitchen"].id), {"active": "0"})
    sign_as(client, world, "kitchen")

    r = client.get(url("kitchen:home"), follow_redirects=False)

    assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "/\t/evil.example", "\\\\evil.example", " //evil.example",
                                    "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(target: str, session: Session, client: Any) -> None:
    from tests.factories import PASSWORD, make_user

    make_user(session, "operator", phone="13900000150")

    r = client.post("/login/staff", data={"phone": "13900000150", "password": PASSWORD, "next": target,
                                          "csrf_token": client.cookies.get(CSRF_COOKIE)}, follow_redirects=False)

    assert r.status_code == 303
    assert _lands_on(r.headers["location"]) == "testserver"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/"])
def test_the_text_size_switch_never_redirects_off_site(target: str, client: Any) -> None:
    r = client.post("/prefs/font", data={"size": "特大", "back": target,
                                         "csrf_token": client.cookies.get(CSRF_COOKIE)}, follow_redirects=False)

    assert _lands_on(r.headers["location"]) == "testserver"


def _lands_on(location: str) -> str:
    """The host a browser goes to: like browsers, drop tabs and newlines and read a backslash as a slash."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://testserver/login", seen)).netloc


# ---------------------------------------------------------------- ids changed in a JSON body

def _order_json(world: World, senior_id: int | None, menu: Any, item_id: int, key: str) -> dict[str, Any]:
    return {"senior_id": senior_id, "menu_id": menu.id, "fulfilment": "dine_in",
            "items": [{"menu_item_id": item_id}], "idempotency_key": key}


def _api_post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""})


@pytest.mark.parametrize("role", ["senior", "helper"])
def test_ordering_for_another_senior_by_changing_senior_id_in_the_json_is_refused(
        role: str, world: World, client: Any, session: Session) -> None:
    sign_as(client, world, role)
    before = orders_of(session, world.other_senior.id)

    own = _api_post(client, url("api_orders:place"),
                    _order_json(world, world.senior.id, world.open_menu, world.open_item_id, f"own-{role}-1"))
    other = _api_post(client, url("api_orders:place"),
                      _order_json(world, world.other_senior.id, world.open_menu, world.open_item_id,
                                  f"other-{role}-1"))

    assert own.status_code == 201, own.text
    assert other.status_code == 403 and other.json()["detail"]
    assert orders_of(session, world.other_senior.id) == before


def test_the_counter_cannot_order_on_another_canteens_menu_by_changing_menu_id(world: World, client: Any,
                                                                              session: Session) -> None:
    sign_as(client, world, "counter")
    before = orders_of(session, world.far_senior.id)

    r = _api_post(client, url("api_orders:place"),
                  _order_json(world, world.far_senior.id, world.far_open_menu, world.far_open_item_id, "far-order-0001"))

    assert r.status_code == 403 and r.json()["detail"]
    assert orders_of(session, world.far_senior.id) == before


def test_a_menu_item_from_another_menu_cannot_be_slipped_into_an_order(world: World, client: Any,
                                                                     session: Session) -> None:
    sign_as(client, world, "senior")
    before = orders_of(session, world.senior.id)

    r = _api_post(client, url("api_orders:place"),
                  _order_json(world, world.senior.id, world.open_menu, world.far_open_item_id, "mix-order-0001"))

    assert 400 <= r.status_code < 500 and r.json()["detail"]
    assert orders_of(session, world.senior.id) == before


@pytest.mark.parametrize("role", ["senior", "helper"])
def test_listing_another_seniors_orders_through_the_api_is_refused(role: str, world: World, client: Any) -> None:
    sign_as(client, world, role)

    r = client.get(url("api_orders:list"), params={"senior_id": world.other_senior.id})

    assert r.status_code in (403, 404)
    assert world.other_order.public_no not in r.text


def test_cancelling_another_seniors_order_through_the_api_is_refused(world: World, client: Any,
                                                                    session: Session) -> None:
    sign_as(client, world, "helper")

    r = _api_post(client, url("api_orders:cancel", order_id=world.other_order.id), {})

    assert r.status_code in (403, 404)
    assert _order_status(session, world.other_order.id) == "placed"


# ---------------------------------------------------------------- the register cannot be listed wholesale

@pytest.mark.parametrize("query", ["%", "_", "%%"])
def test_a_wildcard_at_the_counter_does_not_list_the_whole_register(query: str, world: World, client: Any) -> None:
    sign_as(client, world, "counter")

    r = client.get(url("counter:home"), params={"q": query})

    assert [s.name for s in world.seniors if s.name in r.text] == []


def test_another_canteens_counter_lists_none_of_a_seniors_orders_elsewhere(world: World, client: Any) -> None:
    sign_as(client, world, "counter")
    own_counter_sees = client.get("/api/v1/orders", params={"senior_id": world.senior.id}).json()
    sign_as(client, world, "counter_b")

    r = client.get("/api/v1/orders", params={"senior_id": world.senior.id})

    assert [o["id"] for o in own_counter_sees] == [world.order.id]
    assert r.status_code == 200 and r.json() == []
