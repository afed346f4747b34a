"""The weekly menu planner and the catalogue of dishes and set meals (operators only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import canteens as canteens_admin
from app.core import messages as msg
from app.core.deps import SessionDep, allow, int_or_none
from app.core.errors import AppError, InvalidInput
from app.core.form_pages import posted_form
from app.core.forms import parse_form
from app.core.principal import Principal
from app.core.templating import render
from app.menus import catalogue as menu_catalogue
from app.menus import planning as menu_planning
from app.menus import rotation as menu_rotation
from app.menus.forms import AddItemForm, DishForm, MoveItemForm, SetMealForm, UpdateItemForm, WeekActionForm
from app.menus.planning import MenuChangeRefused
from app.models import DISH_CATEGORIES, TEXTURES, now

router = APIRouter(prefix="/admin/menus")
OPERATOR = allow("operator")
FormText = Annotated[str, Form()]
DONE = {"added": "已添加。", "updated": "已修改。", "removed": "已撤下。", "copied": "已复制上周菜单到空着的餐次。",
        "template_saved": "已存为轮换模板。", "template_applied": "已按模板填入空着的餐次。",
        "published": "本周菜单已发布，长者现在可以看到并预订。", "saved": "已保存。", "moved": "已调整顺序。"}


def _today() -> date:
    return now().date()


def _canteen_id(session: SessionDep, principal: Principal, canteen: str) -> int:
    allowed = canteens_admin.list_canteens(session, canteens_admin.allowed_canteens(principal))
    chosen = int_or_none(canteen)
    if chosen is not None:
        canteens_admin.check_canteen(principal, chosen)
        canteens_admin.get_canteen(session, chosen)
        return chosen
    if not allowed:
        raise InvalidInput({"canteen": msg.CANTEEN_NOT_FOUND})
    return allowed[0].id or 0


def _monday(week: str) -> date:
    """The Monday of the week asked for (default: next week, the one being planned)."""
    try:
        asked = date.fromisoformat(week)
    except ValueError:
        asked = None
    if asked is None or not 2000 <= asked.year <= 2100:
        return menu_planning.monday_of(_today()) + timedelta(days=7)
    return menu_planning.monday_of(asked)


def _week_page(request: Request, session: SessionDep, principal: Principal, canteen_id: int, monday: date, *,
               done: str = "", problem: str = "", cell_errors: dict[str, Any] | None = None,
               status_code: int = 200) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    return render(request, "menus/menus.html", {
        "plan": menu_planning.week_plan(session, canteen_id, monday, _today()), "section": "menus",
        "canteen_id": canteen_id, "canteen_options": [(str(c.id), c.name) for c in
                                                      canteens_admin.list_canteens(session, allowed)],
        "catalogue": menu_catalogue.catalogue(session, canteen_id),
        "templates": menu_rotation.templates_of(session, canteen_id), "done": DONE.get(done, ""),
        "problem": problem, "cell_errors": cell_errors or {}, "prev_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7)}, status_code=status_code)


def _back(request: Request, canteen_id: int, monday: date, done: str) -> Response:
    url = request.url_for("admin:menus").include_query_params(canteen=canteen_id, week=monday.isoformat(),
                                                               done=done)
    return RedirectResponse(str(url), status_code=303)


@router.get("", name="admin:menus")
def week(request: Request, session: SessionDep, canteen: str = "", week: str = "", done: str = "",
         principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    return _week_page(request, session, principal, canteen_id, _monday(week), done=done)


def _fragment(request: Request) -> bool:
    """menus.js asks for the changed cell alone, so the week is redrawn in place, never reloaded."""
    return request.headers.get("x-menu-fragment") == "1"


def _cell(request: Request, session: SessionDep, canteen_id: int, monday: date, place: tuple[date, str], *,
          done: str = "", errors: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    day, slot = place
    return render(request, "menus/cell.html", {
        "cell": menu_planning.cell_of(session, canteen_id, day, slot), "day": day, "slot": slot,
        "key": f"{day.isoformat()}:{slot}", "canteen_id": canteen_id, "week_value": monday.isoformat(),
        "catalogue": menu_catalogue.catalogue(session, canteen_id), "cell_errors": errors or {},
        "cell_done": DONE.get(done, "")}, status_code=status_code)


def _changed(request: Request, session: SessionDep, canteen_id: int, monday: date, place: tuple[date, str],
             done: str) -> Response:
    if _fragment(request):
        return _cell(request, session, canteen_id, monday, place, done=done)
    return _back(request, canteen_id, monday, done)


def _refused_cell(request: Request, session: SessionDep, principal: Principal, canteen_id: int, monday: date,
                  place: tuple[date, str] | None, errors: dict[str, Any], message: str) -> Response:
    """The cell again with each error next to its field and what was typed; a form naming no real cell (a day
    that is not a date) gets the week page with the message on top."""
    if _fragment(request) and place is not None:
        return _cell(request, session, canteen_id, monday, place, errors=errors, status_code=422)
    return _week_page(request, session, principal, canteen_id, monday, problem="" if place else message,
                      cell_errors=errors, status_code=422)


def _context(session: SessionDep, principal: Principal, data: dict[str, str]) -> tuple[int, date]:
    return _canteen_id(session, principal, data.get("canteen", "")), _monday(data.get("week", ""))


@router.post("/items", name="admin:menu_add_item")
async def add_item(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    data = await posted_form(request)
    canteen_id, monday = _context(session, principal, data)
    place = _place(data)
    try:
        form = parse_form(AddItemForm, data)
        menu_planning.add_item(session, canteen_id, form.day, form.slot, form.ref, form.limit,
                               user_id=principal.user_id)
    except InvalidInput as e:
        kept = {"errors": e.errors, "ref": data.get("ref", ""), "limit": data.get("limit", "")}
        key = f"{data.get('day', '')}:{data.get('slot', '')}"
        return _refused_cell(request, session, principal, canteen_id, monday, place, {key: kept}, e.message)
    return _changed(request, session, canteen_id, monday, (form.day, form.slot), "added")


def _place(data: dict[str, str]) -> tuple[date, str] | None:
    try:
        form = parse_form(AddItemForm, {"day": data.get("day", ""), "slot": data.get("slot", "")})
    except InvalidInput:
        return None
    return form.day, form.slot


@router.post("/items/{item_id}", name="admin:menu_update_item")
async def update_item(request: Request, session: SessionDep, item_id: int,
                      principal: Principal = OPERATOR) -> Response:
    data = await posted_form(request)
    canteen_id, monday = _context(session, principal, data)
    place = menu_planning.item_place(session, canteen_id, item_id)
    try:
        form = parse_form(UpdateItemForm, data)
        menu_planning.update_item(session, canteen_id, item_id, price_text=form.price, limit_text=form.limit,
                                  user_id=principal.user_id)
    except MenuChangeRefused as e:
        return _refused(request, canteen_id, monday, e)
    except InvalidInput as e:
        kept = {"errors": e.errors, "price": data.get("price", ""), "limit": data.get("limit", "")}
        return _refused_cell(request, session, principal, canteen_id, monday, place, {f"item:{item_id}": kept},
                             e.message)
    return _changed(request, session, canteen_id, monday, place, "updated")


@router.post("/items/{item_id}/move", name="admin:menu_move_item")
async def move_item(request: Request, session: SessionDep, item_id: int, principal: Principal = OPERATOR) -> Response:
    """上移 / 下移: single taps, no dragging (DOMAIN.md, age-friendly rule 12)."""
    data = await posted_form(request)
    canteen_id, monday = _context(session, principal, data)
    form = parse_form(MoveItemForm, data)
    menu = menu_planning.move_item(session, canteen_id, item_id, form.direction, user_id=principal.user_id)
    return _changed(request, session, canteen_id, monday, (menu.service_date, menu.slot), "moved")


@router.post("/items/{item_id}/remove", name="admin:menu_remove_item")
async def remove_item(request: Request, session: SessionDep, item_id: int,
                      principal: Principal = OPERATOR) -> Response:
    data = await posted_form(request)
    canteen_id, monday = _context(session, principal, data)
    place = menu_planning.item_place(session, canteen_id, item_id)
    try:
        menu_planning.remove_item(session, canteen_id, item_id, user_id=principal.user_id)
    except MenuChangeRefused as e:
        return _refused(request, canteen_id, monday, e)
    return _changed(request, session, canteen_id, monday, place, "removed")


def _refused(request: Request, canteen_id: int, monday: date, e: MenuChangeRefused) -> Response:
    """Orders stand in the way: a whole page listing whom to ring (menus.js lets this one load as a page)."""
    return render(request, "menus/menu_refused.html", {"message": e.message, "affected": e.affected,
                                                       "section": "menus", "canteen_id": canteen_id,
                                                       "week": monday}, status_code=409)


@router.post("/week", name="admin:menu_week_action")
async def week_action(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    """Copy last week, save as / fill from a rotation template, or publish: one form, one button each."""
    data = await posted_form(request)
    canteen_id, monday = _context(session, principal, data)
    keys = ("template_name", "weeks", "week_no", "template", "action")
    kept = {k: data.get(k, WeekActionForm.model_fields[k].default) for k in keys}
    try:
        form = parse_form(WeekActionForm, data)
        _week_action(session, principal, canteen_id, monday, form)
    except AppError as e:
        errors = e.errors if isinstance(e, InvalidInput) else {}
        return _week_page(request, session, principal, canteen_id, monday, problem=e.message,
                          cell_errors={"week": {"errors": errors, **kept}}, status_code=e.status_code)
    done = {"copy": "copied", "save_template": "template_saved", "apply_template": "template_applied"}
    return _back(request, canteen_id, monday, done.get(form.action, "published"))


def _week_action(session: SessionDep, principal: Principal, canteen_id: int, monday: date,
                 form: WeekActionForm) -> None:
    uid, number = principal.user_id, int_or_none(form.week_no) or 0
    if form.action == "copy":
        menu_rotation.copy_week(session, canteen_id, monday - timedelta(days=7), monday, user_id=uid)
    elif form.action == "save_template":
        menu_rotation.save_as_template(session, canteen_id, monday, form.template_name,
                                       int_or_none(form.weeks) or 0, number, user_id=uid)
    elif form.action == "apply_template":
        menu_rotation.apply_template(session, canteen_id, int_or_none(form.template) or 0, number, monday,
                                     user_id=uid)
    else:
        menu_planning.publish_week(session, canteen_id, monday, today=_today(), user_id=uid)


# ---------------------------------------------------------------- catalogue


@router.get("/catalogue", name="admin:catalogue")
def catalogue(request: Request, session: SessionDep, canteen: str = "", done: str = "",
              principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    allowed = canteens_admin.allowed_canteens(principal)
    return render(request, "menus/catalogue.html", {
        "c": menu_catalogue.catalogue(session, canteen_id), "canteen_id": canteen_id, "section": "catalogue",
        "canteen_options": [(str(c.id), c.name) for c in canteens_admin.list_canteens(session, allowed)],
        "done": DONE.get(done, "")})


DISH_FIELDS = [
    {"name": "name", "label": "菜名", "required": True},
    {"name": "category", "label": "类别", "type": "select", "options": [(c, c) for c in DISH_CATEGORIES]},
    {"name": "price", "label": "价格（元）", "required": True, "inputmode": "decimal", "hint": "如 9 或 8.50"},
    {"name": "small_price", "label": "小份价格（元）", "inputmode": "decimal", "hint": "没有小份请留空"},
    {"name": "textures", "label": "可做的质地", "type": "checkboxes", "options": [(t, t) for t in TEXTURES]},
    {"name": "diet_tags", "label": "膳食标签", "hint": "用顿号分隔，如 低盐、低糖"},
    {"name": "allergens", "label": "过敏原", "hint": "用顿号分隔，如 虾、鸡蛋；没有请留空"},
    {"name": "active", "label": "供应状态", "type": "select", "options": [("1", "在供应"), ("0", "停用")]},
]


def _dish_page(request: Request, canteen_id: int, dish_id: int | None, form: dict[str, Any],
               errors: dict[str, str], status_code: int = 200) -> Response:
    action = request.url_for("admin:dish_save").include_query_params(canteen=canteen_id, dish=dish_id or "")
    back = request.url_for("admin:catalogue").include_query_params(canteen=canteen_id)
    return render(request, "admin/form.html", {
        "title": "修改菜品" if dish_id else "新增菜品", "action": str(action), "fields": DISH_FIELDS, "form": form,
        "errors": errors, "back_url": str(back), "section": "catalogue", "form_name": "dish"},
        status_code=status_code)


@router.get("/dishes", name="admin:dish_form")
def dish_form(request: Request, session: SessionDep, canteen: str = "", dish: str = "",
              principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    views = {d.id: d for d in menu_catalogue.catalogue(session, canteen_id).dishes}
    d = views.get(int_or_none(dish) or 0)
    form: dict[str, Any] = {"category": "荤", "textures": ["普通"], "active": "1"} if d is None else {
        "name": d.name, "category": d.category, "price": _yuan(d.price_fen), "small_price": _yuan(d.small_price_fen),
        "textures": d.textures, "diet_tags": "、".join(d.diet_tags), "allergens": "、".join(d.allergens),
        "active": "1" if d.active else "0"}
    return _dish_page(request, canteen_id, d.id if d else None, form, {})


@router.post("/dishes", name="admin:dish_save")
async def dish_save(request: Request, session: SessionDep, canteen: str = "", dish: str = "",
                    principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    posted = await request.form()
    form = {k: str(posted.get(k, "")) for k in DishForm.model_fields if k in posted}
    textures = [str(t) for t in posted.getlist("textures")]
    dish_id = int_or_none(dish)
    try:
        typed = parse_form(DishForm, form)
        menu_catalogue.save_dish(session, canteen_id, typed.model_dump(), textures, user_id=principal.user_id,
                                 dish_id=dish_id)
    except InvalidInput as e:
        return _dish_page(request, canteen_id, dish_id, form | {"textures": textures}, e.errors, 422)
    url = request.url_for("admin:catalogue").include_query_params(canteen=canteen_id, done="saved")
    return RedirectResponse(str(url), status_code=303)


def _set_fields(c: menu_catalogue.Catalogue) -> list[dict[str, Any]]:
    dishes = [(str(d.id), f"{d.name}（{'、'.join(d.allergens) or '无过敏原'}）") for d in c.dishes if d.active]
    return [{"name": "name", "label": "套餐名称", "required": True},
            {"name": "price", "label": "价格（元）", "required": True, "inputmode": "decimal"},
            {"name": "low_cost", "label": "低价惠民套餐", "type": "checkbox"},
            {"name": "active", "label": "供应状态", "type": "select", "options": [("1", "在供应"), ("0", "停用")]},
            {"name": "dishes", "label": "组成的菜品（过敏原自动汇总到套餐上）", "type": "checkboxes", "options": dishes}]


@router.get("/sets", name="admin:set_form")
def set_form(request: Request, session: SessionDep, canteen: str = "", set_id: str = "",
             principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    c = menu_catalogue.catalogue(session, canteen_id)
    s = next((s for s in c.set_meals if s.id == int_or_none(set_id)), None)
    form: dict[str, Any] = {"dishes": [], "active": "1"} if s is None else {
        "name": s.name, "price": _yuan(s.price_fen), "low_cost": "1" if s.low_cost else "",
        "dishes": [str(i) for i in s.dish_ids], "active": "1" if s.active else "0"}
    return _set_page(request, c, canteen_id, s.id if s else None, form, {})


def _set_page(request: Request, c: menu_catalogue.Catalogue, canteen_id: int, set_id: int | None,
              form: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response:
    action = request.url_for("admin:set_save").include_query_params(canteen=canteen_id, set_id=set_id or "")
    back = request.url_for("admin:catalogue").include_query_params(canteen=canteen_id)
    return render(request, "admin/form.html", {
        "title": "修改套餐" if set_id else "新增套餐", "action": str(action), "fields": _set_fields(c),
        "form": form, "errors": errors, "back_url": str(back), "section": "catalogue", "form_name": "set_meal"},
        status_code=status_code)


@router.post("/sets", name="admin:set_save")
async def set_save(request: Request, session: SessionDep, canteen: str = "", set_id: str = "",
                   principal: Principal = OPERATOR) -> Response:
    canteen_id = _canteen_id(session, principal, canteen)
    posted = await request.form()
    form = {k: str(posted.get(k, "")) for k in SetMealForm.model_fields if k in posted}
    dish_ids = [str(d) for d in posted.getlist("dishes")]
    own = int_or_none(set_id)
    try:
        typed = parse_form(SetMealForm, form)
        menu_catalogue.save_set_meal(session, canteen_id, typed.model_dump(),
                                     [i for i in map(int_or_none, dish_ids) if i is not None],
                                     user_id=principal.user_id, set_id=own)
    except InvalidInput as e:
        c = menu_catalogue.catalogue(session, canteen_id)
        return _set_page(request, c, canteen_id, own, form | {"dishes": dish_ids}, e.errors, 422)
    url = request.url_for("admin:catalogue").include_query_params(canteen=canteen_id, done="saved")
    return RedirectResponse(str(url), status_code=303)


def _yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"
