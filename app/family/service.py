"""A family's view of today's meals, following how each is taken: dine-in 已订 → 已就餐 (or 未到 once serving
has ended), pickup 已订 → 制作中 → 已取餐, delivery 已订餐 → 制作中 → 送餐途中 (ETA) → 已送达 and the wellness result.

Only a helper with an unrevoked HelperLink to the senior may look (the consent recorded when the link was made).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.errors import Forbidden, NotFound
from app.core.principal import Principal
from app.core.settings import TZ
from app.models import (
    CanteenSlot,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    HelperLink,
    Order,
    OrderLine,
    Senior,
    WellnessCheck,
)

STEPS = ("ordered", "cooking", "on_the_way", "delivered")
DINE_IN_STEPS = ("ordered", "served")
PICKUP_STEPS = ("ordered", "cooking", "served")
COOKING_LEAD = timedelta(hours=2)


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    state: str  # done / current / todo


@dataclass(frozen=True)
class MealStatus:
    order_id: int
    slot: str
    slot_name: str
    fulfilment: str
    dishes: tuple[str, ...]
    stage: str
    stage_name: str
    steps: tuple[Step, ...]
    eta: datetime | None
    delivered_at: datetime | None
    wellness: str
    wellness_name: str
    missed_words: str = ""  # dine-in or pickup: what 未到 means, once serving has ended


@dataclass(frozen=True)
class FamilyView:
    senior_id: int
    senior_name: str
    day: date
    meals: tuple[MealStatus, ...]


def family_status(session: Session, principal: Principal, senior_id: int, at: datetime) -> FamilyView:
    senior = session.get(Senior, senior_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    link = session.exec(select(HelperLink).where(HelperLink.helper_id == principal.user_id,
                                                 HelperLink.senior_id == senior_id,
                                                 col(HelperLink.revoked_at).is_(None))).first()
    if link is None:
        raise Forbidden(msg.FAMILY_NOT_LINKED)
    day = at.astimezone(TZ).date()
    orders = session.exec(select(Order).where(Order.senior_id == senior_id, Order.service_date == day,
                                              Order.status != "refunded").order_by(col(Order.id))).all()
    return FamilyView(senior_id, senior.name, day, tuple(_meal(session, o, at) for o in orders))


def _meal(session: Session, order: Order, at: datetime) -> MealStatus:
    stop = session.exec(select(DeliveryStop).where(DeliveryStop.order_id == order.id)).first()
    plan = _published_plan(session, stop)
    stage = _stage(session, order, stop if plan else None, at) if order.fulfilment == "delivery" else \
        _counter_stage(session, order, at)
    check = session.exec(select(WellnessCheck).where(WellnessCheck.stop_id == stop.id)).first() if stop else None
    dishes = session.exec(select(OrderLine.name).where(OrderLine.order_id == order.id)).all()
    return MealStatus(
        order_id=order.id or 0, slot=order.slot, slot_name=msg.SLOT_NAMES.get(order.slot, order.slot),
        fulfilment=order.fulfilment, dishes=tuple(dishes), stage=stage,
        stage_name=_stage_name(order.fulfilment, stage),
        steps=_steps(stage) if order.fulfilment == "delivery" else _counter_steps(order.fulfilment, stage),
        eta=stop.eta if stop and plan else None, delivered_at=stop.reported_at if stop else None,
        wellness=check.result if check else "", wellness_name=msg.WELLNESS_NAMES.get(check.result, "") if check else "",
        missed_words=(msg.FAMILY_MISSED_DINE_IN if order.fulfilment == "dine_in" else msg.FAMILY_MISSED_PICKUP)
        if stage == "missed" else "")


def _stage_name(fulfilment: str, stage: str) -> str:
    if stage == "missed":
        return msg.FAMILY_MISSED
    counter_names = {"pickup": msg.FAMILY_PICKUP_STEP_NAMES, "dine_in": msg.FAMILY_DINE_IN_STEP_NAMES}
    if stage in counter_names.get(fulfilment, {}):  # "现在：" says what the step itself says
        return counter_names[fulfilment][stage]
    return msg.FAMILY_STAGE_NAMES.get(stage, stage)


def _counter_stage(session: Session, order: Order, at: datetime) -> str:
    """Dine-in and pickup: served once checked in at the counter; 未到 when serving ended without it."""
    if order.status in ("cancelled", "served"):
        return order.status
    row = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == order.canteen_id,
                                                 CanteenSlot.slot == order.slot)).first()
    if row is None:
        return "ordered"
    if at >= datetime.combine(order.service_date, row.serve_end, TZ):
        return "missed"
    cooked = datetime.combine(order.service_date, row.cook_finish, TZ)
    if order.fulfilment == "pickup" and at >= cooked - COOKING_LEAD:
        return "cooking"
    return "ordered"


def _counter_steps(fulfilment: str, stage: str) -> tuple[Step, ...]:
    keys, names = (PICKUP_STEPS, msg.FAMILY_PICKUP_STEP_NAMES) if fulfilment == "pickup" else (
        DINE_IN_STEPS, msg.FAMILY_DINE_IN_STEP_NAMES)
    if stage == "missed":  # the last step says what happened instead
        return tuple(Step(k, msg.FAMILY_MISSED if k == "served" else names[k],
                          "current" if k == "served" else "done") for k in keys)
    reached = keys.index(stage) if stage in keys else 0
    return tuple(Step(k, names[k], "done" if i < reached or (i == reached and stage == "served") else
                      "current" if i == reached else "todo") for i, k in enumerate(keys))


def _published_plan(session: Session, stop: DeliveryStop | None) -> DeliveryPlan | None:
    if stop is None:
        return None
    route = session.get(DeliveryRoute, stop.route_id)
    plan = session.get(DeliveryPlan, route.plan_id) if route else None
    return plan if plan and plan.status == "published" else None


def _stage(session: Session, order: Order, stop: DeliveryStop | None, at: datetime) -> str:
    if order.status in ("cancelled", "served", "delivered", "no_answer"):
        return order.status
    if stop is not None and stop.status in ("delivered", "no_answer"):
        return stop.status
    row = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == order.canteen_id,
                                                 CanteenSlot.slot == order.slot)).first()
    if row is None:
        return "ordered"
    cooked = datetime.combine(order.service_date, row.cook_finish, TZ)
    if at >= cooked and stop is not None:
        return "on_the_way"
    return "cooking" if at >= cooked - COOKING_LEAD else "ordered"


def _steps(stage: str) -> tuple[Step, ...]:
    final = "delivered" if stage in ("delivered", "no_answer", "served") else stage
    reached = STEPS.index(final) if final in STEPS else -1
    out = []
    for i, key in enumerate(STEPS):
        state = "done" if i < reached or (i == reached and final == "delivered") else (
            "current" if i == reached else "todo")
        name = msg.FAMILY_STAGE_NAMES[stage] if key == "delivered" and stage in ("no_answer", "served") else \
            msg.FAMILY_STAGE_NAMES[key]
        out.append(Step(key, name, state))
    return tuple(out)
