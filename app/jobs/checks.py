"""The periodic checks a district needs, run by the worker between jobs (and by `python -m app checks`):

- a silent senior: active, eats with a canteen, and no order for `settings.silent_days` days → a `silence` alert;
- an overdue delivery stop: published, still pending 30 minutes after its ETA → a `problem` alert on the stop.

Each check takes the moment it runs for (`at`), so a test can move the clock, and raises each alert once: a senior
with an unresolved silence alert, or a stop that already has an alert, is not alerted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import alerts
from app.core import messages as msg
from app.core.settings import get_settings
from app.models import Alert, DeliveryPlan, DeliveryRoute, DeliveryStop, Order, Senior, now

OVERDUE_AFTER = timedelta(minutes=30)
UNRESOLVED = ("open", "acknowledged")


@dataclass(frozen=True)
class CheckResult:
    silent: int
    overdue: int


def silent_seniors(session: Session, at: datetime, days: int | None = None) -> int:
    """Raise a silence alert for each active senior of a canteen with no order in the last `days` days (an order
    placed for today or later counts as news). Seniors registered within that time are not silent yet."""
    days = get_settings().silent_days if days is None else days
    since = at.date() - timedelta(days=days)
    recent = select(Order.senior_id).where(col(Order.service_date) > since)
    alerted = select(Alert.senior_id).where(Alert.kind == "silence", col(Alert.status).in_(UNRESOLVED))
    rows = session.exec(
        select(Senior).where(Senior.status == "active", col(Senior.default_canteen_id).is_not(None),
                             col(Senior.created_at) <= at - timedelta(days=days),
                             col(Senior.id).not_in(recent), col(Senior.id).not_in(alerted))
        .order_by(col(Senior.id))
    ).all()
    for senior in rows:
        alerts.raise_alert(session, kind="silence", senior_id=senior.id or 0,
                           canteen_id=senior.default_canteen_id or 0, stop_id=None,
                           message=msg.CHECK_SILENT_SENIOR.format(days=days))
    session.commit()
    return len(rows)


def overdue_stops(session: Session, at: datetime) -> int:
    """Raise a problem alert for each stop of a published plan still pending 30 minutes after its ETA."""
    alerted = select(Alert.stop_id).where(col(Alert.stop_id).is_not(None))
    rows = session.exec(
        select(DeliveryStop, Order, DeliveryPlan)
        .join(DeliveryRoute, col(DeliveryRoute.id) == DeliveryStop.route_id)
        .join(DeliveryPlan, col(DeliveryPlan.id) == DeliveryRoute.plan_id)
        .join(Order, col(Order.id) == DeliveryStop.order_id)
        .where(DeliveryPlan.status == "published", DeliveryStop.status == "pending",
               col(DeliveryStop.eta).is_not(None), col(DeliveryStop.eta) < at - OVERDUE_AFTER,
               col(DeliveryStop.id).not_in(alerted))
        .order_by(col(DeliveryStop.id))
    ).all()
    for stop, order, plan in rows:
        eta = stop.eta.strftime("%H:%M") if stop.eta else ""
        alerts.raise_alert(session, kind="problem", senior_id=order.senior_id, canteen_id=plan.canteen_id,
                           stop_id=stop.id, message=msg.CHECK_OVERDUE_STOP.format(eta=eta))
    session.commit()
    return len(rows)


def run_checks(session: Session, at: datetime | None = None) -> CheckResult:
    at = at or now()
    return CheckResult(silent=silent_seniors(session, at), overdue=overdue_stops(session, at))
