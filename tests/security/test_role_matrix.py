"""Who may use which route: an explicit table, checked against the app's own router table.

A route missing from the table fails `test_every_route_of_the_app_is_in_the_table`, so a new page cannot be
forgotten. Each route is then called by every role (and by nobody signed in) in a small realistic district
(tests/security/world.py): the roles in the table must get through the guard and the per-object checks
(no 401/403/404, no sign-in redirect, no 5xx), every other role must be refused. Then every route that
reaches one of the world's objects is called by "outsiders" holding an allowed role but the wrong object
(another senior, a helper linked to someone else, staff of the other canteen, the other driver): refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.security.conftest import shared_app
from tests.security.routes import AppRoute, app_routes
from tests.security.walk import Case, call, reached, refused
from tests.security.world import ANONYMOUS, OUTSIDERS, ROLES, WHO, World

ALL = frozenset(ROLES)
PUBLIC = ALL | {ANONYMOUS}
OPERATOR = frozenset({"operator"})
KITCHEN = frozenset({"kitchen", "operator"})
DISPATCH = frozenset({"dispatcher", "operator"})
DRIVER = frozenset({"driver"})
HELPER = frozenset({"helper"})
ORDERING = frozenset({"senior", "helper", "counter"})


# The user routes name the bystander, a kitchen worker of canteen 乙: the operator of 乙 manages them.
BYSTANDER = frozenset({"operator_b"})
# Pages that show an operator of some canteens only those canteens' data (filtered, not refused).
FILTERS = frozenset({"operator_b"})
# Subsidy schemes belong to a district, not a canteen: an operator of some canteens may read them, but only a
# district operator may add a version (it reprices every canteen the scheme covers).
SCHEMES = frozenset({"operator_b"})
# A counter serves walk-ins from anywhere: it may look up any senior and order at its own canteen (so the
# counter of canteen 乙 may open 王秀英's ordering pages, but not her orders or canteen 甲's menus).
WALK_IN = frozenset({"counter_b"})
ORDER_JSON = {"senior_id": "{senior}", "menu_id": "{open_menu}", "fulfilment": "dine_in",
              "items": [{"menu_item_id": "{open_item}"}]}


def c(roles: frozenset[str], **kw: Any) -> Case:
    return Case(roles, **kw)


# route name -> who may use it (and what to send so the allowed request does real work)
TABLE: dict[str, Case] = {
    # everyone
    "home": c(PUBLIC),
    "auth:login": c(PUBLIC),
    "auth:login_senior": c(PUBLIC),
    "auth:login_staff": c(PUBLIC),
    "auth:font": c(PUBLIC, form={"size": "特大"}),
    "auth:logout": c(ALL),
    # own password: everyone with a phone and password (a senior's card account has a PIN the counter sets)
    "auth:password": c(ALL - {"senior"}),
    "auth:change_password": c(ALL - {"senior"}, form={"old_password": "not-my-password"}),
    "accounts:invitation": c(PUBLIC),
    "accounts:invitation_open": c(PUBLIC),
    "accounts:invitation_show": c(PUBLIC, form={"token": "{token}"}),
    "accounts:accept": c(PUBLIC, form={"token": "{token}", "password": "short"}),
    # operators: accounts, helper links, audit log
    "accounts:users": c(OPERATOR),
    "accounts:users_search": c(OPERATOR, form={"q": "王", "status": "all"}),
    "accounts:new": c(OPERATOR),
    "accounts:invite": c(OPERATOR, form={"name": "新同事", "phone": "13900000177", "role_helper": "1"}),
    "accounts:user": c(OPERATOR, outsiders_allowed=BYSTANDER),
    "accounts:set_roles": c(OPERATOR, form={"role_kitchen": "1"}, outsiders_allowed=BYSTANDER),
    "accounts:set_active": c(OPERATOR, form={"active": "0"}, outsiders_allowed=BYSTANDER),
    "accounts:reinvite": c(OPERATOR, outsiders_allowed=BYSTANDER),
    "accounts:sign_out": c(OPERATOR, outsiders_allowed=BYSTANDER),
    "accounts:helper_links": c(OPERATOR),
    "accounts:helper_links_search": c(OPERATOR, form={"q": "13822220001"}),
    "accounts:link_helper": c(OPERATOR, form={"helper_phone": "13822220001"}),
    "accounts:revoke_link": c(OPERATOR),
    "accounts:audit": c(OPERATOR, query={"action": "user.invite"}),
    "accounts:senior_pin": c(frozenset({"counter", "operator"})),
    "accounts:set_senior_pin": c(frozenset({"counter", "operator"}), form={"pin": "1"}),
    "accounts:unlock_card": c(frozenset({"counter", "operator"})),
    # subsidy schemes and settlement
    "subsidy:schemes": c(OPERATOR),
    "subsidy:format": c(OPERATOR),
    "subsidy:scheme": c(OPERATOR, outsiders_allowed=SCHEMES),
    "subsidy:new_version": c(OPERATOR),
    "subsidy:add_version": c(OPERATOR, form={"body": "{}"}),
    "subsidy:settlement": c(OPERATOR, query={"month": "{month}", "canteen": "{canteen}"}),
    "subsidy:settlement_download": c(OPERATOR, query={"month": "{month}", "canteen": "{canteen}", "fmt": "csv",
                                                      "part": "ledger"}),
    # a district sets up its own scheme (issue 15): district operators only; the claim pack covers every canteen
    "subsidy:create": c(OPERATOR),
    "subsidy:create_save": c(OPERATOR, form={"action": "preview"}),
    "subsidy:edit_version": c(OPERATOR),
    "subsidy:edit_save": c(OPERATOR, form={"action": "preview"}),
    "subsidy:withdraw": c(OPERATOR, params={"version": "1"}, form={"reason": "试试"}),
    "subsidy:claim_pack": c(OPERATOR, query={"funder": "putuo-district", "month": "{month}", "fmt": "xlsx"}),
    "subsidy:claim_pack_job": c(OPERATOR, form={"funder": "putuo-district", "month": "2026-11", "fmt": "xlsx"}),
    # kitchen sheets: the kitchen of canteen 甲 (the world's canteen) and operators
    "kitchen:home": c(KITCHEN),
    "kitchen:prep": c(KITCHEN),
    "kitchen:diets": c(KITCHEN),
    "kitchen:packing": c(KITCHEN),
    "kitchen:labels": c(KITCHEN),
    "kitchen:pdf": c(KITCHEN),
    # file jobs (issue 16): the big sheets queue a job; its pages are for any signed-in user, and then only for
    # the job's requester (tests/app/jobs/test_file_jobs.py); the world holds no job, so "not found" is reached
    "kitchen:pdf_job": c(KITCHEN, params={"sheet": "labels"}),
    "jobs:file": c(ALL, params={"job_id": "999999"}, missing_ok=True),
    "jobs:file_status": c(ALL, params={"job_id": "999999"}, missing_ok=True),
    "jobs:file_download": c(ALL, params={"job_id": "999999"}, missing_ok=True),
    "jobs:file_cancel": c(ALL, params={"job_id": "999999"}, missing_ok=True),
    # dispatch
    "dispatch:home": c(DISPATCH),
    "dispatch:solve": c(DISPATCH),
    "dispatch:job": c(DISPATCH),
    "dispatch:cancel": c(DISPATCH),
    "dispatch:move": c(DISPATCH, form={"route_id": "{route}", "position": "1"}),
    "dispatch:lock_stop": c(DISPATCH),
    "dispatch:lock_route": c(DISPATCH),
    "dispatch:continuity": c(DISPATCH, form={"seconds": "x"}),
    "dispatch:publish": c(DISPATCH),
    "dispatch:late": c(DISPATCH),
    "dispatch:board": c(DISPATCH),
    "dispatch:alert": c(DISPATCH, form={"status": "acknowledged", "plan_id": "{plan}"}),
    "dispatch:alert_close": c(DISPATCH, form={"outcome": "called_contact", "note": "", "plan_id": "{plan}"}),
    "dispatch:alert_history": c(DISPATCH),
    # drivers: their own stops on today's published route
    "driver:home": c(DRIVER),
    "driver:report": c(DRIVER, form={"choice": "delivered:well"}),
    "api_driver:report": c(DRIVER, json={"client_report_id": "matrix-0001", "stop_id": "{stop}",
                                         "choice": "delivered:well"}),
    # helpers (family)
    "helper:home": c(HELPER),
    "family:status": c(HELPER),
    # counter
    "counter:home": c(frozenset({"counter"}), query={"q": "88010001"}),
    "counter:checkin": c(frozenset({"counter"}), query={"slot": "lunch"}),
    "counter:check_in": c(frozenset({"counter"}), form={"code": "88010001", "slot": "lunch"}),
    "counter:voucher": c(frozenset({"counter"}), form={"order_no": "T404", "voucher_no": "YL1", "amount": "1"}),
    "api_vouchers:redeem": c(frozenset({"counter", "operator"}),
                             json={"order_no": "T404", "voucher_no": "YL1", "amount_fen": 100}, missing_ok=True),
    "api_vouchers:reverse": c(frozenset({"counter", "operator"}), params={"payment_id": "999999"},
                              json={"reason": "录错"}, missing_ok=True),
    # ordering: seniors for themselves, helpers for linked seniors, the counter for anyone at its canteen
    "order:home": c(ORDERING, query={"senior": "{senior}"}, outsiders_allowed=WALK_IN),
    "order:choose": c(ORDERING, query={"menu": "{open_menu}", "item": "{open_item}", "senior": "{senior}"}),
    "order:confirm": c(ORDERING, query={"menu": "{open_menu}", "item": "{open_item}", "senior": "{senior}",
                                        "fulfilment": "dine_in"}),
    "order:place": c(ORDERING, form={"menu": "{open_menu}", "item": "{open_item}", "senior": "{senior}",
                                     "fulfilment": "dine_in", "key": "matrix-key"}),
    "order:done": c(ORDERING),
    "order:week": c(ORDERING, query={"senior": "{senior}"}, outsiders_allowed=WALK_IN),
    "order:cancel_ask": c(ORDERING),
    "order:cancel": c(ORDERING),
    # ordering as JSON: the same people, the same per-object rules
    "api_orders:menus": c(ORDERING, query={"senior_id": "{senior}"}, outsiders_allowed=WALK_IN),
    "api_orders:quote": c(ORDERING, json=ORDER_JSON),
    "api_orders:place": c(ORDERING, json=ORDER_JSON | {"idempotency_key": "matrix-api-1"}),
    "api_orders:list": c(ORDERING, query={"senior_id": "{senior}"}, outsiders_allowed=WALK_IN),
    "api_orders:cancel": c(ORDERING),
    # operators' administration: canteens and slots, fleet and shifts, menus, seniors, reports
    "admin:home": c(OPERATOR, query={"canteen": "{canteen}"}, outsiders_allowed=FILTERS),
    "admin:canteens": c(OPERATOR),
    "admin:canteen_form": c(OPERATOR, query={"canteen": "{canteen}"}),
    "admin:canteen_save": c(OPERATOR, form={"name": ""}),
    "admin:slot_form": c(OPERATOR, query={"slot": "lunch"}),
    "admin:slot_save": c(OPERATOR, form={"slot": "lunch"}),
    "admin:fleet": c(OPERATOR, query={"canteen": "{canteen}"}, outsiders_allowed=FILTERS),
    "admin:fleet_form": c(OPERATOR, outsiders_allowed=FILTERS),
    "admin:fleet_save": c(OPERATOR, form={"name": ""}, outsiders_allowed=FILTERS),
    "admin:shift_save": c(OPERATOR, form={"driver_id": ""}),
    "admin:shift_delete": c(OPERATOR),
    "admin:menus": c(OPERATOR, query={"canteen": "{canteen}"}),
    "admin:menu_add_item": c(OPERATOR, form={"canteen": "{canteen}"}),
    "admin:menu_update_item": c(OPERATOR, form={"price": "x"}),
    "admin:menu_remove_item": c(OPERATOR),
    "admin:menu_move_item": c(OPERATOR, form={"direction": "up"}),
    "admin:menu_week_action": c(OPERATOR, form={"action": "x"}),
    "admin:catalogue": c(OPERATOR, query={"canteen": "{canteen}"}),
    "admin:dish_form": c(OPERATOR),
    "admin:dish_save": c(OPERATOR, form={"name": ""}),
    "admin:set_form": c(OPERATOR),
    "admin:set_save": c(OPERATOR, form={"name": ""}),
    "admin:reports": c(OPERATOR, query={"start": "{today}", "end": "{today}"}),
    "admin:report_download": c(OPERATOR, query={"start": "{today}", "end": "{today}"}),
    "admin:seniors": c(OPERATOR),
    "admin:senior": c(OPERATOR),
    "admin:senior_save": c(OPERATOR, form={"name": ""}),
    "admin:senior_pause": c(OPERATOR, form={"until": "x"}),
    "admin:senior_resume": c(OPERATOR),
    "admin:senior_gone": c(OPERATOR, form={"status": "x"}),
    "admin:import": c(OPERATOR),
    "admin:import_upload": c(OPERATOR),
    "admin:cards_issue": c(OPERATOR),
    "admin:senior_card": c(OPERATOR),
    "admin:senior_point": c(OPERATOR, form={"point": "x"}),
    "admin:import_preview": c(OPERATOR, params={"token": "no-such-upload"}, missing_ok=True),
    "admin:import_run": c(OPERATOR, params={"token": "no-such-upload"}, missing_ok=True),
    # issue 14: building register, cards, helper link from the record, the seniors facts API
    "admin:buildings": c(OPERATOR),
    "admin:buildings_upload": c(OPERATOR, form={"district": "静安"}),
    "admin:buildings_locate": c(OPERATOR),
    "admin:building_save": c(OPERATOR, form={"b_compound": "x"}),
    "admin:cards_pdf": c(OPERATOR),
    "admin:senior_card_existing": c(OPERATOR, form={"existing_card": "x"}),
    "admin:senior_helper": c(OPERATOR, form={"helper_phone": "13822220001"}),
    "api_seniors:facts": c(OPERATOR),
    "api_seniors:residence": c(OPERATOR, json={"hukou_city": "上海", "residence_city": "上海",
                                                "residence_district": "静安"}),
    # district planning (issue 20): the whole district's seniors, so for district-wide operators only
    "planning:coverage": c(OPERATOR, query={"radius": "500"}),
    "planning:coverage_download": c(OPERATOR),
    "planning:site_save": c(OPERATOR, form={"name": ""}),
    "planning:supply": c(OPERATOR),
    "planning:supply_download": c(OPERATOR),
    "planning:outreach": c(OPERATOR),
    "planning:outreach_save": c(OPERATOR, form={"senior_id": "{senior}", "status": "contacted"}),
    "planning:outreach_download": c(OPERATOR),
    "planning:care": c(OPERATOR),
    "planning:care_download": c(OPERATOR),
    # a volunteer or 居委 (a helper account) for the seniors linked to them; operators for anyone
    "planning:visit": c(frozenset({"helper", "operator"})),
    "planning:visit_save": c(frozenset({"helper", "operator"}), form={
        "senior_id": "{senior}", "visitor_kind": "volunteer", "visitor_name": "李志愿", "result": "well"}),
}


def _routes() -> dict[str, AppRoute]:
    return {r.name: r for r in app_routes(shared_app())}


def test_every_route_of_the_app_is_in_the_table() -> None:
    routes = _routes()

    missing = sorted(set(routes) - set(TABLE))
    stale = sorted(set(TABLE) - set(routes))

    assert missing == [], f"add these routes to TABLE in tests/security/test_role_matrix.py: {missing}"
    assert stale == [], f"these routes are gone; remove them from TABLE: {stale}"


def test_route_names_are_unique_so_the_table_can_name_them() -> None:
    names = [r.name for r in app_routes(shared_app())]

    assert sorted(n for n in set(names) if names.count(n) > 1) == []


@pytest.mark.parametrize("name", sorted(TABLE))
def test_only_the_listed_roles_get_through(name: str, world: World, client: Any) -> None:
    route = _routes().get(name)
    assert route is not None, f"{name} is in TABLE but not in the app"
    case = TABLE[name]
    # refused roles first: a wrongly allowed write would otherwise be hidden by the allowed roles' changes
    order = [w for w in WHO if w not in case.roles] + [w for w in WHO if w in case.roles]

    outcome = {who: call(client, world, who, route, _case_for(case, world)) for who in order}

    wrongly_refused = {w: _said(r) for w, r in outcome.items()
                       if w in case.roles and not reached(r, case.missing_ok)}
    wrongly_allowed = {w: _said(r) for w, r in outcome.items() if w not in case.roles and not refused(r)}
    assert wrongly_refused == {} and wrongly_allowed == {}


OBJECT_VALUES = ("{canteen}", "{senior}", "{menu}", "{item}", "{open_menu}", "{open_item}", "{plan}", "{route}", "{stop}")


def _names_an_object(name: str) -> bool:
    """The route reaches one of the world's objects: by a path parameter, or an id in its query or body."""
    case = TABLE[name]
    sent = [*case.query.values(), *case.form.values(), str(case.json)]
    return bool(_routes()[name].params) or any(v in s for s in sent for v in OBJECT_VALUES)


def _outsider_cases() -> list[tuple[str, str]]:
    return sorted((name, who) for name, case in TABLE.items() if ANONYMOUS not in case.roles and _names_an_object(name)
                  for who, role in OUTSIDERS.items() if role in case.roles)


@pytest.mark.parametrize(("name", "who"), _outsider_cases())
def test_the_right_role_is_refused_someone_elses_object(name: str, who: str, world: World, client: Any) -> None:
    """Another senior, a helper linked to someone else, staff of the other canteen, the other driver."""
    route, case = _routes()[name], TABLE[name]

    response = call(client, world, who, route, _case_for(case, world))

    if who in case.reported:
        assert not refused(response), f"{name} now refuses {who}: remove it from `reported`"
        pytest.xfail(f"reported to the lead: {case.reported[who]}")
    if who in case.outsiders_allowed:
        assert reached(response), _said(response)
    else:
        assert refused(response), _said(response)


def _case_for(case: Case, world: World) -> Case:
    """Fill world-dependent values (`{item}` → the world's menu item id; a JSON value `"{stop}"` → an int)."""
    values = {"{canteen}": world.canteen.id, "{item}": world.item_id, "{menu}": world.order.menu_id, "{senior}": world.senior.id,
              "{plan}": world.plan.id, "{route}": world.route.id, "{stop}": world.stop.id,
              "{today}": world.today.isoformat(), "{month}": f"{world.today:%Y-%m}",
              "{open_menu}": world.open_menu.id, "{open_item}": world.open_item_id, "{token}": world.params["token"]}

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, str(value))
        return text

    def fill_json(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill_json(v) for v in value]
        return int(fill(value)) if isinstance(value, str) and value in values else value

    json = fill_json(case.json)
    return replace(case, query={k: fill(v) for k, v in case.query.items()},
                   form={k: fill(v) for k, v in case.form.items()}, json=json)


def _said(response: Any) -> str:
    return f"{response.status_code} {response.headers.get('location', '')} {response.text[:160]}"


def test_the_only_routes_outside_the_guarded_table_are_the_api_docs_and_static_files() -> None:
    """A raw Starlette route or mount would bypass `allow(...)`: only these known public ones may exist."""
    from fastapi.routing import APIRoute, iter_route_contexts

    others = {str(ctx.path) for ctx in iter_route_contexts(shared_app().routes)
              if not isinstance(ctx.original_route, APIRoute)}

    assert others == {"/api/openapi.json", "/api/docs", "/api/docs-assets", "/static"}
