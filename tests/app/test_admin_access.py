"""Operators' pages are for operators only: every other role is refused, and a visitor is sent to sign in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session

from app.main import create_app
from tests.factories import make_canteen, make_senior, make_user


def _admin_pages() -> list[str]:
    paths = []
    routes = [r for top in create_app().routes for r in getattr(getattr(top, "original_router", None), "routes", [top])]
    for route in routes:
        if isinstance(route, APIRoute) and (route.name or "").startswith("admin:") and "GET" in route.methods:
            paths.append(route.path.replace("{senior_id}", "1").replace("{canteen_id}", "1")
                         .replace("{kind}", "driver").replace("{token}", "x"))
    return sorted(paths)


def test_the_operators_area_has_its_pages() -> None:
    pages = _admin_pages()

    assert {"/admin", "/admin/menus", "/admin/seniors", "/admin/seniors/import", "/admin/canteens", "/admin/fleet",
            "/admin/reports", "/admin/reports/download"} <= set(pages)


@pytest.mark.parametrize("role", ["kitchen", "counter", "dispatcher", "driver", "helper"])
def test_every_operator_page_refuses_other_staff(session: Session, client: object,
                                                  login: Callable[..., object], role: str) -> None:
    canteen = make_canteen(session)
    make_senior(session)
    make_user(session, (role, canteen.id), phone="13900002222")
    login("13900002222")

    statuses = {path: client.get(path).status_code for path in _admin_pages()}  # type: ignore[attr-defined]

    assert set(statuses.values()) == {403}


def test_a_visitor_is_sent_to_sign_in(client: object) -> None:
    response = client.get("/admin", follow_redirects=False)  # type: ignore[attr-defined]

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"


def test_a_senior_cannot_post_to_an_operator_form(session: Session, client: object,
                                                  login: Callable[..., object]) -> None:
    senior = make_senior(session, card_no="88001234")
    user = make_user(session, "senior", senior=senior, password="2468")
    assert user.id
    login(card_no="88001234", pin="2468")

    response = client.post(f"/admin/seniors/{senior.id}/gone",  # type: ignore[attr-defined]
                           data={"status": "deceased", "csrf_token": client.cookies.get("canteen_csrf")})

    session.refresh(senior)
    assert response.status_code == 403
    assert senior.status == "active"


def test_an_operator_of_one_canteen_cannot_reach_another_canteens_menus_or_drivers(
        session: Session, client: object, login: Callable[..., object]) -> None:
    from app.models import Driver

    mine, theirs = make_canteen(session), make_canteen(session)
    driver = Driver(canteen_id=theirs.id or 0, name="孙师傅", phone="13900000011")
    session.add(driver)
    session.commit()
    make_user(session, ("operator", mine.id), phone="13900003333")
    login("13900003333")

    menus = client.get(f"/admin/menus?canteen={theirs.id}")  # type: ignore[attr-defined]
    form = client.get(f"/admin/fleet/driver?id={driver.id}")  # type: ignore[attr-defined]
    own_menus = client.get(f"/admin/menus?canteen={mine.id}")  # type: ignore[attr-defined]

    assert (menus.status_code, form.status_code, own_menus.status_code) == (403, 404, 200)
