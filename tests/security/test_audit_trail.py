"""Every sensitive read, every export and every change to accounts, links, eligibility or schemes leaves an
audit event naming who did it; and what each role sees of other seniors stays within its job."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import AuditEvent
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
}
OVERRIDES: dict[str, dict[str, Any]] = {
    "accounts:set_senior_pin": {"form": {"pin": "2580", "pin2": "2580"}},
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
