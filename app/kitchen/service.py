"""Kitchen use-cases: order rows -> `kitchen.KitchenLine`s (names masked) -> the four sheets of a slot.

A kitchen account sees its own canteen; a canteen that supplies 助餐点 (a central kitchen, `supplier_id`) also
sees the orders of every point it supplies, each point kept apart on the sheets. Operators see every canteen.
Once a delivery plan is published, packing and labels follow its routes and stop order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

import kitchen
from app.core import audit
from app.core import messages as msg
from app.core.errors import Forbidden, NotFound
from app.core.principal import Principal
from app.core.privacy import mask_name
from app.core.settings import TZ
from app.models import (
    Canteen,
    CanteenSlot,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Dish,
    Driver,
    MenuItem,
    Order,
    OrderLine,
    Senior,
    SetMealDish,
    Vehicle,
    split_tags,
)

KITCHEN_ROLES = ("kitchen", "operator")
# An order in these states is not cooked: 已取消, and 已退款 (refunded before the meal).
NOT_COOKED = frozenset({"cancelled", "refunded"})
# Senior needs the kitchen cooks as a separate batch, unless the dish itself already carries the tag.
DIET_VARIANTS = ("低盐", "低糖", "低脂", "糖尿病")
_SATISFIED_BY = {"糖尿病": ("糖尿病", "糖尿病适用"), "低糖": ("低糖", "糖尿病适用")}


@dataclass(frozen=True)
class KitchenScope:
    """The canteen whose kitchen prints, and the receiving points (itself first) whose orders it cooks."""

    canteen_id: int
    canteen_name: str
    point_ids: tuple[int, ...]

    @property
    def central(self) -> bool:
        return len(self.point_ids) > 1


@dataclass(frozen=True)
class SlotCounts:
    """Live counts of one slot for the /kitchen front page."""

    slot: str
    cook_finish: datetime
    provisional: bool
    orders: int
    meals: int
    dine_in: int
    pickup: int
    delivery: int
    special: int
    published_plan: bool


@dataclass(frozen=True)
class KitchenSheets:
    """Everything the four sheets print for one canteen (or central kitchen), date and slot."""

    scope: KitchenScope
    day: date
    slot: str
    cooked_at: datetime
    hot_held: bool
    prep: kitchen.PrepSheet
    samples: tuple[kitchen.SampleRow, ...]
    diets: kitchen.SpecialDietList
    packing: kitchen.PackingPlan
    labels: tuple[kitchen.Label, ...]
    point_names: dict[str, str]
    route_names: dict[str, str]
    # Why a published plan was sent out past a food-safety limit, as the dispatcher wrote it.
    safety_reasons: tuple[str, ...] = ()


def kitchen_scopes(session: Session, principal: Principal) -> list[KitchenScope]:
    """The canteens this account may print for (its own kitchen; every canteen for an operator)."""
    query = select(Canteen).where(col(Canteen.active)).order_by(col(Canteen.id))
    canteens = [c for c in session.exec(query).all() if _may_print(principal, c.id or 0)]
    return [_scope(session, c) for c in canteens]


def scope_for(session: Session, principal: Principal, canteen_id: int) -> KitchenScope:
    """Raises NotFound for an unknown canteen and Forbidden for another canteen's kitchen."""
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(msg.NOT_FOUND)
    if not _may_print(principal, canteen_id):
        raise Forbidden(msg.KITCHEN_OTHER_CANTEEN)
    return _scope(session, canteen)


def _may_print(principal: Principal, canteen_id: int) -> bool:
    return any(principal.may_see_canteen(role, canteen_id) for role in KITCHEN_ROLES if principal.has(role))


def _scope(session: Session, canteen: Canteen) -> KitchenScope:
    supplied = session.exec(
        select(Canteen.id).where(Canteen.supplier_id == canteen.id).order_by(col(Canteen.id))
    )
    points = (canteen.id or 0, *(point_id for point_id in supplied.all() if point_id is not None))
    return KitchenScope(canteen.id or 0, canteen.name, points)


def slot_rows(session: Session, scope: KitchenScope) -> list[CanteenSlot]:
    query = select(CanteenSlot).where(CanteenSlot.canteen_id == scope.canteen_id)
    order = {name: index for index, name in enumerate(("breakfast", "lunch", "dinner"))}
    return sorted(session.exec(query).all(), key=lambda row: order.get(row.slot, 9))


def slot_row(session: Session, scope: KitchenScope, slot: str) -> CanteenSlot:
    row = next((row for row in slot_rows(session, scope) if row.slot == slot), None)
    if row is None:
        raise NotFound(
            msg.KITCHEN_NO_SLOT.format(canteen=scope.canteen_name, slot=msg.SLOT_NAMES.get(slot, slot))
        )
    return row


def slot_counts(session: Session, scope: KitchenScope, day: date, at: datetime) -> list[SlotCounts]:
    """Today's slots with live counts: what the kitchen expects to cook right now."""
    return [_counts(session, scope, day, row, at) for row in slot_rows(session, scope)]


def _counts(session: Session, scope: KitchenScope, day: date, row: CanteenSlot, at: datetime) -> SlotCounts:
    lines = kitchen_lines(session, scope, day, row.slot)
    sheet = kitchen.build_prep_sheet(lines, provisional=at < final_at(session, scope, day, row.slot))
    special = kitchen.build_special_diet_list(lines)
    return SlotCounts(
        slot=row.slot,
        cook_finish=datetime.combine(day, row.cook_finish, TZ),
        provisional=sheet.provisional,
        orders=sheet.order_count,
        meals=_meals(session, scope, day, row.slot),
        dine_in=sheet.dine_in,
        pickup=sheet.pickup,
        delivery=sheet.delivery,
        special=special.senior_count,
        published_plan=bool(_published_plans(session, scope, day, row.slot)),
    )


def _meals(session: Session, scope: KitchenScope, day: date, slot: str) -> int:
    """Items ordered: a 套餐 counts once however many dishes it holds, each à la carte dish once."""
    query = (
        select(OrderLine.quantity)
        .join(Order, col(Order.id) == OrderLine.order_id)
        .where(*_order_filter(scope, day, slot), col(Order.status).not_in(NOT_COOKED))
    )
    return sum(session.exec(query).all())


def final_at(session: Session, scope: KitchenScope, day: date, slot: str) -> datetime:
    """The sheet is final once the last cutoff of every point in scope has passed (dine-in is the later one)."""
    query = select(CanteenSlot).where(
        col(CanteenSlot.canteen_id).in_(scope.point_ids), CanteenSlot.slot == slot
    )
    cutoffs = [_last_cutoff(day, row) for row in session.exec(query).all()]
    return max(cutoffs, default=datetime.combine(day, datetime.min.time(), TZ))


def _last_cutoff(day: date, row: CanteenSlot) -> datetime:
    dine_in = datetime.combine(day, row.dine_in_cutoff, TZ)
    delivery = datetime.combine(
        day - timedelta(days=row.delivery_cutoff_days_before), row.delivery_cutoff, TZ
    )
    return max(dine_in, delivery)


def _order_filter(scope: KitchenScope, day: date, slot: str) -> tuple[Any, ...]:
    return col(Order.canteen_id).in_(scope.point_ids), Order.service_date == day, Order.slot == slot


def kitchen_lines(session: Session, scope: KitchenScope, day: date, slot: str) -> list[kitchen.KitchenLine]:
    """One KitchenLine per dish per order line: a 套餐 line is cooked as each of its dishes."""
    query = (
        select(OrderLine, Order, Senior, MenuItem)
        .join(Order, col(Order.id) == OrderLine.order_id)
        .join(Senior, col(Senior.id) == Order.senior_id)
        .join(MenuItem, col(MenuItem.id) == OrderLine.menu_item_id)
        .where(*_order_filter(scope, day, slot))
        .order_by(col(Order.id), col(OrderLine.id))
    )
    rows = session.exec(query).all()
    dishes = _dishes_of(session, [item for *_, item in rows])
    points = _point_names(session, scope)
    own = kitchen_dish_of(session, scope, [d for found in dishes.values() for d in found])
    return [
        _kitchen_line(line, order, senior, dish, points, own.get(dish.id or 0, dish))
        for line, order, senior, item in rows
        for dish in dishes.get(_item_key(item), [])
    ]


def kitchen_dish_of(session: Session, scope: KitchenScope, dishes: Sequence[Dish]) -> dict[int, Dish]:
    """A supplied point keeps its own copy of each dish it serves; the central kitchen cooks its own dish of the
    same name (a canteen's dish names are unique), so the sheets count and sample each dish once. A point's dish
    the kitchen has no dish of that name for stays a row of its own."""
    foreign = [dish for dish in dishes if dish.canteen_id != scope.canteen_id]
    if not foreign:
        return {}
    names = {dish.name for dish in foreign}
    query = select(Dish).where(Dish.canteen_id == scope.canteen_id, col(Dish.name).in_(names))
    by_name = {dish.name: dish for dish in session.exec(query).all()}
    return {dish.id or 0: by_name[dish.name] for dish in foreign if dish.name in by_name}


def _item_key(item: MenuItem) -> tuple[str, int]:
    return ("set", item.set_meal_id or 0) if item.kind == "set" else ("dish", item.dish_id or 0)


def _dishes_of(session: Session, items: Sequence[MenuItem]) -> dict[tuple[str, int], list[Dish]]:
    set_ids = {item.set_meal_id or 0 for item in items if item.kind == "set"}
    dish_ids = {item.dish_id or 0 for item in items if item.kind == "dish"}
    links = session.exec(select(SetMealDish).where(col(SetMealDish.set_meal_id).in_(set_ids))).all()
    wanted = dish_ids | {link.dish_id for link in links}
    by_id = {dish.id: dish for dish in session.exec(select(Dish).where(col(Dish.id).in_(wanted))).all()}
    result: dict[tuple[str, int], list[Dish]] = {("dish", d): [by_id[d]] for d in dish_ids if d in by_id}
    for link in sorted(links, key=lambda link: link.dish_id):
        result.setdefault(("set", link.set_meal_id), []).append(by_id[link.dish_id])
    return result


def _point_names(session: Session, scope: KitchenScope) -> dict[int, str]:
    rows = session.exec(select(Canteen).where(col(Canteen.id).in_(scope.point_ids))).all()
    return {row.id or 0: row.name for row in rows}


def _kitchen_line(
    line: OrderLine, order: Order, senior: Senior, dish: Dish, points: dict[int, str], cooked: Dish
) -> kitchen.KitchenLine:
    return kitchen.KitchenLine(
        order_key=str(order.id),
        senior_key=str(senior.id),
        senior_name=mask_name(senior.name),
        point_key=str(order.canteen_id),
        point_name=points.get(order.canteen_id, ""),
        fulfilment=order.fulfilment,
        dish_key=str(cooked.id),
        dish_name=cooked.name,
        category=cooked.category,
        texture=line.texture,
        portion=line.portion,
        quantity=line.quantity,
        status=kitchen.CANCELLED if order.status in NOT_COOKED else order.status,
        area=area_of(senior) if order.fulfilment == "delivery" else "",
        building=senior.building,
        floor=f"{senior.floor}楼",
        room=senior.room,
        diet_tags=diet_variants(senior.restriction_list, split_tags(dish.diet_tags)),
        allergens=tuple(split_tags(dish.allergens)),
        senior_allergies=tuple(senior.allergy_list),
        senior_restrictions=tuple(senior.restriction_list),
    )


def diet_variants(restrictions: Iterable[str], dish_tags: Sequence[str]) -> tuple[str, ...]:
    """The senior's needs this dish does not already meet: those boxes are cooked (and labelled) apart."""
    needed = (tag for tag in restrictions if tag in DIET_VARIANTS)
    return tuple(tag for tag in needed if not set(_SATISFIED_BY.get(tag, (tag,))) & set(dish_tags))


def area_of(senior: Senior) -> str:
    """The 小区 for grouping unrouted delivery: the building text without its number ("彭浦新村12号" -> "彭浦新村")."""
    return re.sub(r"\d+\s*号.*$", "", senior.building).strip() or senior.residence_street


def _published_plans(session: Session, scope: KitchenScope, day: date, slot: str) -> list[DeliveryPlan]:
    query = select(DeliveryPlan).where(
        col(DeliveryPlan.canteen_id).in_(scope.point_ids),
        DeliveryPlan.service_date == day,
        DeliveryPlan.slot == slot,
        DeliveryPlan.status == "published",
    )
    return list(session.exec(query.order_by(col(DeliveryPlan.canteen_id))).all())


def stop_order_for(
    session: Session, scope: KitchenScope, day: date, slot: str
) -> tuple[kitchen.StopOrder | None, dict[str, kitchen.RouteInfo]]:
    """The published plans' stop order and route names, drivers and vehicles; (None, {}) before publication."""
    plans = _published_plans(session, scope, day, slot)
    if not plans:
        return None, {}
    points = _point_names(session, scope)
    stops: dict[str, tuple[str, int]] = {}
    routes: dict[str, kitchen.RouteInfo] = {}
    for plan in plans:
        # A point's own routes carry its name; the kitchen's own routes stay short for the labels.
        prefix = points.get(plan.canteen_id, "") if plan.canteen_id != scope.canteen_id else ""
        for number, (route, driver, vehicle) in enumerate(_routes(session, plan.id or 0), start=1):
            name = msg.KITCHEN_ROUTE_NAME.format(prefix=prefix, number=number)
            routes[str(route.id)] = kitchen.RouteInfo(name.strip(), driver=driver.name, vehicle=vehicle.name)
        stops.update(_stops(session, plan.id or 0))
    return stops, routes


def _routes(session: Session, plan_id: int) -> list[tuple[DeliveryRoute, Driver, Vehicle]]:
    query = (
        select(DeliveryRoute, Driver, Vehicle)
        .join(Driver, col(Driver.id) == DeliveryRoute.driver_id)
        .join(Vehicle, col(Vehicle.id) == DeliveryRoute.vehicle_id)
        .where(DeliveryRoute.plan_id == plan_id)
        .order_by(col(DeliveryRoute.position), col(DeliveryRoute.id))
    )
    return [(route, driver, vehicle) for route, driver, vehicle in session.exec(query).all()]


def _stops(session: Session, plan_id: int) -> dict[str, tuple[str, int]]:
    query = (
        select(DeliveryStop)
        .join(DeliveryRoute, col(DeliveryRoute.id) == DeliveryStop.route_id)
        .where(DeliveryRoute.plan_id == plan_id)
    )
    return {str(stop.order_id): (str(stop.route_id), stop.seq) for stop in session.exec(query).all()}


def sheets_for(
    session: Session, scope: KitchenScope, day: date, slot: str, *, at: datetime, hot_held: bool = False
) -> KitchenSheets:
    """Build all four sheets from one read of the orders, so they agree with each other."""
    row = slot_row(session, scope, slot)
    cooked_at = datetime.combine(day, row.cook_finish, TZ)
    lines = kitchen_lines(session, scope, day, slot)
    stop_order, routes = stop_order_for(session, scope, day, slot)
    prep = kitchen.build_prep_sheet(
        lines, provisional=at < final_at(session, scope, day, slot), stop_order=stop_order
    )
    packing = kitchen.build_packing(lines, stop_order=stop_order, routes=routes)
    return KitchenSheets(
        scope=scope,
        day=day,
        slot=slot,
        cooked_at=cooked_at,
        hot_held=hot_held,
        prep=prep,
        samples=kitchen.sample_checklist(prep, cooked_at),
        diets=kitchen.build_special_diet_list(lines, stop_order=stop_order),
        packing=packing,
        labels=kitchen.build_labels(packing, cooked_at=cooked_at, hot_held=hot_held),
        point_names={str(key): name for key, name in _point_names(session, scope).items()},
        route_names={key: info.name for key, info in routes.items()},
        safety_reasons=tuple(p.safety_reason for p in _published_plans(session, scope, day, slot) if p.safety_reason),
    )


def record_pdf_export(
    session: Session,
    principal: Principal,
    scope: KitchenScope,
    day: date,
    slot: str,
    sheet: str,
    address: str,
) -> None:
    """A PDF leaves the system with seniors' (masked) names and health needs: the audit log keeps who took it."""
    audit.record(
        session,
        user_id=principal.user_id,
        action="kitchen_pdf_export",
        object_type="canteen",
        object_id=scope.canteen_id,
        detail=f"{day.isoformat()} {slot} {sheet}",
        address=address,
    )
    session.commit()
