"""Canteens with their slots and cutoffs, and the drivers, vehicles and shifts that deliver from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import messages as msg
from app.models import SLOTS, Driver, DriverShift, Vehicle, now
from app.services import canteens_admin, fleet
from app.services.auth import Principal
from app.services.errors import InvalidInput
from app.services.menu_planning import monday_of
from app.web.deps import SessionDep, allow, int_or_none
from app.web.templating import render

router = APIRouter(prefix="/admin")
OPERATOR = allow("operator")
SLOT_OPTIONS = [(s, msg.SLOT_NAMES[s]) for s in SLOTS]


def _canteen_options(session: SessionDep, principal: Principal) -> list[tuple[str, str]]:
    allowed = canteens_admin.allowed_canteens(principal)
    return [(str(c.id), c.name) for c in canteens_admin.list_canteens(session, allowed)]


async def _posted(request: Request) -> dict[str, str]:
    posted = await request.form()
    out = {k: str(v) for k, v in posted.items() if k != "csrf_token"}
    if "open_days" in posted:
        out["open_days"] = "".join(str(v) for v in posted.getlist("open_days"))
    return out


def _form_page(request: Request, title: str, action: str, fields: list[dict[str, Any]], form: dict[str, Any],
               errors: dict[str, str], back: str, section: str, status_code: int = 200) -> Response:
    return render(request, "admin/form.html", {"title": title, "action": action, "fields": fields, "form": form,
                                               "errors": errors, "back_url": back, "section": section,
                                               "form_name": section}, status_code=status_code)


def _save(request: Request, save: Callable[[], object], on_error: Callable[[dict[str, str]], Response],
          back: str) -> Response:
    try:
        save()
    except InvalidInput as e:
        return on_error(e.errors)
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------- canteens and slots


@router.get("/canteens", name="admin:canteens")
def canteens(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    rows = canteens_admin.list_canteens(session, canteens_admin.allowed_canteens(principal))
    return render(request, "admin/canteens.html", {
        "canteens": [(c, canteens_admin.slots_of(session, c.id or 0)) for c in rows], "kinds": canteens_admin.KINDS,
        "section": "canteens"})


def _canteen_fields(session: SessionDep) -> list[dict[str, Any]]:
    kitchens = [("", "自己烹饪")] + [(str(c.id), c.name) for c in canteens_admin.list_canteens(session)]
    return [
        {"name": "name", "label": "名称", "required": True},
        {"name": "kind", "label": "类型", "type": "select", "options": list(canteens_admin.KINDS.items())},
        {"name": "supplier_id", "label": "由哪个厨房供餐", "type": "select", "options": kitchens},
        {"name": "district", "label": "所在区", "required": True}, {"name": "street", "label": "街道（镇）", "required": True},
        {"name": "address", "label": "地址", "required": True}, {"name": "phone", "label": "电话", "required": True},
        {"name": "lat", "label": "纬度（WGS-84）", "inputmode": "decimal", "required": True},
        {"name": "lng", "label": "经度（WGS-84）", "inputmode": "decimal", "required": True},
        {"name": "daily_capacity", "label": "每日供餐上限（份）", "inputmode": "numeric"},
        {"name": "delivery_radius_m", "label": "送餐半径（米）", "inputmode": "numeric"},
        {"name": "open_days", "label": "营业日", "type": "checkboxes",
         "options": [(str(i), f"星期{'一二三四五六日'[i - 1]}") for i in range(1, 8)]},
        {"name": "active", "label": "在用", "type": "checkbox"}]


def _listify(form: dict[str, str]) -> dict[str, Any]:
    return form | {"open_days": list(form.get("open_days", ""))}


@router.get("/canteens/edit", name="admin:canteen_form")
def canteen_form(request: Request, session: SessionDep, canteen: str = "",
                 principal: Principal = OPERATOR) -> Response:
    row = None
    chosen = int_or_none(canteen)
    if chosen is not None:
        canteens_admin.check_canteen(principal, chosen)
        row = canteens_admin.get_canteen(session, chosen)
    action = str(request.url_for("admin:canteen_save").include_query_params(canteen=canteen))
    return _form_page(request, f"修改{row.name}" if row else "新增食堂", action, _canteen_fields(session),
                      _listify(canteens_admin.canteen_form(row)), {}, str(request.url_for("admin:canteens")),
                      "canteens")


@router.post("/canteens/edit", name="admin:canteen_save")
async def canteen_save(request: Request, session: SessionDep, canteen: str = "",
                       principal: Principal = OPERATOR) -> Response:
    own = int_or_none(canteen)
    if own:
        canteens_admin.check_canteen(principal, own)
    form = await _posted(request)
    back = str(request.url_for("admin:canteens"))
    return _save(request, lambda: canteens_admin.save_canteen(session, form, user_id=principal.user_id,
                                                              canteen_id=own),
                 lambda errors: _form_page(request, "修改食堂" if own else "新增食堂", str(request.url),
                                           _canteen_fields(session), _listify(form), errors, back, "canteens", 422),
                 back)


SLOT_FIELDS = [{"name": "slot", "label": "餐次", "type": "select", "options": SLOT_OPTIONS}] + [
    {"name": k, "label": label, "hint": "时:分，如 09:30"} for k, label in canteens_admin.SLOT_TIMES.items()] + [
    {"name": "delivery_cutoff_days_before", "label": "送餐提前几天截止", "inputmode": "numeric",
     "hint": "1 表示前一天的“送餐截止时刻”前"},
    {"name": "capacity", "label": "每餐上限（份）", "inputmode": "numeric"},
    {"name": "delivers", "label": "这一餐送餐上门", "type": "checkbox"}]


@router.get("/canteens/{canteen_id}/slot", name="admin:slot_form")
def slot_form(request: Request, session: SessionDep, canteen_id: int, slot: str = "",
              principal: Principal = OPERATOR) -> Response:
    canteens_admin.check_canteen(principal, canteen_id)
    c = canteens_admin.get_canteen(session, canteen_id)
    row = next((s for s in canteens_admin.slots_of(session, canteen_id) if str(s.id) == slot), None)
    action = str(request.url_for("admin:slot_save", canteen_id=canteen_id).include_query_params(slot=slot))
    return _form_page(request, f"{c.name}：{'修改餐次' if row else '新增餐次'}", action, SLOT_FIELDS,
                      canteens_admin.slot_form(row), {}, str(request.url_for("admin:canteens")), "canteens")


@router.post("/canteens/{canteen_id}/slot", name="admin:slot_save")
async def slot_save(request: Request, session: SessionDep, canteen_id: int, slot: str = "",
                    principal: Principal = OPERATOR) -> Response:
    canteens_admin.check_canteen(principal, canteen_id)
    form = await _posted(request)
    back = str(request.url_for("admin:canteens"))
    own = int_or_none(slot)
    return _save(request, lambda: canteens_admin.save_slot(session, canteen_id, form, user_id=principal.user_id,
                                                           slot_id=own),
                 lambda errors: _form_page(request, "餐次与截止时间", str(request.url), SLOT_FIELDS, form, errors,
                                           back, "canteens", 422), back)


# ---------------------------------------------------------------- drivers, vehicles, shifts


@router.get("/fleet", name="admin:fleet")
def fleet_page(request: Request, session: SessionDep, week: str = "", principal: Principal = OPERATOR) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    ids = None if allowed is None else list(allowed)
    try:
        asked = date.fromisoformat(week)
    except ValueError:
        asked = now().date()
    monday = monday_of(asked if 2000 <= asked.year <= 2100 else now().date())
    return _fleet(request, session, principal, ids, monday, {}, {})


def _fleet(request: Request, session: SessionDep, principal: Principal, ids: list[int] | None, monday: date,
           form: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    drivers, vehicles = fleet.drivers(session, ids), fleet.vehicles(session, ids)
    return render(request, "admin/fleet.html", {
        "drivers": drivers, "vehicles": vehicles, "shifts": fleet.shifts(session, monday, ids), "monday": monday,
        "names": {d.id: d.name for d in drivers}, "vehicle_names": {v.id: v.name for v in vehicles},
        "canteen_names": dict(_canteen_options(session, principal)), "section": "fleet",
        "driver_options": [("", "请选择")] + [(str(d.id), d.name) for d in drivers if d.active],
        "vehicle_options": [("", "请选择")] + [(str(v.id), v.name) for v in vehicles if v.active],
        "slot_options": SLOT_OPTIONS, "form": form or {"service_date": (monday + timedelta(days=7)).isoformat(),
                                                       "slot": "lunch", "start": "10:30", "end": "13:30",
                                                       "max_trips": "2"},
        "errors": errors, "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7)},
        status_code=status_code)


@router.post("/fleet/shifts", name="admin:shift_save")
async def shift_save(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    form = await _posted(request)
    allowed = canteens_admin.allowed_canteens(principal)
    ids = None if allowed is None else list(allowed)
    try:
        shift = fleet.save_shift(session, form, user_id=principal.user_id)
    except InvalidInput as e:
        return _fleet(request, session, principal, ids, monday_of(now().date()), form, e.errors, 422)
    url = request.url_for("admin:fleet").include_query_params(week=shift.service_date.isoformat())
    return RedirectResponse(str(url), status_code=303)


@router.post("/fleet/shifts/{shift_id}/delete", name="admin:shift_delete")
def shift_delete(request: Request, session: SessionDep, shift_id: int, principal: Principal = OPERATOR) -> Response:
    fleet.owned(session, DriverShift, shift_id, canteens_admin.allowed_canteens(principal))
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
    options = _canteen_options(session, principal)
    allowed = canteens_admin.allowed_canteens(principal)
    if kind == "vehicle":
        vehicle_id = int_or_none(id)
        row_v = fleet.owned(session, Vehicle, vehicle_id, allowed) if vehicle_id is not None else None
        fields, form, title = _vehicle_fields(options), fleet.vehicle_form(row_v), "车辆"
    else:
        driver_id = int_or_none(id)
        row_d = fleet.owned(session, Driver, driver_id, allowed) if driver_id is not None else None
        fields, form, title = _driver_fields(options), fleet.driver_form(row_d), "送餐员"
    action = str(request.url_for("admin:fleet_save", kind=kind).include_query_params(id=id))
    return _form_page(request, ("修改" if id else "新增") + title, action, fields, form, {},
                      str(request.url_for("admin:fleet")), "fleet")


@router.post("/fleet/{kind}", name="admin:fleet_save")
async def fleet_save(request: Request, session: SessionDep, kind: str, id: str = "",
                     principal: Principal = OPERATOR) -> Response:
    form = await _posted(request)
    options = _canteen_options(session, principal)
    chosen = int_or_none(form.get("canteen_id"))
    if chosen is not None:
        canteens_admin.check_canteen(principal, chosen)
    own = int_or_none(id)
    if own and kind == "vehicle":
        fleet.owned(session, Vehicle, own, canteens_admin.allowed_canteens(principal))
    elif own:
        fleet.owned(session, Driver, own, canteens_admin.allowed_canteens(principal))
    back = str(request.url_for("admin:fleet"))
    if kind == "vehicle":
        return _save(request, lambda: fleet.save_vehicle(session, form, user_id=principal.user_id, vehicle_id=own),
                     lambda e: _form_page(request, "车辆", str(request.url), _vehicle_fields(options), form, e, back,
                                          "fleet", 422), back)
    return _save(request, lambda: fleet.save_driver(session, form, user_id=principal.user_id, driver_id=own),
                 lambda e: _form_page(request, "送餐员", str(request.url), _driver_fields(options), form, e, back,
                                      "fleet", 422), back)
