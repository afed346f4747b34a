"""The driver's phone: today's own published route only, and what the driver reports at each door.

Scope is checked here, not in the page: a driver sees and reports only stops on their own route of a published
plan for today. ID numbers are never read into these views. Reports carry a client_report_id made on the phone,
so a report replayed after a weak connection counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import alerts
from app.core import messages as msg
from app.core.errors import Forbidden, InvalidInput, NotFound
from app.core.principal import Principal
from app.core.privacy import mask_phone
from app.models import (
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    Order,
    OrderEvent,
    OrderLine,
    Senior,
    StopEvent,
    WellnessCheck,
    now,
)
from routing.geo import wgs84_to_gcj02

EAT_WITHIN = timedelta(hours=2)
NAV_SOURCE = "canteen.delivery"
REPORT_KINDS = ("delivered", "no_answer", "problem", "step")


@dataclass(frozen=True)
class Meal:
    name: str
    quantity: int
    texture: str


@dataclass(frozen=True)
class Phone:
    """A number to tap: the full number only in the tel: link, a masked one on screen."""

    label: str
    tel: str
    shown: str


@dataclass(frozen=True)
class NavLinks:
    """Start navigation in the AMap (高德) or Baidu app; the web pages are the fallback without the app."""

    amap_app: str
    amap_web: str
    baidu_app: str
    baidu_web: str


@dataclass(frozen=True)
class DriverStop:
    id: int
    seq: int
    trip: int
    eta: datetime | None
    name: str
    address: str
    building: str
    unit: str
    floor: int
    has_lift: bool
    notes: str
    meals: tuple[Meal, ...]
    eat_by: datetime | None
    call: Phone | None
    contacts: tuple[Phone, ...]
    room: str
    nav: NavLinks | None
    lives_alone: bool
    status: str
    status_name: str
    steps_done: frozenset[str]
    wellness: str


@dataclass(frozen=True)
class DriverRoute:
    plan_id: int
    version: int
    slot: str
    day: date
    stops: tuple[DriverStop, ...]
    safety_reason: str = ""

    @property
    def done(self) -> int:
        return sum(1 for s in self.stops if s.status != "pending")


def driver_of(session: Session, principal: Principal) -> Driver:
    driver = session.exec(select(Driver).where(Driver.user_id == principal.user_id)).first()
    if driver is None or not principal.has("driver"):
        raise Forbidden(msg.DRIVER_NOT_A_DRIVER)
    return driver


def today_routes(session: Session, principal: Principal, today: date) -> list[DriverRoute]:
    """This driver's routes on today's published plans (one per slot), stops in order."""
    return routes_on(session, principal, today)


def tomorrow_routes(session: Session, principal: Principal, today: date) -> list[DriverRoute]:
    """Tomorrow's routes once the dispatcher has published them, to look at (reports are for today only)."""
    return routes_on(session, principal, today + timedelta(days=1))


def routes_on(session: Session, principal: Principal, day: date) -> list[DriverRoute]:
    driver = driver_of(session, principal)
    rows = session.exec(
        select(DeliveryRoute, DeliveryPlan).join(DeliveryPlan, col(DeliveryPlan.id) == DeliveryRoute.plan_id)
        .where(DeliveryRoute.driver_id == driver.id, DeliveryPlan.service_date == day,
               DeliveryPlan.status == "published").order_by(col(DeliveryPlan.dispatch_at))
    ).all()
    return [DriverRoute(plan.id or 0, plan.version, plan.slot, plan.service_date,
                        tuple(_stop(session, s, plan) for s in _stops(session, route.id or 0)), plan.safety_reason)
            for route, plan in rows]


def _stops(session: Session, route_id: int) -> list[DeliveryStop]:
    return list(session.exec(select(DeliveryStop).where(DeliveryStop.route_id == route_id)
                             .order_by(col(DeliveryStop.seq))).all())


def _stop(session: Session, stop: DeliveryStop, plan: DeliveryPlan) -> DriverStop:
    order = session.get(Order, stop.order_id)
    senior = session.get(Senior, order.senior_id if order else 0)
    assert order is not None and senior is not None
    lat, lng = (order.lat, order.lng) if order.lat is not None else (senior.lat, senior.lng)
    nav = nav_links(lat, lng, senior.name)
    steps = set(session.exec(select(StopEvent.kind).where(StopEvent.stop_id == stop.id)).all())
    check = session.exec(select(WellnessCheck).where(WellnessCheck.stop_id == stop.id)).first()
    return DriverStop(
        id=stop.id or 0, seq=stop.seq, trip=stop.trip, eta=stop.eta, name=senior.name,
        address=order.address_snapshot or senior.address, building=senior.building, unit=senior.unit,
        room=senior.room, floor=senior.floor, has_lift=senior.has_lift, notes=senior.driver_notes, meals=tuple(_meals(session, order)),
        eat_by=plan.dispatch_at + EAT_WITHIN if plan.dispatch_at else None,
        call=_phone(senior.name, senior.phone), contacts=tuple(_contact_phones(session, senior.id or 0)),
        nav=nav, lives_alone=senior.lives_alone, status=stop.status,
        status_name=msg.STOP_STATUS_NAMES.get(stop.status, stop.status),
        steps_done=frozenset(k.removeprefix("step:") for k in steps), wellness=check.result if check else "")


def _phone(label: str, number: str) -> Phone | None:
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return Phone(label, digits, mask_phone(digits)) if digits else None


def _contact_phones(session: Session, senior_id: int) -> list[Phone]:
    found = [_phone(f"{c.name}（{c.relation}）", c.phone) for c in alerts.contacts_of(session, senior_id)]
    return [p for p in found if p is not None]


def _meals(session: Session, order: Order) -> list[Meal]:
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))).all()
    return [Meal(line.name, line.quantity, line.texture) for line in lines]


def nav_links(lat: float | None, lng: float | None, name: str) -> NavLinks | None:
    """Navigation to the door in GCJ-02 (stored WGS-84 is shifted here): the apps' URI schemes start riding
    directions (AMap t=3 riding with dev=0: already GCJ-02; Baidu mode=riding, coord_type=gcj02)."""
    if lat is None or lng is None:
        return None
    glat, glng = wgs84_to_gcj02(lat, lng)
    amap_app = "amapuri://route/plan/?" + urlencode(
        {"sourceApplication": NAV_SOURCE, "dlat": f"{glat:.6f}", "dlon": f"{glng:.6f}", "dname": name,
         "dev": "0", "t": "3"}, quote_via=quote)
    amap_web = "https://uri.amap.com/navigation?" + urlencode(
        {"to": f"{glng:.6f},{glat:.6f},{name}", "mode": "ride", "coordinate": "gaode", "callnative": "1",
         "src": NAV_SOURCE}, quote_via=quote, safe=",")
    baidu_app = "baidumap://map/direction?" + urlencode(
        {"destination": f"latlng:{glat:.6f},{glng:.6f}|name:{name}", "coord_type": "gcj02", "mode": "riding",
         "src": NAV_SOURCE}, quote_via=quote, safe=",:")
    baidu_web = "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{glat:.6f},{glng:.6f}", "title": name, "content": name, "output": "html",
         "coord_type": "gcj02", "src": NAV_SOURCE})
    return NavLinks(amap_app, amap_web, baidu_app, baidu_web)


@dataclass(frozen=True)
class ReportResult:
    stop_id: int
    status: str
    duplicate: bool
    message: str


def report(session: Session, principal: Principal, *, stop_id: int, kind: str, client_report_id: str,
           note: str = "", wellness: str = "", step: str = "", today: date | None = None) -> ReportResult:
    """Record what happened at a door. The same client_report_id twice counts once. Commits."""
    _check_shape(kind, client_report_id, wellness, step)
    driver = driver_of(session, principal)
    stop, plan = _own_stop(session, driver, stop_id, today or now().date())
    if _seen(session, client_report_id):
        return ReportResult(stop_id, stop.status, True, msg.DRIVER_REPORT_SAVED[kind])
    order = session.get(Order, stop.order_id)
    senior = session.get(Senior, order.senior_id if order else 0)
    assert order is not None and senior is not None
    if kind == "delivered" and senior.lives_alone and not wellness:
        raise InvalidInput({"wellness": msg.DRIVER_WELLNESS_REQUIRED})
    event_kind = f"step:{step}" if kind == "step" else kind
    session.add(StopEvent(stop_id=stop_id, kind=event_kind, by_user_id=principal.user_id, note=note[:300],
                          client_report_id=client_report_id))
    if kind != "step":
        _apply(session, principal, stop, plan, order, senior, kind, note, wellness, client_report_id)
    try:
        session.commit()
    except IntegrityError:  # the same report arrived twice at once: the other one won
        session.rollback()
        return ReportResult(stop_id, stop.status, True, msg.DRIVER_REPORT_SAVED[kind])
    return ReportResult(stop_id, stop.status, False, msg.DRIVER_REPORT_SAVED[kind])


def _check_shape(kind: str, client_report_id: str, wellness: str, step: str) -> None:
    ok = (kind in REPORT_KINDS and 8 <= len(client_report_id) <= 64
          and (not wellness or wellness in msg.WELLNESS_NAMES) and (kind != "step" or step in msg.STEP_NAMES))
    if not ok:
        raise InvalidInput({"report": msg.DRIVER_BAD_REPORT})


def _own_stop(session: Session, driver: Driver, stop_id: int, today: date) -> tuple[DeliveryStop, DeliveryPlan]:
    stop = session.get(DeliveryStop, stop_id)
    route = session.get(DeliveryRoute, stop.route_id) if stop else None
    plan = session.get(DeliveryPlan, route.plan_id) if route else None
    if stop is None or route is None or plan is None:
        raise NotFound(msg.DISPATCH_STOP_NOT_FOUND)
    if route.driver_id != driver.id or plan.status != "published":
        raise Forbidden(msg.DRIVER_NOT_YOUR_STOP)
    if plan.service_date != today:
        raise Forbidden(msg.DRIVER_NOT_TODAY)
    return stop, plan


def _seen(session: Session, client_report_id: str) -> bool:
    return session.exec(select(StopEvent.id).where(StopEvent.client_report_id == client_report_id)).first() is not None


def _apply(session: Session, principal: Principal, stop: DeliveryStop, plan: DeliveryPlan, order: Order,
           senior: Senior, kind: str, note: str, wellness: str, client_report_id: str) -> None:
    stop.status, stop.reported_at, stop.note = kind if kind != "problem" else "problem", now(), note[:300]
    stop.client_report_id = client_report_id
    session.add(stop)
    if kind in ("delivered", "no_answer"):
        order.status = kind
        session.add(order)
        session.add(OrderEvent(order_id=order.id or 0, status=kind, by_user_id=principal.user_id, note=note[:200]))
    contacts = alerts.contacts_text(alerts.contacts_of(session, senior.id or 0))
    where = dict(name=senior.name, address=senior.address, contacts=contacts)
    if kind == "delivered" and wellness:
        _wellness(session, principal, stop, senior, wellness, note, plan, where)
    elif kind == "no_answer":
        alerts.raise_alert(session, kind="no_answer", senior_id=senior.id or 0, canteen_id=plan.canteen_id,
                           stop_id=stop.id, message=msg.ALERT_NO_ANSWER.format(**where))
    elif kind == "problem":
        alerts.raise_alert(session, kind="problem", senior_id=senior.id or 0, canteen_id=plan.canteen_id,
                           stop_id=stop.id, message=msg.ALERT_PROBLEM.format(note=note or "（未填写）", **where))


def _wellness(session: Session, principal: Principal, stop: DeliveryStop, senior: Senior, result: str, note: str,
              plan: DeliveryPlan, where: dict[str, str]) -> None:
    """探访关爱 (MZ/T 237—2024): anything but "well" goes to the operator with the emergency contacts."""
    check = session.exec(select(WellnessCheck).where(WellnessCheck.stop_id == stop.id)).first()
    check = check or WellnessCheck(stop_id=stop.id or 0, senior_id=senior.id or 0, result=result)
    check.result, check.note, check.by_user_id, check.at = result, note[:300], principal.user_id, now()
    session.add(check)
    if result != "well":
        alerts.raise_alert(session, kind="wellness", senior_id=senior.id or 0, canteen_id=plan.canteen_id,
                           stop_id=stop.id, message=msg.ALERT_WELLNESS.format(
                               result=msg.WELLNESS_NAMES[result], note=f"{note}。" if note else "", **where))


def parse_choice(choice: str) -> tuple[str, str, str]:
    """A button's value to (kind, wellness, step): "delivered:unwell", "no_answer", "step:knock_again"."""
    kind, _, detail = choice.partition(":")
    if kind == "delivered":
        return kind, detail, ""
    if kind == "step":
        return kind, "", detail
    return kind, "", ""
