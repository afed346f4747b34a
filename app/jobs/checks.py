"""The periodic checks a district needs, run by the job engine on a schedule (and by `python -m app checks`):

- a silent senior: active, eats with a canteen, no order for the last `settings.silent_days` days and no check-in
  or delivery in that time → a `silence` alert;
- an overdue delivery stop: published, still pending 30 minutes after its ETA → a `problem` alert on the stop;
- a slot's delivery cutoff has passed with delivery orders waiting → a `cutoff` notice for the canteen: the
  kitchen's sheets are final, a dispatcher should plan (shown on the dispatcher's board and the operators' page);
- eligibility evidence (the senior's economic status, valid until `economic_valid_to`) ends within 30 days →
  an `evidence` alert, so someone helps renew it before the subsidy stops.

Each check takes the moment it runs for (`at`), so a test can move the clock. Each alert has a dedupe key naming
what it is about; the key is unique in the database, so the same alert is raised once even when two workers check
at the same instant (the second insert does nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from app import alerts
from app.core import messages as msg
from app.core.settings import TZ, get_settings
from app.models import (
    Alert,
    CanteenSlot,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Order,
    OrderEvent,
    Senior,
    now,
)

OVERDUE_AFTER = timedelta(minutes=30)
EVIDENCE_AHEAD = timedelta(days=30)
UNRESOLVED = ("open", "acknowledged")
NEWS = ("served", "delivered")


@dataclass(frozen=True)
class CheckResult:
    silent: int
    overdue: int
    cutoff: int = 0
    evidence: int = 0


def silent_seniors(session: Session, at: datetime, days: int | None = None) -> int:
    """Alert for each active senior of a canteen with no order for the last `days` days (an order placed for
    today or later counts as news) and no check-in or delivery in that time. Seniors registered within that time
    are not silent yet. One alert per silence: the key names the senior's last order date."""
    days = get_settings().silent_days if days is None else days
    since = at.date() - timedelta(days=days)
    recent = select(Order.senior_id).where(col(Order.service_date) > since)
    came = (select(Order.senior_id).join(OrderEvent, col(OrderEvent.order_id) == Order.id)
            .where(col(OrderEvent.status).in_(NEWS), col(OrderEvent.at) > at - timedelta(days=days)))
    alerted = select(Alert.senior_id).where(Alert.kind == "silence", col(Alert.status).in_(UNRESOLVED))
    rows = session.exec(
        select(Senior.id, Senior.default_canteen_id).where(
            Senior.status == "active", col(Senior.default_canteen_id).is_not(None),
            col(Senior.created_at) <= at - timedelta(days=days), col(Senior.id).not_in(recent),
            col(Senior.id).not_in(came), col(Senior.id).not_in(alerted))
        .order_by(col(Senior.id))
    ).all()
    last = dict(session.exec(select(Order.senior_id, func.max(Order.service_date))
                             .where(col(Order.senior_id).in_([r[0] for r in rows])).group_by(col(Order.senior_id))).all())
    raised = sum(alerts.raise_once(session, f"silence:{sid}:{last.get(sid or 0, 'none')}", kind="silence",
                                   senior_id=sid, canteen_id=canteen_id or 0,
                                   message=msg.CHECK_SILENT_SENIOR.format(days=days))
                 for sid, canteen_id in rows)
    session.commit()
    return raised


def overdue_stops(session: Session, at: datetime) -> int:
    """Alert for each stop of a published plan still pending 30 minutes after its ETA."""
    alerted = select(Alert.stop_id).where(col(Alert.stop_id).is_not(None))
    rows = session.exec(
        select(DeliveryStop.id, DeliveryStop.eta, Order.senior_id, DeliveryPlan.canteen_id)
        .join(DeliveryRoute, col(DeliveryRoute.id) == DeliveryStop.route_id)
        .join(DeliveryPlan, col(DeliveryPlan.id) == DeliveryRoute.plan_id)
        .join(Order, col(Order.id) == DeliveryStop.order_id)
        .where(DeliveryPlan.status == "published", DeliveryStop.status == "pending",
               col(DeliveryStop.eta).is_not(None), col(DeliveryStop.eta) < at - OVERDUE_AFTER,
               col(DeliveryStop.id).not_in(alerted))
        .order_by(col(DeliveryStop.id))
    ).all()
    raised = sum(alerts.raise_once(session, f"overdue:{stop_id}", kind="problem", senior_id=senior_id,
                                   canteen_id=canteen_id, stop_id=stop_id,
                                   message=msg.CHECK_OVERDUE_STOP.format(eta=eta.astimezone(TZ).strftime("%H:%M")
                                                                         if eta else ""))
                 for stop_id, eta, senior_id, canteen_id in rows)
    session.commit()
    return raised


def delivery_cutoff(slot: CanteenSlot, day: date) -> datetime:
    """When ordering closes for delivery on `day` (DOMAIN.md: the day before at 17:00 unless the canteen says)."""
    return datetime.combine(day - timedelta(days=slot.delivery_cutoff_days_before), slot.delivery_cutoff, TZ)


def cutoffs(session: Session, at: datetime) -> int:
    """A notice per canteen slot whose delivery cutoff for today or a coming day has passed with delivery orders
    placed: the kitchen's sheets for it are final and the dispatcher should plan."""
    raised = 0
    for slot in session.exec(select(CanteenSlot).order_by(col(CanteenSlot.id))).all():
        for ahead in range(slot.delivery_cutoff_days_before + 1):
            day = at.date() + timedelta(days=ahead)
            if delivery_cutoff(slot, day) > at:
                continue
            count = session.exec(select(func.count()).select_from(Order).where(
                Order.canteen_id == slot.canteen_id, Order.service_date == day, Order.slot == slot.slot,
                Order.fulfilment == "delivery", Order.status == "placed")).one()
            if count:
                raised += alerts.raise_once(
                    session, f"cutoff:{slot.canteen_id}:{day.isoformat()}:{slot.slot}", kind="cutoff",
                    senior_id=None, canteen_id=slot.canteen_id,
                    message=msg.CHECK_CUTOFF.format(day=f"{day.month}月{day.day}日",
                                                    slot=msg.SLOT_NAMES.get(slot.slot, slot.slot), count=count))
    session.commit()
    return raised


def expiring_evidence(session: Session, at: datetime) -> int:
    """Alert for each active senior whose economic-status evidence ends within 30 days (not yet ended)."""
    rows = session.execute(
        select(col(Senior.id), col(Senior.default_canteen_id), col(Senior.economic_status),
               col(Senior.economic_valid_to)).where(
            Senior.status == "active", col(Senior.default_canteen_id).is_not(None), Senior.economic_status != "",
            col(Senior.economic_valid_to).is_not(None), col(Senior.economic_valid_to) >= at.date(),
            col(Senior.economic_valid_to) <= (at + EVIDENCE_AHEAD).date())
        .order_by(col(Senior.id))
    ).all()
    raised = sum(alerts.raise_once(session, f"evidence:{sid}:{valid_to.isoformat()}", kind="evidence",
                                   senior_id=sid, canteen_id=canteen_id or 0,
                                   message=msg.CHECK_EVIDENCE.format(
                                       status=status, day=f"{valid_to.year}年{valid_to.month}月{valid_to.day}日"))
                 for sid, canteen_id, status, valid_to in rows if valid_to is not None)
    session.commit()
    return raised


def run_checks(session: Session, at: datetime | None = None) -> CheckResult:
    at = at or now()
    return CheckResult(silent=silent_seniors(session, at), overdue=overdue_stops(session, at),
                       cutoff=cutoffs(session, at), evidence=expiring_evidence(session, at))
