"""Filling a week without typing it again: copy last week, or keep a rotation (e.g. a 4-week cycle) as a named
template and fill a later week from one of its weeks. Only empty cells are filled, at today's catalogue prices."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import InvalidInput, NotFound
from app.menus.planning import canteen_slots, catalogue_row, menu_for, new_item
from app.models import Menu, MenuItem, MenuTemplate


def _week_items(session: Session, canteen_id: int, monday: date) -> dict[tuple[int, str], list[MenuItem]]:
    """(weekday 0-6, slot) -> items of that week's menus."""
    menus = session.exec(select(Menu).where(Menu.canteen_id == canteen_id, col(Menu.service_date) >= monday,
                                            col(Menu.service_date) <= monday + timedelta(days=6))).all()
    out: dict[tuple[int, str], list[MenuItem]] = {}
    for m in menus:
        items = session.exec(select(MenuItem).where(MenuItem.menu_id == m.id).order_by(col(MenuItem.position))).all()
        if items:
            out[(m.service_date.weekday(), m.slot)] = list(items)
    return out


def _fill(session: Session, canteen_id: int, monday: date, plan: dict[tuple[int, str], list[dict[str, object]]]
          ) -> tuple[int, int]:
    """Copy item specs into the empty cells of a week; cells that already hold items are left alone.
    Returns (filled, kept)."""
    filled = kept = 0
    slots = canteen_slots(session, canteen_id)
    for (weekday, slot), specs in sorted(plan.items()):
        if slot not in slots:
            continue
        menu = menu_for(session, canteen_id, monday + timedelta(days=weekday), slot)
        if session.exec(select(func.count()).select_from(MenuItem).where(MenuItem.menu_id == menu.id)).one():
            kept += 1
            continue
        for pos, spec in enumerate(specs):
            session.add(_current(session, canteen_id, menu.id or 0, pos, spec))
        filled += 1
    return filled, kept


def _current(session: Session, canteen_id: int, menu_id: int, position: int, spec: dict[str, object]) -> MenuItem:
    """An item spec with today's name and price from the catalogue (last month's price is not this week's)."""
    row = catalogue_row(session, str(spec["kind"]), int(str(spec["ref"])))
    if row is None or row.canteen_id != canteen_id:
        raise NotFound(msg.NOT_FOUND)
    limit = spec.get("limit")
    return new_item(menu_id, position, row, limit if isinstance(limit, int) else None)


def _specs(items: list[MenuItem]) -> list[dict[str, object]]:
    return [{"kind": i.kind, "ref": i.set_meal_id if i.kind == "set" else i.dish_id, "limit": i.quantity_limit}
            for i in items]


def copy_week(session: Session, canteen_id: int, source_monday: date, target_monday: date, *,
              user_id: int | None) -> tuple[int, int]:
    plan = {k: _specs(v) for k, v in _week_items(session, canteen_id, source_monday).items()}
    if not plan:
        raise InvalidInput({"source": msg.MENU_NOTHING_TO_COPY.format(day=f"{source_monday:%m月%d日}")})
    filled, kept = _fill(session, canteen_id, target_monday, plan)
    audit.record(session, user_id=user_id, action="menu.copy_week", object_type="canteen", object_id=canteen_id,
                 detail=f"{source_monday} -> {target_monday}：填入 {filled}，保留 {kept}")
    session.commit()
    return filled, kept


def save_as_template(session: Session, canteen_id: int, monday: date, name: str, weeks: int, week_no: int, *,
                     user_id: int | None) -> MenuTemplate:
    """Store this week as week `week_no` of the rotation `name` (created with `weeks` weeks if new)."""
    errors = {}
    if not 1 <= len(name.strip()) <= 40:
        errors["template_name"] = msg.MENU_TEMPLATE_NAME
    if not 1 <= weeks <= 8 or not 1 <= week_no <= weeks:
        errors["week_no"] = msg.MENU_TEMPLATE_WEEK.format(weeks=weeks)
    plan = _week_items(session, canteen_id, monday)
    if not plan:
        errors["template_name"] = msg.MENU_NOTHING_TO_COPY.format(day=f"{monday:%m月%d日}")
    if errors:
        raise InvalidInput(errors)
    template = session.exec(select(MenuTemplate).where(MenuTemplate.canteen_id == canteen_id,
                                                       MenuTemplate.name == name.strip())).first()
    template = template or MenuTemplate(canteen_id=canteen_id, name=name.strip(), weeks=weeks, body="{}")
    body = json.loads(template.body)
    body[str(week_no)] = {f"{d}:{s}": _specs(items) for (d, s), items in plan.items()}
    template.body = json.dumps(body, ensure_ascii=False)
    session.add(template)
    audit.record(session, user_id=user_id, action="menu.save_template", object_type="canteen",
                 object_id=canteen_id, detail=f"{name} 第 {week_no} 周 <- {monday}")
    session.commit()
    return template


def templates_of(session: Session, canteen_id: int) -> list[MenuTemplate]:
    return list(session.exec(select(MenuTemplate).where(MenuTemplate.canteen_id == canteen_id)
                             .order_by(col(MenuTemplate.name))).all())


def apply_template(session: Session, canteen_id: int, template_id: int, week_no: int, monday: date, *,
                   user_id: int | None) -> tuple[int, int]:
    template = session.get(MenuTemplate, template_id)
    if template is None or template.canteen_id != canteen_id:
        raise InvalidInput({"template": msg.MENU_PICK_TEMPLATE})
    week = json.loads(template.body).get(str(week_no))
    if not week:
        raise InvalidInput({"week_no": msg.MENU_TEMPLATE_EMPTY_WEEK.format(week=week_no, name=template.name)})
    plan = {(int(k.split(":")[0]), k.split(":")[1]): v for k, v in week.items()}
    filled, kept = _fill(session, canteen_id, monday, plan)
    audit.record(session, user_id=user_id, action="menu.apply_template", object_type="canteen",
                 object_id=canteen_id, detail=f"{template.name} 第 {week_no} 周 -> {monday}：填入 {filled}")
    session.commit()
    return filled, kept
