"""The drivers, vehicles and shifts that deliver from the canteens."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import canteens, menus
from app.core import messages as msg
from app.core.deps import SessionDep, allow, int_or_none
from app.core.errors import InvalidInput
from app.core.form_pages import form_page, posted_form, save_or_rerender
from app.core.principal import Principal
from app.core.templating import render
from app.dispatch import fleet
from app.models import SLOTS, Driver, DriverShift, Vehicle, now

router = APIRouter(prefix="/admin")
OPERATOR = allow("operator")
SLOT_OPTIONS = [(s, msg.SLOT_NAMES[s]) for s in SLOTS]


# ---------------------------------------------------------------- drivers, vehicles, shifts


@router.get("/fleet", name="admin:fleet")
def fleet_page(request: Request, session: SessionDep, week: str = "", principal: Principal = OPERATOR) -> Response:
    allowed = canteens.allowed_canteens(principal)
    ids = None if allowed is None else list(allowed)
    try:
        asked = date.fromisoformat(week)
    except ValueError:
        asked = now().date()
    monday = menus.monday_of(asked if 2000 <= asked.year <= 2100 else now().date())
    return _fleet(request, session, principal, ids, monday, {}, {})


def _fleet(request: Request, session: SessionDep, principal: Principal, ids: list[int] | None, monday: date,
           form: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    drivers, vehicles = fleet.drivers(session, ids), fleet.vehicles(session, ids)
    return render(request, "dispatch/fleet.html", {
        "drivers": drivers, "vehicles": vehicles, "shifts": fleet.shifts(session, monday, ids), "monday": monday,
        "names": {d.id: d.name for d in drivers}, "vehicle_names": {v.id: v.name for v in vehicles},
        "canteen_names": dict(canteens.canteen_options(session, principal)), "section": "fleet",
        "driver_options": [("", "请选择")] + [(str(d.id), d.name) for d in drivers if d.active],
        "vehicle_options": [("", "请选择")] + [(str(v.id), v.name) for v in vehicles if v.active],
        "slot_options": SLOT_OPTIONS, "form": form or {"service_date": (monday + timedelta(days=7)).isoformat(),
                                                       "slot": "lunch", "start": "10:30", "end": "13:30",
                                                       "max_trips": "2"},
        "errors": errors, "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7)},
        status_code=status_code)


@router.post("/fleet/shifts", name="admin:shift_save")
async def shiftsave_or_rerender(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    form = await posted_form(request)
    allowed = canteens.allowed_canteens(principal)
    ids = None if allowed is None else list(allowed)
    try:
        shift = fleet.save_shift(session, form, user_id=principal.user_id)
    except InvalidInput as e:
        return _fleet(request, session, principal, ids, menus.monday_of(now().date()), form, e.errors, 422)
    url = request.url_for("admin:fleet").include_query_params(week=shift.service_date.isoformat())
    return RedirectResponse(str(url), status_code=303)


@router.post("/fleet/shifts/{shift_id}/delete", name="admin:shift_delete")
def shift_delete(request: Request, session: SessionDep, shift_id: int, principal: Principal = OPERATOR) -> Response:
    fleet.owned(session, DriverShift, shift_id, canteens.allowed_canteens(principal))
    fleet.delete_shift(session, shift_id, user_id=principal.user_id)
    return RedirectResponse(str(request.url_for("admin:fleet")), status_code=303)


def _driver_fields(options: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"name": "name", "label": "姓名", "required": True},
            {"name": "phone", "label": "手机号", "required": True, "inputmode": "tel"},
            {"name": "canteen_id", "label": "所属食堂", "type": "select", "options": options},
            {"name": "active", "label": "在岗", "type": "checkbox"}]


def _vehicle_fields(options: list[tuple[str, str]]) -> list[dict[str, Any]]:
    kinds = [(k, msg.VEHICLE_KIND_NAMES[k]) for k in fleet.VEHICLE_KINDS]
    return [{"name": "name", "label": "车辆名称", "required": True},
            {"name": "kind", "label": "类型", "type": "select", "options": kinds},
            {"name": "capacity_meals", "label": "载餐量（份）", "inputmode": "numeric"},
            {"name": "speed_kmh", "label": "平均速度（公里/小时，可留空）", "inputmode": "decimal"},
            {"name": "canteen_id", "label": "所属食堂", "type": "select", "options": options},
            {"name": "active", "label": "在用", "type": "checkbox"}]


@router.get("/fleet/{kind}", name="admin:fleet_form")
def fleet_form(request: Request, session: SessionDep, kind: str, id: str = "",
               principal: Principal = OPERATOR) -> Response:
    options = canteens.canteen_options(session, principal)
    allowed = canteens.allowed_canteens(principal)
    if kind == "vehicle":
        vehicle_id = int_or_none(id)
        row_v = fleet.owned(session, Vehicle, vehicle_id, allowed) if vehicle_id is not None else None
        fields, form, title = _vehicle_fields(options), fleet.vehicle_form(row_v), "车辆"
    else:
        driver_id = int_or_none(id)
        row_d = fleet.owned(session, Driver, driver_id, allowed) if driver_id is not None else None
        fields, form, title = _driver_fields(options), fleet.driver_form(row_d), "送餐员"
    action = str(request.url_for("admin:fleet_save", kind=kind).include_query_params(id=id))
    return form_page(request, ("修改" if id else "新增") + title, action, fields, form, {},
                      str(request.url_for("admin:fleet")), "fleet")


@router.post("/fleet/{kind}", name="admin:fleet_save")
async def fleetsave_or_rerender(request: Request, session: SessionDep, kind: str, id: str = "",
                     principal: Principal = OPERATOR) -> Response:
    form = await posted_form(request)
    options = canteens.canteen_options(session, principal)
    chosen = int_or_none(form.get("canteen_id"))
    if chosen is not None:
        canteens.check_canteen(principal, chosen)
    own = int_or_none(id)
    if own and kind == "vehicle":
        fleet.owned(session, Vehicle, own, canteens.allowed_canteens(principal))
    elif own:
        fleet.owned(session, Driver, own, canteens.allowed_canteens(principal))
    back = str(request.url_for("admin:fleet"))
    if kind == "vehicle":
        return save_or_rerender(request, lambda: fleet.save_vehicle(session, form, user_id=principal.user_id, vehicle_id=own),
                     lambda e: form_page(request, "车辆", str(request.url), _vehicle_fields(options), form, e, back,
                                          "fleet", 422), back)
    return save_or_rerender(request, lambda: fleet.save_driver(session, form, user_id=principal.user_id, driver_id=own),
                 lambda e: form_page(request, "送餐员", str(request.url), _driver_fields(options), form, e, back,
                                      "fleet", 422), back)
