"""Canteens with their meal slots and cutoffs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.canteens import service as canteens_admin
from app.core import messages as msg
from app.core.deps import SessionDep, allow, int_or_none
from app.core.form_pages import form_page, posted_form, save_or_rerender
from app.core.principal import Principal
from app.core.templating import render
from app.models import SLOTS

router = APIRouter(prefix="/admin")
OPERATOR = allow("operator")
SLOT_OPTIONS = [(s, msg.SLOT_NAMES[s]) for s in SLOTS]


# ---------------------------------------------------------------- canteens and slots


@router.get("/canteens", name="admin:canteens")
def canteens(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    rows = canteens_admin.list_canteens(session, canteens_admin.allowed_canteens(principal))
    return render(request, "canteens/canteens.html", {
        "canteens": [(c, canteens_admin.slots_of(session, c.id or 0)) for c in rows], "kinds": canteens_admin.KINDS,
        "schemes": canteens_admin.scheme_status(session, list(rows)), "section": "canteens"})


def _canteen_fields(session: SessionDep) -> list[dict[str, Any]]:
    kitchens = [("", "自己烹饪")] + [(str(c.id), c.name) for c in canteens_admin.list_canteens(session)]
    return [
        {"name": "name", "label": "名称", "required": True},
        {"name": "kind", "label": "类型", "type": "select", "options": list(canteens_admin.KINDS.items())},
        {"name": "supplier_id", "label": "由哪个厨房供餐", "type": "select", "options": kitchens},
        {"name": "district", "label": "所在区", "required": True}, {"name": "street", "label": "街道（镇）", "required": True},
        {"name": "scheme_key", "label": "补贴方案", "type": "select", "options": canteens_admin.scheme_options(session),
         "hint": "这家食堂的订单按哪个方案计价；方案的适用地区须包含食堂所在的区和街道。"},
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
    return form_page(request, f"修改{row.name}" if row else "新增食堂", action, _canteen_fields(session),
                      _listify(canteens_admin.canteen_form(row)), {}, str(request.url_for("admin:canteens")),
                      "canteens")


@router.post("/canteens/edit", name="admin:canteen_save")
async def canteensave_or_rerender(request: Request, session: SessionDep, canteen: str = "",
                       principal: Principal = OPERATOR) -> Response:
    own = int_or_none(canteen)
    if own:
        canteens_admin.check_canteen(principal, own)
    form = await posted_form(request)
    back = str(request.url_for("admin:canteens"))
    return save_or_rerender(request, lambda: canteens_admin.save_canteen(session, form, user_id=principal.user_id,
                                                              canteen_id=own),
                 lambda errors: form_page(request, "修改食堂" if own else "新增食堂", str(request.url),
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
    return form_page(request, f"{c.name}：{'修改餐次' if row else '新增餐次'}", action, SLOT_FIELDS,
                      canteens_admin.slot_form(row), {}, str(request.url_for("admin:canteens")), "canteens")


@router.post("/canteens/{canteen_id}/slot", name="admin:slot_save")
async def slotsave_or_rerender(request: Request, session: SessionDep, canteen_id: int, slot: str = "",
                    principal: Principal = OPERATOR) -> Response:
    canteens_admin.check_canteen(principal, canteen_id)
    form = await posted_form(request)
    back = str(request.url_for("admin:canteens"))
    own = int_or_none(slot)
    return save_or_rerender(request, lambda: canteens_admin.save_slot(session, canteen_id, form, user_id=principal.user_id,
                                                           slot_id=own),
                 lambda errors: form_page(request, "餐次与截止时间", str(request.url), SLOT_FIELDS, form, errors,
                                           back, "canteens", 422), back)
