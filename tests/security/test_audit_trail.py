"""Every sensitive read, every export and every change to accounts, links, eligibility or schemes leaves an
audit event naming who did it; and what each role sees of other seniors stays within its job."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEvent
from tests.factories import PASSWORD
from tests.security.test_privacy import _body
from tests.security.test_role_matrix import TABLE, _case_for, _routes
from tests.security.walk import call
from tests.security.world import World

# route -> (who, the action its audit event carries)
AUDITED = {
    "admin:senior": ("operator", "senior.view"),
    "counter:home": ("counter", "senior.counter_search"),
    "kitchen:pdf": ("kitchen", "kitchen_pdf_export"),
    "subsidy:settlement_download": ("operator", "settlement.exported"),
    "admin:report_download": ("operator", "report.export"),
    "accounts:invite": ("operator", "user.invite"),
    "accounts:set_active": ("operator", "user.deactivate"),
    "accounts:reinvite": ("operator", "user.reinvite"),
    "accounts:revoke_link": ("operator", "helper_link.revoke"),
    "accounts:set_senior_pin": ("counter", "senior.pin_set"),
    # issue 13, finding 13: the counter's reads of a senior's orders, the driver's route, unlocking a card,
    # changing one's own password
    "order:home": ("counter", "senior.counter_view"),
    "order:week": ("counter", "senior.counter_view"),
    "api_orders:list": ("counter", "senior.counter_view"),
    "driver:home": ("driver", "route.driver_view"),
    "accounts:unlock_card": ("counter", "senior.card_unlocked"),
    "auth:change_password": ("operator", "user.password_changed"),
}
OVERRIDES: dict[str, dict[str, Any]] = {
    "accounts:set_senior_pin": {"form": {"pin": "2580", "pin2": "2580"}},
    "auth:change_password": {"form": {"old_password": PASSWORD, "password": "green-teapot-7",
                                      "password2": "green-teapot-7"}},
}


def _events(session: Session) -> list[AuditEvent]:
    events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
    session.rollback()
    return events


@pytest.mark.parametrize("name", sorted(AUDITED))
def test_a_sensitive_read_export_or_change_is_audited_with_who_did_it(name: str, world: World, client: Any,
                                                                     session: Session) -> None:
    who, action = AUDITED[name]
    case = _case_for(TABLE[name], world)
    case = replace(case, **OVERRIDES.get(name, {}))
    before = len(_events(session))

    response = call(client, world, who, _routes()[name], case)

    new = _events(session)[before:]
    assert response.status_code < 400, response.text[:200]
    assert [(e.action, e.user_id) for e in new if e.action == action] == [(action, world.users[who].id)]


@pytest.mark.parametrize("role", ["senior", "helper"])
def test_seniors_and_helpers_see_no_other_senior(role: str, world: World, client: Any) -> None:
    routes, others = _routes(), (world.other_senior, world.far_senior)

    seen = {name: _body(call(client, world, role, routes[name], _case_for(case, world)))[0]
            for name, case in TABLE.items() if role in case.roles and routes[name].methods == ("GET",)}

    assert {n: [s.name for s in others if s.name in raw] for n, raw in seen.items() if any(
        s.name in raw or s.address in raw for s in others)} == {}


def test_the_kitchen_sees_seniors_only_by_masked_name(world: World, client: Any) -> None:
    routes = _routes()

    seen = {name: _body(call(client, world, "kitchen", routes[name], _case_for(case, world)))[0]
            for name, case in TABLE.items() if "kitchen" in case.roles and routes[name].methods == ("GET",)}

    full = {n: [s.name for s in world.seniors if s.name in raw or s.phone in raw] for n, raw in seen.items()}
    assert {n: found for n, found in full.items() if found} == {}
    assert any("王*英" in raw for raw in seen.values())


# ---------------------------------------------------------------- refusals and sign-ins (issue 13, finding 13)

@pytest.mark.parametrize(("who", "name"), [("kitchen", "accounts:users"), ("senior", "dispatch:home"),
                                           ("helper", "accounts:set_senior_pin")])
def test_a_refused_request_is_audited_with_the_route_not_the_path(who: str, name: str, world: World, client: Any,
                                                                  session: Session) -> None:
    route = _routes()[name]
    before = len(_events(session))

    response = call(client, world, who, route, _case_for(TABLE[name], world))

    new = [e for e in _events(session)[before:] if e.action == "access.forbidden"]
    assert response.status_code == 403
    assert [(e.user_id, e.detail) for e in new] == [(world.users[who].id, f"{route.methods[0]} {route.path}")]


def test_sign_ins_are_audited_with_the_card_or_phone_masked(world: World, client: Any, session: Session) -> None:
    client.cookies.clear()
    client.get("/login")
    token = client.cookies.get("canteen_csrf")
    before = len(_events(session))

    client.post("/login/staff", data={"phone": "13900000101", "password": "wrong-password", "csrf_token": token})
    client.post("/login/staff", data={"phone": "13900000101", "password": PASSWORD, "csrf_token": token},
                follow_redirects=False)
    client.cookies.clear()
    client.get("/login")
    card = world.senior.card_no or ""
    client.post("/login/senior", data={"card_no": card, "pin": "000000", "csrf_token": client.cookies.get(
        "canteen_csrf")})

    new = [(e.action, e.user_id, e.detail) for e in _events(session)[before:]]
    operator, senior = world.users["operator"].id, world.users["senior"].id
    assert new == [("auth.login_failed", operator, "手机号 139****0101"), ("auth.login", operator, "手机号 139****0101"),
                   ("auth.login_failed", senior, f"卡号 {card[:2]}{'*' * (len(card) - 4)}{card[-2:]}")]
    assert all("13900000101" not in d and card not in d for _, _, d in new)
