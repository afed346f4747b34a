"""Dispatch: a canteen's delivery orders and drivers on shift, translated into the routing library's problem,
solved in a worker process, and stored back as DeliveryRoute / DeliveryStop rows.

Times cross into `routing` as whole seconds from the plan's start, which is the slot's cook-finish time (the
kitchen's dispatch time). Food-safety rules (DOMAIN.md): at most 60 minutes from the kitchen to the door, and eaten
within 2 hours of cooking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, delete, select

import routing
from app.core import messages as msg
from app.core.errors import Conflict, NotFound
from app.core.settings import TZ
from app.models import (
    Canteen,
    CanteenSlot,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    DriverShift,
    MenuItem,
    Order,
    OrderLine,
    Senior,
    UnassignedStop,
    Vehicle,
    now,
)

RIDE_LIMIT_S = 60 * 60
# A stop still unreported this long after its ETA is flagged on the live board (the periodic check in app.jobs
# raises its alert after the same 30 minutes).
OVERDUE_AFTER_S = 30 * 60
EAT_WITHIN_S = 2 * 60 * 60
PLANNABLE = ("placed", "delivered", "no_answer")
# Route colours on the map: distinct hues, each >= 3:1 against the white map background.
COLORS = ("#0b5cad", "#b3261e", "#1d6b2f", "#8a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f")


@dataclass(frozen=True)
class DeliveryOrder:
    order_id: int
    senior_id: int
    name: str
    address: str
    floor: int
    has_lift: bool
    lives_alone: bool
    lat: float | None
    lng: float | None
    meals: int

    @property
    def key(self) -> str:
        return stop_key(self.order_id)


@dataclass(frozen=True)
class OnShift:
    """A driver with a vehicle on shift for the slot; `key` is the vehicle key inside the routing problem."""

    shift: DriverShift
    driver: Driver
    vehicle: Vehicle

    @property
    def key(self) -> str:
        return f"s{self.shift.id}"


def stop_key(order_id: int) -> str:
    return f"o{order_id}"


def order_id_of(key: str) -> int:
    return int(key.removeprefix("o"))


def slot_row(session: Session, canteen_id: int, slot: str) -> CanteenSlot:
    row = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id,
                                                 CanteenSlot.slot == slot)).first()
    if row is None:
        canteen = session.get(Canteen, canteen_id)
        raise NotFound(msg.DISPATCH_NO_SLOT.format(canteen=canteen.name if canteen else "",
                                                   slot=msg.SLOT_NAMES.get(slot, slot)))
    return row


def dispatch_time(session: Session, canteen_id: int, day: date, slot: str) -> datetime:
    """The plan's second zero: the slot's cook-finish time on the service date."""
    return datetime.combine(day, slot_row(session, canteen_id, slot).cook_finish, TZ)


def depot_canteen(session: Session, canteen_id: int) -> Canteen:
    """Meals leave from the canteen's own kitchen, or from the central kitchen that supplies a 助餐点."""
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(msg.CANTEEN_NOT_FOUND)
    if canteen.supplier_id is not None:
        return session.get(Canteen, canteen.supplier_id) or canteen
    return canteen


def delivery_orders(session: Session, canteen_id: int, day: date, slot: str) -> list[DeliveryOrder]:
    rows = session.exec(
        select(Order, Senior).join(Senior, col(Senior.id) == Order.senior_id)
        .where(Order.canteen_id == canteen_id, Order.service_date == day, Order.slot == slot,
               Order.fulfilment == "delivery", col(Order.status).in_(PLANNABLE))
        .order_by(col(Order.id))
    ).all()
    boxes = _boxes(session, [o.id or 0 for o, _ in rows])
    return [_delivery_order(o, s, boxes.get(o.id or 0, 1)) for o, s in rows]


def _delivery_order(order: Order, senior: Senior, meals: int) -> DeliveryOrder:
    lat, lng = (order.lat, order.lng) if order.lat is not None else (senior.lat, senior.lng)
    return DeliveryOrder(order_id=order.id or 0, senior_id=senior.id or 0, name=senior.name,
                         address=order.address_snapshot or senior.address, floor=max(senior.floor, 1),
                         has_lift=senior.has_lift, lives_alone=senior.lives_alone, lat=lat, lng=lng, meals=meals)


def _boxes(session: Session, order_ids: list[int]) -> dict[int, int]:
    """Insulated boxes per order: one per set meal; à-la-carte dishes ride in one box of their own."""
    sets: dict[int, int] = {}
    dishes: set[int] = set()
    rows = session.exec(select(OrderLine.order_id, OrderLine.quantity, MenuItem.kind)
                        .join(MenuItem, col(MenuItem.id) == OrderLine.menu_item_id)
                        .where(col(OrderLine.order_id).in_(order_ids))).all()
    for order_id, quantity, kind in rows:
        if kind == "set":
            sets[order_id] = sets.get(order_id, 0) + quantity
        else:
            dishes.add(order_id)
    return {oid: max(sets.get(oid, 0), 1 if oid in dishes else 0) or 1 for oid in order_ids}


def drivers_on_shift(session: Session, canteen_id: int, day: date, slot: str) -> list[OnShift]:
    rows = session.exec(
        select(DriverShift, Driver, Vehicle)
        .join(Driver, col(Driver.id) == DriverShift.driver_id)
        .join(Vehicle, col(Vehicle.id) == DriverShift.vehicle_id)
        .where(DriverShift.canteen_id == canteen_id, DriverShift.service_date == day, DriverShift.slot == slot,
               col(Driver.active).is_(True), col(Vehicle.active).is_(True))
        .order_by(col(DriverShift.start_at), col(DriverShift.id))
    ).all()
    return [OnShift(shift, driver, vehicle) for shift, driver, vehicle in rows]


def _seconds(at: datetime, start: datetime) -> int:
    return max(int((at - start).total_seconds()), 0)


def routing_vehicle(on: OnShift, start: datetime) -> routing.Vehicle:
    shift = routing.TimeWindow(_seconds(on.shift.start_at, start), _seconds(on.shift.end_at, start))
    kind = on.vehicle.kind if on.vehicle.kind in ("ebike", "car", "foot") else "ebike"
    return routing.Vehicle(key=on.key, kind=kind, capacity_meals=on.vehicle.capacity_meals,  # type: ignore[arg-type]
                           shift=shift, max_trips=on.shift.max_trips, speed_kmh=on.vehicle.speed_kmh)


def routing_stop(order: DeliveryOrder, row: CanteenSlot, day: date, start: datetime,
                 preferred: str | None) -> routing.Stop:
    open_at = _seconds(datetime.combine(day, row.delivery_start, TZ), start)
    close_at = max(_seconds(datetime.combine(day, row.delivery_end, TZ), start), open_at)
    return routing.Stop(
        key=order.key, location=routing.LatLng(order.lat or 0.0, order.lng or 0.0), meals=order.meals,
        window=routing.TimeWindow(open_at, close_at),
        service_s=routing.service_time_s(floor=order.floor, has_lift=order.has_lift, lives_alone=order.lives_alone),
        eat_by_s=EAT_WITHIN_S, preferred_vehicle=preferred)


@dataclass(frozen=True)
class Translation:
    """The routing problem plus what is needed to map its keys back to rows."""

    problem: routing.RoutingProblem
    start: datetime
    shifts: dict[str, OnShift]
    orders: dict[str, DeliveryOrder]
    no_location: tuple[DeliveryOrder, ...]


def build_problem(session: Session, plan: DeliveryPlan, *, with_locks: bool = True) -> Translation:
    """Translate the plan's orders and shifts into a RoutingProblem (orders without coordinates are set aside)."""
    row = slot_row(session, plan.canteen_id, plan.slot)
    start = datetime.combine(plan.service_date, row.cook_finish, TZ)
    depot = depot_canteen(session, plan.canteen_id)
    shifts = {on.key: on for on in drivers_on_shift(session, plan.canteen_id, plan.service_date, plan.slot)}
    if not shifts:
        raise Conflict(msg.DISPATCH_NO_SHIFTS)
    orders = delivery_orders(session, plan.canteen_id, plan.service_date, plan.slot)
    located = [o for o in orders if o.lat is not None and o.lng is not None]
    preferred = yesterdays_drivers(session, plan, {o.senior_id for o in located}, shifts)
    stops = tuple(routing_stop(o, row, plan.service_date, start, preferred.get(o.senior_id)) for o in located)
    vehicles = tuple(routing_vehicle(on, start) for on in shifts.values())
    close_s = max([v.shift.end_s for v in vehicles] + [EAT_WITHIN_S])
    problem = routing.RoutingProblem(
        depot=routing.Depot(routing.LatLng(depot.lat, depot.lng), ready_s=0, close_s=close_s),
        stops=stops, vehicles=vehicles, ride_limit_s=RIDE_LIMIT_S,
        weights=routing.Weights(continuity_s=plan.continuity_weight),
        locks=locks_for(session, plan, shifts, {s.key for s in stops}) if with_locks else (),
        name=f"plan-{plan.id}")
    return Translation(problem, start, shifts, {o.key: o for o in located},
                       tuple(o for o in orders if o.lat is None or o.lng is None))


def yesterdays_drivers(session: Session, plan: DeliveryPlan, senior_ids: set[int],
                       shifts: dict[str, OnShift]) -> dict[int, str]:
    """Continuity: the vehicle key of the driver who last brought each senior this slot's meal, if on shift."""
    by_driver = {on.driver.id: key for key, on in shifts.items()}
    rows = session.exec(
        select(Order.senior_id, DeliveryRoute.driver_id)
        .join(DeliveryStop, col(DeliveryStop.order_id) == Order.id)
        .join(DeliveryRoute, col(DeliveryRoute.id) == DeliveryStop.route_id)
        .join(DeliveryPlan, col(DeliveryPlan.id) == DeliveryRoute.plan_id)
        .where(DeliveryPlan.canteen_id == plan.canteen_id, DeliveryPlan.slot == plan.slot,
               DeliveryPlan.status == "published", col(DeliveryPlan.service_date) < plan.service_date,
               col(Order.senior_id).in_(senior_ids))
        .order_by(col(DeliveryPlan.service_date))
    ).all()
    found: dict[int, str] = {}
    for senior_id, driver_id in rows:  # later dates overwrite earlier ones
        if driver_id in by_driver:
            found[senior_id] = by_driver[driver_id]
    return found


def locks_for(session: Session, plan: DeliveryPlan, shifts: dict[str, OnShift],
              known: set[str]) -> tuple[routing.Lock, ...]:
    """A locked route keeps all its trips exactly; locked stops stay first on their route's trip, in order."""
    key_of = {on.driver.id: key for key, on in shifts.items()}
    locks: list[routing.Lock] = []
    for route in routes_of(session, plan.id or 0):
        vehicle_key = key_of.get(route.driver_id)
        if vehicle_key is None:
            continue
        for trip, stops in _trips(stops_of(session, route.id or 0)).items():
            keys = tuple(stop_key(s.order_id) for s in stops if (route.locked or s.locked)
                         and stop_key(s.order_id) in known)
            if keys:
                locks.append(routing.Lock(vehicle_key, keys, trip, closed=route.locked))
    return tuple(locks)


def _trips(stops: list[DeliveryStop]) -> dict[int, list[DeliveryStop]]:
    out: dict[int, list[DeliveryStop]] = {}
    for stop in stops:
        out.setdefault(stop.trip, []).append(stop)
    return out


def routes_of(session: Session, plan_id: int) -> list[DeliveryRoute]:
    return list(session.exec(select(DeliveryRoute).where(DeliveryRoute.plan_id == plan_id)
                             .order_by(col(DeliveryRoute.position), col(DeliveryRoute.id))).all())


def stops_of(session: Session, route_id: int) -> list[DeliveryStop]:
    return list(session.exec(select(DeliveryStop).where(DeliveryStop.route_id == route_id)
                             .order_by(col(DeliveryStop.seq))).all())


def plan_for(session: Session, canteen_id: int, day: date, slot: str) -> DeliveryPlan:
    """The plan row for canteen × date × slot, created on first visit (draft, no routes)."""
    slot_row(session, canteen_id, slot)
    plan = session.exec(select(DeliveryPlan).where(DeliveryPlan.canteen_id == canteen_id,
                                                   DeliveryPlan.service_date == day,
                                                   DeliveryPlan.slot == slot)).first()
    if plan is None:
        plan = DeliveryPlan(canteen_id=canteen_id, service_date=day, slot=slot,
                            dispatch_at=dispatch_time(session, canteen_id, day, slot))
        session.add(plan)
        session.commit()
        session.refresh(plan)
    return plan


Progress = Callable[[str, int | None], None]


def store_plan(session: Session, plan: DeliveryPlan, t: Translation, result: routing.RoutePlan) -> None:
    """Write the solver's routes over the plan's rows. Rows are updated in place (by driver and by order), so
    locks and anything drivers already reported survive a re-plan. Commits."""
    existing = {r.driver_id: r for r in routes_of(session, plan.id or 0)}
    kept: set[int] = set()
    for position, route in enumerate(result.routes):
        on = t.shifts[route.vehicle_key]
        row = existing.get(on.driver.id or 0) or DeliveryRoute(plan_id=plan.id or 0, driver_id=on.driver.id or 0,
                                                               vehicle_id=on.vehicle.id or 0)
        row.vehicle_id, row.position, row.color = on.vehicle.id or 0, position, COLORS[position % len(COLORS)]
        row.travel_s, row.distance_m = route.travel_s, route.distance_m
        row.meals = sum(t.problem.stop(v.stop_key).meals for v in route.visits)
        session.add(row)
        session.flush()
        kept.add(row.id or 0)
        _store_visits(session, row.id or 0, route.visits, t)
    _drop_other_routes(session, plan.id or 0, kept)
    _drop_stale_stops(session, kept, {order_id_of(v.stop_key) for r in result.routes for v in r.visits})
    _store_unassigned(session, plan, t, result.unassigned)
    plan.total_travel_s, plan.total_distance_m = result.travel_s, result.distance_m
    plan.dispatch_at = t.start
    session.add(plan)
    session.commit()


def _store_visits(session: Session, route_id: int, visits: tuple[routing.Visit, ...], t: Translation) -> None:
    for seq, visit in enumerate(visits, start=1):
        order_id = order_id_of(visit.stop_key)
        stop = session.exec(select(DeliveryStop).where(DeliveryStop.order_id == order_id)).first()
        stop = stop or DeliveryStop(route_id=route_id, order_id=order_id, seq=seq)
        stop.route_id, stop.seq, stop.trip = route_id, seq, visit.trip
        stop.eta = t.start + timedelta(seconds=visit.start_s)
        stop.ride_s, stop.meals = visit.ride_s, t.orders[visit.stop_key].meals
        session.add(stop)
    session.flush()


def _drop_other_routes(session: Session, plan_id: int, kept: set[int]) -> None:
    for route in routes_of(session, plan_id):
        if (route.id or 0) not in kept:
            session.exec(delete(DeliveryStop).where(col(DeliveryStop.route_id) == route.id))  # type: ignore[call-overload]
            session.delete(route)
    session.flush()


def _drop_stale_stops(session: Session, route_ids: set[int], served: set[int]) -> None:
    """Stops whose order left the plan (cancelled, or now unassigned) go; reported stops are never dropped."""
    for route_id in route_ids:
        for stop in stops_of(session, route_id):
            if stop.order_id not in served and stop.status == "pending":
                session.delete(stop)
    session.flush()


def _store_unassigned(session: Session, plan: DeliveryPlan, t: Translation,
                      unassigned: tuple[routing.Unassigned, ...]) -> None:
    session.exec(delete(UnassignedStop).where(col(UnassignedStop.plan_id) == plan.id))  # type: ignore[call-overload]
    for u in unassigned:
        order_id = order_id_of(u.stop_key)
        session.exec(delete(DeliveryStop).where(col(DeliveryStop.order_id) == order_id))  # type: ignore[call-overload]
        session.add(UnassignedStop(plan_id=plan.id or 0, order_id=order_id, reason_code=str(u.reason),
                                   reason=msg.REASON_NAMES.get(str(u.reason), u.message)))
    for order in t.no_location:
        session.add(UnassignedStop(plan_id=plan.id or 0, order_id=order.order_id, reason_code="no_location",
                                   reason=msg.REASON_NAMES["no_location"]))


def enqueue_plan(session: Session, plan: DeliveryPlan) -> bool:
    """Ask a worker to (re)plan; False when a solve for this plan is already queued or running."""
    from app import jobs

    return jobs.enqueue(session, plan.id or 0)


def now_s(plan: DeliveryPlan) -> int:
    start = plan.dispatch_at or now()
    return _seconds(now(), start)


def plan_of_stop(session: Session, stop_id: int) -> DeliveryPlan:
    stop = session.get(DeliveryStop, stop_id)
    route = session.get(DeliveryRoute, stop.route_id) if stop else None
    plan = session.get(DeliveryPlan, route.plan_id) if route else None
    if plan is None:
        raise NotFound(msg.DISPATCH_STOP_NOT_FOUND)
    return plan
