"""What the dispatcher's page shows: orders and shifts, job progress, routes as tables and as an SVG map drawn
from the coordinates (no tile server), unassigned stops with reasons, late orders, and the live board."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app import alerts, jobs
from app.core import messages as msg
from app.core.errors import Forbidden
from app.core.principal import Principal
from app.core.settings import get_settings
from app.dispatch import edit
from app.dispatch import service as d
from app.models import (
    Canteen,
    DeliveryPlan,
    DeliveryStop,
    Driver,
    Order,
    Senior,
    StopEvent,
    UnassignedStop,
    Vehicle,
)
from routing.geo import wgs84_to_gcj02

MAP_W, MAP_H, PAD = 800, 520, 36


@dataclass(frozen=True)
class StopRow:
    id: int
    order_id: int
    seq: int
    trip: int
    eta: datetime | None
    name: str
    address: str
    floor: int
    has_lift: bool
    lives_alone: bool
    meals: int
    load: int
    ride_min: int
    ride_ok: bool
    locked: bool
    status: str
    status_name: str
    x: float
    y: float
    steps: tuple[str, ...]
    note: str
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True)
class RouteRow:
    id: int
    number: int
    name: str
    color: str
    driver: str
    vehicle: str
    capacity: int
    locked: bool
    travel_min: int
    distance_km: float
    meals: int
    stops: tuple[StopRow, ...]
    lines: tuple[str, ...]  # SVG polyline points, one per trip


@dataclass(frozen=True)
class ShiftRow:
    driver: str
    vehicle: str
    kind: str
    capacity: int
    start: datetime
    end: datetime
    max_trips: int


@dataclass(frozen=True)
class PlanPage:
    plan: DeliveryPlan
    canteen: Canteen
    depot_name: str
    orders: int
    meals: int
    shifts: tuple[ShiftRow, ...]
    job: jobs.JobStatus
    routes: tuple[RouteRow, ...]
    unassigned: tuple[tuple[str, str, str], ...]
    late: tuple[tuple[int, str, str], ...]
    depot_xy: tuple[float, float]
    eat_by: datetime | None
    ride_limit_min: int
    breaches: tuple[str, ...] = ()
    tiles: dict[str, object] | None = None
    # Cutoff notices the periodic checks raised for this canteen ("ordering closed, please plan").
    notices: tuple[alerts.AlertView, ...] = ()

    @property
    def planned_stops(self) -> int:
        return sum(len(r.stops) for r in self.routes)


def canteens_for(session: Session, principal: Principal) -> list[Canteen]:
    rows = session.exec(select(Canteen).where(col(Canteen.active).is_(True)).order_by(col(Canteen.id))).all()
    found = [c for c in rows if edit.may_dispatch(principal, c.id or 0)]
    if not found:
        raise Forbidden(msg.DISPATCH_NO_CANTEEN)
    return found


def plan_page(session: Session, principal: Principal, canteen_id: int, day: date, slot: str) -> PlanPage:
    if not edit.may_dispatch(principal, canteen_id):
        raise Forbidden(msg.DISPATCH_OTHER_CANTEEN)
    plan = d.plan_for(session, canteen_id, day, slot)
    return page_for(session, plan)


def page_for(session: Session, plan: DeliveryPlan) -> PlanPage:
    canteen = session.get(Canteen, plan.canteen_id)
    depot = d.depot_canteen(session, plan.canteen_id)
    assert canteen is not None
    orders = d.delivery_orders(session, plan.canteen_id, plan.service_date, plan.slot)
    project = _projection([(depot.lat, depot.lng)] + [(o.lat, o.lng) for o in orders if o.lat and o.lng])
    start = plan.dispatch_at or d.dispatch_time(session, plan.canteen_id, plan.service_date, plan.slot)
    routes, unassigned = _routes(session, plan, project, project(depot.lat, depot.lng)), _unassigned(session, plan)
    # Orders that arrived after the last planning; before any planning every order is simply "to plan".
    late = tuple((o.id or 0, s.name, o.address_snapshot or s.address)
                 for o, s in edit.late_orders(session, plan)) if routes or unassigned else ()
    return PlanPage(
        plan=plan, canteen=canteen, depot_name=depot.name, orders=len(orders), meals=sum(o.meals for o in orders),
        shifts=tuple(_shift(on) for on in d.drivers_on_shift(session, plan.canteen_id, plan.service_date, plan.slot)),
        job=jobs.status(session, plan.id or 0), routes=routes, unassigned=unassigned, late=late,
        depot_xy=project(depot.lat, depot.lng), eat_by=start + timedelta(seconds=d.EAT_WITHIN_S),
        ride_limit_min=d.RIDE_LIMIT_S // 60, breaches=tuple(edit.safety_breaches(session, plan)),
        tiles=tile_map(depot, routes),
        notices=tuple(a for a in alerts.open_alerts(session, [plan.canteen_id]) if a.kind == "cutoff"))


def tile_map(depot: Canteen, routes: tuple[RouteRow, ...]) -> dict[str, object] | None:
    """What dispatch.js draws on the tile layer: stops and trips in the tiles' coordinate system (GCJ-02 tiles
    such as AMap's are shifted from the stored WGS-84). None when no tile source is configured."""
    settings = get_settings()
    if not settings.map_tile_url:
        return None
    shift = settings.map_tile_crs == "gcj02"

    def at(lat: float | None, lng: float | None) -> list[float]:
        if lat is None or lng is None:
            return []
        glat, glng = wgs84_to_gcj02(lat, lng) if shift else (lat, lng)
        return [round(glat, 6), round(glng, 6)]

    home = at(depot.lat, depot.lng)
    return {"url": settings.map_tile_url, "attribution": settings.map_tile_attribution, "depot": home,
            "routes": [{"color": r.color, "name": r.name,
                        "stops": [{"seq": s.seq, "at": at(s.lat, s.lng)} for s in r.stops if s.lat is not None],
                        "trips": [[home, *(at(s.lat, s.lng) for s in r.stops if s.trip == n and s.lat is not None),
                                   home] for n in sorted({s.trip for s in r.stops})]}
                       for r in routes]}


def _shift(on: d.OnShift) -> ShiftRow:
    return ShiftRow(on.driver.name, on.vehicle.name, msg.VEHICLE_KIND_NAMES.get(on.vehicle.kind, on.vehicle.kind),
                    on.vehicle.capacity_meals, on.shift.start_at, on.shift.end_at, on.shift.max_trips)


def _projection(points: Sequence[tuple[float | None, float | None]]):  # type: ignore[no-untyped-def]
    """Equirectangular projection fitted into the SVG box (north up; longitude scaled by cos(latitude))."""
    lats = [p[0] for p in points if p[0] is not None]
    lngs = [p[1] for p in points if p[1] is not None]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    w = max((max(lngs) - min(lngs)) * k, 1e-6)
    h = max(max(lats) - min(lats), 1e-6)
    scale = min((MAP_W - 2 * PAD) / w, (MAP_H - 2 * PAD) / h)

    def project(lat: float, lng: float) -> tuple[float, float]:
        return (round(PAD + (lng - min(lngs)) * k * scale, 1), round(MAP_H - PAD - (lat - min(lats)) * scale, 1))

    return project


def _routes(session: Session, plan: DeliveryPlan, project, depot_xy: tuple[float, float]) -> tuple[RouteRow, ...]:  # type: ignore[no-untyped-def]
    out = []
    for number, route in enumerate(d.routes_of(session, plan.id or 0), start=1):
        driver, vehicle = session.get(Driver, route.driver_id), session.get(Vehicle, route.vehicle_id)
        assert driver is not None and vehicle is not None
        stops = _stop_rows(session, d.stops_of(session, route.id or 0), project)
        out.append(RouteRow(
            id=route.id or 0, number=number, name=msg.DISPATCH_ROUTE_NAME.format(number=number, driver=driver.name),
            color=route.color, driver=driver.name, vehicle=vehicle.name, capacity=vehicle.capacity_meals,
            locked=route.locked, travel_min=edit.minutes(route.travel_s), distance_km=round(route.distance_m / 1000, 1),
            meals=route.meals, stops=stops, lines=_lines(stops, depot_xy)))
    return tuple(out)


def _stop_rows(session: Session, stops: list[DeliveryStop], project) -> tuple[StopRow, ...]:  # type: ignore[no-untyped-def]
    rows, loads = [], _loads(stops)
    for stop in stops:
        order = session.get(Order, stop.order_id)
        senior = session.get(Senior, order.senior_id if order else 0)
        assert order is not None and senior is not None
        lat, lng = (order.lat, order.lng) if order.lat is not None else (senior.lat, senior.lng)
        x, y = project(lat, lng) if lat is not None and lng is not None else (0.0, 0.0)
        rows.append(StopRow(
            id=stop.id or 0, order_id=stop.order_id, seq=stop.seq, trip=stop.trip, eta=stop.eta, name=senior.name,
            address=order.address_snapshot or senior.address, floor=senior.floor, has_lift=senior.has_lift,
            lives_alone=senior.lives_alone, meals=stop.meals, load=loads[stop.id or 0],
            ride_min=edit.minutes(stop.ride_s), ride_ok=stop.ride_s <= d.RIDE_LIMIT_S, locked=stop.locked,
            status=stop.status, status_name=msg.STOP_STATUS_NAMES.get(stop.status, stop.status), x=x, y=y,
            steps=_steps_done(session, stop.id or 0), note=stop.note, lat=lat, lng=lng))
    return tuple(rows)


def _steps_done(session: Session, stop_id: int) -> tuple[str, ...]:
    """The no-answer steps the driver has recorded, in words, in the order done."""
    kinds = session.exec(select(StopEvent.kind).where(StopEvent.stop_id == stop_id).order_by(col(StopEvent.id))).all()
    return tuple(msg.STEP_NAMES[k.removeprefix("step:")] for k in kinds if k.removeprefix("step:") in msg.STEP_NAMES)


def _loads(stops: list[DeliveryStop]) -> dict[int, int]:
    """Meals on board on arrival at each stop (the trip's total, less what was handed over before)."""
    out: dict[int, int] = {}
    for trip in {s.trip for s in stops}:
        on_board = sum(s.meals for s in stops if s.trip == trip)
        for s in (s for s in stops if s.trip == trip):
            out[s.id or 0] = on_board
            on_board -= s.meals
    return out


def _lines(stops: tuple[StopRow, ...], depot: tuple[float, float]) -> tuple[str, ...]:
    lines = []
    for trip in sorted({s.trip for s in stops}):
        pts = [depot] + [(s.x, s.y) for s in stops if s.trip == trip] + [depot]
        lines.append(" ".join(f"{x},{y}" for x, y in pts))
    return tuple(lines)


def _unassigned(session: Session, plan: DeliveryPlan) -> tuple[tuple[str, str, str], ...]:
    rows = session.exec(select(UnassignedStop, Order, Senior).join(Order, col(Order.id) == UnassignedStop.order_id)
                        .join(Senior, col(Senior.id) == Order.senior_id)
                        .where(UnassignedStop.plan_id == plan.id).order_by(col(UnassignedStop.id))).all()
    return tuple((s.name, o.address_snapshot or s.address, u.reason) for u, o, s in rows)


@dataclass(frozen=True)
class Board:
    page: PlanPage
    alerts: tuple[alerts.AlertView, ...]
    counts: dict[str, int]
    # stop id -> whole minutes past its ETA, for stops still unreported 30 minutes after it.
    overdue: dict[int, int] = field(default_factory=dict)


def board(session: Session, principal: Principal, plan_id: int, at: datetime) -> Board:
    plan = edit.plan_for_edit(session, principal, plan_id)
    page = page_for(session, plan)
    counts = {k: 0 for k in msg.STOP_STATUS_NAMES}
    for route in page.routes:
        for stop in route.stops:
            counts[stop.status] = counts.get(stop.status, 0) + 1
    return Board(page, tuple(alerts.open_alerts(session, [plan.canteen_id])), counts, overdue_of(page, at))


def overdue_of(page: PlanPage, at: datetime) -> dict[int, int]:
    """The overdue stops of a published plan (a draft has not left the kitchen)."""
    if page.plan.status != "published":
        return {}
    return overdue_minutes([s for r in page.routes for s in r.stops], at)


def overdue_minutes(stops: Sequence[StopRow], at: datetime) -> dict[int, int]:
    """Pending stops more than 30 minutes past their ETA, with the minutes past it (a no-answer is reported,
    so it is not overdue: its alert is already on the board)."""
    late = {s.id: (at - s.eta).total_seconds() for s in stops if s.status == "pending" and s.eta is not None}
    return {stop_id: int(seconds // 60) for stop_id, seconds in late.items() if seconds > d.OVERDUE_AFTER_S}
