"""The dispatcher's hand edits: move a stop, lock routes and stops, continuity weight, publish, late orders.

A hand edit never calls the solver: the routes are re-timed by walking them with the problem's own travel times,
and the routing library's independent validator says in words what the edit broke (a late window, a full box).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import timedelta

from pydantic import Field
from sqlmodel import Session, col, select

import routing
from app import jobs
from app.core import audit
from app.core import messages as msg
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.forms import FormModel, Text, parse_form
from app.core.principal import Principal
from app.core.privacy import mask_name
from app.core.settings import TZ
from app.dispatch import service as d
from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop, Order, Senior, UnassignedStop, now

DISPATCH_ROLES = ("dispatcher", "operator")


def may_dispatch(principal: Principal, canteen_id: int) -> bool:
    return any(principal.may_see_canteen(role, canteen_id) for role in DISPATCH_ROLES if principal.has(role))


def plan_for_edit(session: Session, principal: Principal, plan_id: int) -> DeliveryPlan:
    plan = session.get(DeliveryPlan, plan_id)
    if plan is None:
        raise NotFound(msg.DISPATCH_PLAN_NOT_FOUND)
    if not may_dispatch(principal, plan.canteen_id):
        raise Forbidden(msg.DISPATCH_OTHER_CANTEEN)
    return plan


def _walk(t: d.Translation, vehicle_key: str, trips: dict[int, list[str]]) -> routing.Route:
    """Re-time one vehicle's trips after a manual change exactly as the planner times them (routing.time_route)."""
    return routing.time_route(t.problem, vehicle_key, [trips[n] for n in sorted(trips)]).route


def current_plan(session: Session, plan: DeliveryPlan, t: d.Translation) -> routing.RoutePlan:
    """The stored routes as the library's RoutePlan (re-timed), with the stored unassigned stops."""
    key_of = {on.driver.id: key for key, on in t.shifts.items()}
    routes = []
    for route in d.routes_of(session, plan.id or 0):
        trips: dict[int, list[str]] = {}
        for stop in d.stops_of(session, route.id or 0):
            if d.stop_key(stop.order_id) in t.orders:
                trips.setdefault(stop.trip, []).append(d.stop_key(stop.order_id))
        if trips and route.driver_id in key_of:
            renumbered = {i: trips[n] for i, n in enumerate(sorted(trips), start=1)}
            routes.append(_walk(t, key_of[route.driver_id], renumbered))
    left = session.exec(select(UnassignedStop).where(UnassignedStop.plan_id == plan.id)).all()
    unassigned = tuple(routing.Unassigned(d.stop_key(u.order_id), routing.UnassignedReason.NO_TIME_LEFT, u.reason)
                       for u in left if d.stop_key(u.order_id) in t.orders)
    return routing.RoutePlan(tuple(routes), unassigned)


def retime(session: Session, plan: DeliveryPlan) -> list[str]:
    """Re-time the stored routes after a hand edit and return the validator's complaints in words. Commits."""
    t = d.build_problem(session, plan, with_locks=False)
    result = current_plan(session, plan, t)
    d.store_plan(session, plan, t, result)
    report = routing.validate(t.problem, result)
    # Food-safety breaches are told in minutes with the senior's masked name, not the validator's seconds.
    others = [v for v in report.violations if "餐食安全时限" not in v and "食用时限" not in v]
    return safety_breaches(session, plan) + [_readable(session, t, v) for v in others]


def _readable(session: Session, t: d.Translation, text: str) -> str:
    """The validator names stops and vehicles by key; the dispatcher knows them by senior and driver."""
    def stop_name(m: re.Match[str]) -> str:
        order = t.orders.get(m.group(0))
        return order.name if order else m.group(0)

    def driver_name(m: re.Match[str]) -> str:
        on = t.shifts.get(m.group(0))
        return on.driver.name if on else m.group(0)

    return re.sub(r"\bs\d+\b", driver_name, re.sub(r"\bo\d+\b", stop_name, text))


def move_stop(session: Session, principal: Principal, stop_id: int, route_id: int, position: int) -> list[str]:
    """Move a stop to `position` (1-based) on `route_id`; returns what the move broke, in words."""
    stop = session.get(DeliveryStop, stop_id)
    if stop is None:
        raise NotFound(msg.DISPATCH_STOP_NOT_FOUND)
    source, target = session.get(DeliveryRoute, stop.route_id), session.get(DeliveryRoute, route_id)
    if source is None or target is None or source.plan_id != target.plan_id:
        raise NotFound(msg.DISPATCH_STOP_NOT_FOUND)
    plan = plan_for_edit(session, principal, source.plan_id)
    _check_editable(plan, stop, source, target)
    others = [s for s in d.stops_of(session, target.id or 0) if s.id != stop.id]
    if not 1 <= position <= len(others) + 1:
        raise InvalidInput({"position": msg.DISPATCH_MOVE_BAD_POSITION.format(last=len(others) + 1)})
    neighbour = others[position - 2] if position > 1 else (others[0] if others else None)
    stop.trip = neighbour.trip if neighbour else 1
    others.insert(position - 1, stop)
    _renumber(session, others, target.id or 0)
    if source.id != target.id:
        _renumber(session, [s for s in d.stops_of(session, source.id or 0) if s.id != stop.id], source.id or 0)
    _bump_if_published(session, plan)
    return retime(session, plan)


def _check_editable(plan: DeliveryPlan, stop: DeliveryStop, source: DeliveryRoute, target: DeliveryRoute) -> None:
    if jobs.ACTIVE.count(plan.job_state):
        raise Conflict(msg.JOB_ALREADY_RUNNING)
    if stop.locked:
        raise Conflict(msg.DISPATCH_LOCKED_STOP)
    if source.locked or target.locked:
        raise Conflict(msg.DISPATCH_ROUTE_LOCKED)
    if stop.status != "pending":
        raise Conflict(msg.DISPATCH_EDIT_STARTED)


def _renumber(session: Session, stops: list[DeliveryStop], route_id: int) -> None:
    """Sequence numbers follow the list; trips stay non-decreasing along the route."""
    trip = 1
    for seq, stop in enumerate(stops, start=1):
        trip = max(trip, stop.trip)
        stop.route_id, stop.seq, stop.trip = route_id, seq, trip
        session.add(stop)
    session.flush()


def set_lock(session: Session, principal: Principal, *, route_id: int | None = None, stop_id: int | None = None,
             locked: bool) -> DeliveryPlan:
    row: DeliveryRoute | DeliveryStop | None = (session.get(DeliveryRoute, route_id) if route_id is not None
                                                else session.get(DeliveryStop, stop_id or 0))
    if row is None:
        raise NotFound(msg.DISPATCH_STOP_NOT_FOUND)
    route = row if isinstance(row, DeliveryRoute) else session.get(DeliveryRoute, row.route_id)
    plan = plan_for_edit(session, principal, route.plan_id if route else 0)
    row.locked = locked
    session.add(row)
    session.commit()
    return plan


def set_continuity(session: Session, principal: Principal, plan_id: int, raw: str) -> int:
    """How many seconds of extra travel keeping yesterday's driver for a senior is worth (0 = not at all)."""
    plan = plan_for_edit(session, principal, plan_id)
    raw = raw.strip()
    # isascii: str.isdigit() also accepts digits like "²" that int() refuses; 4 digits keeps it in range.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or int(raw) > 3600:
        raise InvalidInput({"continuity": msg.DISPATCH_CONTINUITY_INVALID})
    plan.continuity_weight = int(raw)
    session.add(plan)
    session.commit()
    return plan.continuity_weight


class PublishForm(FormModel):
    reason: Text = Field(default="", title=msg.DISPATCH_SAFETY_REASON_TITLE, max_length=300)


def safety_breaches(session: Session, plan: DeliveryPlan) -> list[str]:
    """Stops past the 60-minute ride limit or the eat-by time, as sentences naming the senior (masked) and
    minutes: what publishing would send out on the road."""
    eat_by = (plan.dispatch_at + timedelta(seconds=d.EAT_WITHIN_S)) if plan.dispatch_at else None
    found = []
    for route in d.routes_of(session, plan.id or 0):
        for stop in d.stops_of(session, route.id or 0):
            name = _masked_senior(session, stop.order_id)
            if stop.ride_s > d.RIDE_LIMIT_S:
                found.append(msg.DISPATCH_RIDE_BREACH.format(name=name, minutes=minutes(stop.ride_s),
                                                             limit=d.RIDE_LIMIT_S // 60))
            if eat_by is not None and stop.eta is not None and stop.eta > eat_by:
                found.append(msg.DISPATCH_EAT_BY_BREACH.format(name=name, eta=f"{stop.eta.astimezone(TZ):%H:%M}",
                                                               eat_by=f"{eat_by.astimezone(TZ):%H:%M}"))
    return found


def _masked_senior(session: Session, order_id: int) -> str:
    order = session.get(Order, order_id)
    senior = session.get(Senior, order.senior_id) if order else None
    return mask_name(senior.name) if senior else ""


def publish(session: Session, principal: Principal, plan_id: int, data: Mapping[str, str] | None = None,
            *, address: str = "") -> DeliveryPlan:
    """Publish: a new version the kitchen packs by and drivers see on their phones. A plan with a stop past a
    food-safety limit is refused unless the dispatcher writes why (kept on the plan and in the audit log)."""
    plan = plan_for_edit(session, principal, plan_id)
    form = parse_form(PublishForm, data or {})
    if plan.job_state in jobs.ACTIVE:
        raise Conflict(msg.DISPATCH_PUBLISH_BUSY)
    if not d.routes_of(session, plan_id):
        raise Conflict(msg.DISPATCH_PUBLISH_EMPTY)
    breaches = safety_breaches(session, plan)
    if breaches and len(form.reason) < 5:
        raise InvalidInput({"reason": msg.DISPATCH_SAFETY_REASON_NEEDED})
    plan.safety_reason = form.reason if breaches else ""
    plan.status, plan.version = "published", plan.version + 1
    plan.published_at, plan.published_by_id = now(), principal.user_id
    session.add(plan)
    if breaches:
        audit.record(session, user_id=principal.user_id, action="plan_publish_past_safety_limit",
                     object_type="delivery_plan", object_id=plan_id,
                     detail=f"第{plan.version}版：{form.reason}；" + "；".join(breaches), address=address)
    session.commit()
    return plan


def _bump_if_published(session: Session, plan: DeliveryPlan) -> None:
    if plan.status == "published":
        plan.version += 1
        plan.published_at = now()
        session.add(plan)


def late_orders(session: Session, plan: DeliveryPlan) -> list[tuple[Order, Senior]]:
    """Delivery orders of the slot that are on no route and not listed as unassigned (placed after planning)."""
    planned = set(session.exec(select(DeliveryStop.order_id).join(DeliveryRoute)
                               .where(DeliveryRoute.plan_id == plan.id)).all())
    planned |= set(session.exec(select(UnassignedStop.order_id).where(UnassignedStop.plan_id == plan.id)).all())
    rows = session.exec(
        select(Order, Senior).join(Senior, col(Senior.id) == Order.senior_id)
        .where(Order.canteen_id == plan.canteen_id, Order.service_date == plan.service_date,
               Order.slot == plan.slot, Order.fulfilment == "delivery", Order.status == "placed")
        .order_by(col(Order.id))
    ).all()
    return [(o, s) for o, s in rows if o.id not in planned]


def insert_late_orders(session: Session, plan: DeliveryPlan, progress: d.Progress, *, time_limit_s: float) -> None:
    """Job body for a published plan: slot new orders (and earlier unassigned ones) in with the least change;
    trips that already left the kitchen are kept exactly."""
    t = d.build_problem(session, plan, with_locks=False)
    planned = set(session.exec(select(DeliveryStop.order_id).join(DeliveryRoute)
                               .where(DeliveryRoute.plan_id == plan.id)).all())
    base = dataclasses.replace(t.problem, stops=tuple(s for s in t.problem.stops
                                                      if d.order_id_of(s.key) in planned))
    new = tuple(s for s in t.problem.stops if d.order_id_of(s.key) not in planned)
    before = current_plan(session, plan, dataclasses.replace(t, problem=base))
    before = routing.RoutePlan(before.routes, ())
    result = routing.insert_late_stops(base, before, new, time_limit_s=time_limit_s, now_s=d.now_s(plan))
    progress(msg.JOB_STAGE_NAMES["saving"], result.travel_s)
    plan.version += 1
    d.store_plan(session, plan, t, result)


def minutes(seconds: int) -> int:
    return round(seconds / 60)

