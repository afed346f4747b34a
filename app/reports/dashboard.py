"""The day's picture for an operator, per canteen or per district: today's orders by slot and channel against
capacity, the delivery routes and how far along they are, the alerts that need someone, and a gentle check-in
list of seniors who usually eat with us but have not ordered for two days (living-alone seniors first: for
them that silence matters most)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app import alerts
from app import seniors as seniors_admin
from app.alerts import AlertView
from app.models import Canteen, CanteenSlot, DeliveryPlan, DeliveryRoute, DeliveryStop, Order, Senior
from app.models.orders import STANDING_STATUSES as STANDING

CHANNELS = ("dine_in", "pickup", "delivery")
SLOT_ORDER = {"breakfast": 0, "lunch": 1, "dinner": 2}
# Check-in list (*assumption*, DOMAIN.md asks for settings, not constants): silent for 2 days, while having
# eaten on at least 5 of the 14 days before.
SILENT_DAYS = 2
USUAL_WINDOW_DAYS = 14
USUAL_MIN_DAYS = 5


@dataclass(frozen=True)
class Scope:
    """A canteen, or a district, or (neither) every canteen the operator may see."""

    canteen_id: int | None = None
    district: str = ""
    allowed: frozenset[int] | None = None  # the operator's canteen scope; None: every canteen


@dataclass
class SlotLine:
    canteen_id: int
    canteen_name: str
    slot: str
    capacity: int
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    @property
    def used_percent(self) -> int:
        return round(100 * self.total / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class RouteLine:
    canteen_name: str
    slot: str
    status: str
    routes: int
    stops: int
    delivered: int
    no_answer: int

    @property
    def pending(self) -> int:
        return self.stops - self.delivered - self.no_answer


@dataclass(frozen=True)
class CheckIn:
    senior_id: int
    name: str
    phone: str
    address: str
    lives_alone: bool
    last_meal: date
    usual_days: int


@dataclass(frozen=True)
class Picture:
    day: date
    canteens: list[Canteen]
    slots: list[SlotLine]
    routes: list[RouteLine]
    alerts: list[AlertView]
    check_ins: list[CheckIn]

    @property
    def orders_today(self) -> int:
        return sum(s.total for s in self.slots)

    def channel_total(self, channel: str) -> int:
        return sum(s.by_channel.get(channel, 0) for s in self.slots)


def canteens_in(session: Session, scope: Scope) -> list[Canteen]:
    query = select(Canteen).where(Canteen.active == True).order_by(col(Canteen.id))  # noqa: E712
    if scope.canteen_id:
        query = query.where(Canteen.id == scope.canteen_id)
    if scope.district:
        query = query.where(Canteen.district == scope.district)
    rows = session.exec(query).all()
    return [c for c in rows if scope.allowed is None or c.id in scope.allowed]


def districts(session: Session) -> list[str]:
    return sorted(set(session.exec(select(Canteen.district)).all()))


def picture(session: Session, scope: Scope, today: date) -> Picture:
    seniors_admin.resume_due(session, today)  # pauses that ended yesterday must not hide anyone today
    canteens = canteens_in(session, scope)
    ids = [c.id or 0 for c in canteens]
    return Picture(today, canteens, slot_lines(session, canteens, today), route_lines(session, canteens, today),
                   alerts.open_alerts(session, ids), check_ins(session, ids, today))


def slot_lines(session: Session, canteens: list[Canteen], day: date) -> list[SlotLine]:
    names = {c.id: c.name for c in canteens}
    slots = session.exec(select(CanteenSlot).where(col(CanteenSlot.canteen_id).in_(list(names)))).all()
    lines = {(s.canteen_id, s.slot): SlotLine(s.canteen_id, names[s.canteen_id], s.slot, s.capacity) for s in slots}
    counts = Counter(session.exec(select(Order.canteen_id, Order.slot, Order.fulfilment).where(
        col(Order.canteen_id).in_(list(names)), Order.service_date == day, col(Order.status).in_(STANDING))).all())
    for (canteen_id, slot, channel), n in counts.items():
        line = lines.setdefault((canteen_id, slot), SlotLine(canteen_id, names[canteen_id], slot, 0))
        line.by_channel[channel] = n
    return sorted(lines.values(), key=lambda s: (s.canteen_id, SLOT_ORDER.get(s.slot, 9)))


def route_lines(session: Session, canteens: list[Canteen], day: date) -> list[RouteLine]:
    names = {c.id: c.name for c in canteens}
    plans = session.exec(select(DeliveryPlan).where(col(DeliveryPlan.canteen_id).in_(list(names)),
                                                    DeliveryPlan.service_date == day)).all()
    out = []
    for plan in sorted(plans, key=lambda p: (p.canteen_id, SLOT_ORDER.get(p.slot, 9))):
        routes = session.exec(select(DeliveryRoute.id).where(DeliveryRoute.plan_id == plan.id)).all()
        stops = Counter(session.exec(select(DeliveryStop.status).where(col(DeliveryStop.route_id).in_(routes))).all())
        out.append(RouteLine(names[plan.canteen_id], plan.slot, plan.status, len(routes), sum(stops.values()),
                             stops["delivered"], stops["no_answer"]))
    return out


def check_ins(session: Session, canteen_ids: list[int], today: date) -> list[CheckIn]:
    """Seniors who ate on >= USUAL_MIN_DAYS of the USUAL_WINDOW_DAYS before, and have no meal from
    SILENT_DAYS ago onwards (today or later counts: an order placed ahead is no silence)."""
    quiet_from = today - timedelta(days=SILENT_DAYS)
    window_from = quiet_from - timedelta(days=USUAL_WINDOW_DAYS)
    rows = session.exec(select(col(Order.senior_id), col(Order.service_date)).where(
        col(Order.canteen_id).in_(canteen_ids), col(Order.service_date) >= window_from,
        col(Order.status).in_(STANDING)).distinct()).all()
    days: dict[int, set[date]] = defaultdict(set)
    for senior_id, day in rows:
        days[senior_id].add(day)
    silent = {sid: ds for sid, ds in days.items()
              if len(ds) >= USUAL_MIN_DAYS and max(ds) < quiet_from}
    seniors = session.exec(select(Senior).where(col(Senior.id).in_(list(silent)), Senior.status == "active")).all()
    found = [CheckIn(s.id or 0, s.name, s.phone, s.address, s.lives_alone, max(silent[s.id or 0]),
                     len(silent[s.id or 0])) for s in seniors]
    return sorted(found, key=lambda c: (not c.lives_alone, c.last_meal, c.name))
