"""The exceptions a settlement lists beside the claim: late cancellations, refunds, unanswered doors, split
mismatches, category and eligibility changes within the period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from app.core.settings import TZ
from app.models import Canteen, CanteenSlot, DeliveryStop, Order, OrderEvent, Senior
from app.pricing import yuan
from app.subsidy.settlement_report import (
    LedgerRow,
    Scope,
    SettlementException,
    Share,
    SignOff,
    order_ids,
    senior_code,
)


def signoffs_for(session: Session, scope: Scope, ledger: list[LedgerRow]) -> list[SignOff]:
    """Each claimed delivery with its stop's report; `unplanned` when no route ever carried it."""
    query = select(DeliveryStop).where(col(DeliveryStop.order_id).in_(order_ids(scope)))
    stops = {stop.order_id: stop for stop in session.exec(query).all()}
    found = []
    for row in ledger:
        if row.channel != "delivery":
            continue
        stop = stops.get(row.order_id)
        status = stop.status if stop else "unplanned"
        found.append(
            SignOff(
                row.order_no,
                row.service_date,
                row.canteen_name,
                row.senior_code,
                status,
                stop.reported_at if stop else None,
                stop.note if stop else "",
            )
        )
    return found


def exceptions_for(
    session: Session,
    scope: Scope,
    rows: list[tuple[Order, Canteen, Senior]],
    ledger: list[LedgerRow],
    shares: dict[int, list[Share]],
    signoffs: list[SignOff],
    today: date,
) -> Iterable[SettlementException]:
    served_then_cancelled = _served_ids(session, scope)
    for order, _, senior in rows:
        kind = _order_exception(order, served_then_cancelled, today)
        if kind:
            yield SettlementException(
                kind,
                order.public_no,
                senior_code(senior.id or 0),
                order.service_date,
                _order_detail(kind, order),
            )
    for row in ledger:
        split = sum(amount for _, _, _, amount in shares.get(row.order_id, []))
        if split != row.subsidy_fen:
            detail = f"订单补贴 {yuan(row.subsidy_fen)} 元，出资分摊合计 {yuan(split)} 元"
            yield SettlementException(
                "shares_mismatch", row.order_no, row.senior_code, row.service_date, detail
            )
    for signoff in signoffs:
        if signoff.status in ("pending", "unplanned") and signoff.service_date < today:
            detail = f"已计入申领，但没有送达签收记录（{signoff.status_name}），请核实"
            yield SettlementException(
                "delivery_unsigned", signoff.order_no, signoff.senior_code, signoff.service_date, detail
            )
    yield from _late_checkins(session, scope, ledger)
    yield from _category_changes(ledger)
    yield from _eligibility_changes(scope, {s.id or 0: s for _, _, s in rows if s.id is not None}, ledger)


def _served_ids(session: Session, scope: Scope) -> set[int]:
    """Orders of the scope that were served or delivered at some point (so a later cancellation is late)."""
    query = select(OrderEvent.order_id).where(
        col(OrderEvent.order_id).in_(order_ids(scope)), col(OrderEvent.status).in_(("served", "delivered"))
    )
    return set(session.exec(query).all())


def _order_exception(order: Order, served_then_cancelled: set[int], today: date) -> str:
    if order.status == "placed" and order.fulfilment != "delivery" and order.service_date < today:
        return "no_show"
    if order.status == "refunded":
        return "refunded"
    if order.status == "no_answer":
        return "no_answer"
    late = order.cancelled_at is not None and order.cancelled_at.date() > order.service_date
    if order.status == "cancelled" and (late or order.id in served_then_cancelled):
        return "cancelled_after_service"
    return ""


def _order_detail(kind: str, order: Order) -> str:
    if kind == "no_show":
        return f"订了{'堂食' if order.fulfilment == 'dine_in' else '自取'}但没有在窗口核销，未计入申领（补贴 {yuan(order.subsidy_fen)} 元）"
    if kind == "no_answer":
        return f"已计入申领，补贴 {yuan(order.subsidy_fen)} 元，请核实签收记录"
    when = f"，{order.cancelled_at:%Y-%m-%d %H:%M} 取消" if order.cancelled_at else ""
    return f"未计入申领：原价 {yuan(order.list_fen)} 元，补贴 {yuan(order.subsidy_fen)} 元{when}"


def _category_changes(ledger: list[LedgerRow]) -> Iterable[SettlementException]:
    """A senior whose subsidy category changed within the period (turned 80, status granted or expired)."""
    seen: dict[int, LedgerRow] = {}
    for row in ledger:
        if not row.category_key:
            continue
        before = seen.get(row.senior_id)
        if before is not None and before.category_key != row.category_key:
            detail = f"{before.category_name} → {row.category_name}（自 {row.service_date} 起）"
            yield SettlementException(
                "category_changed", row.order_no, row.senior_code, row.service_date, detail
            )
        seen[row.senior_id] = row


def _eligibility_changes(
    scope: Scope, seniors: dict[int, Senior], ledger: list[LedgerRow]
) -> Iterable[SettlementException]:
    claimed = {row.senior_id for row in ledger}
    for senior_id in sorted(claimed):
        senior = seniors[senior_id]
        for label, day in (("起", senior.economic_valid_from), ("止", senior.economic_valid_to)):
            if day is not None and scope.start <= day <= scope.end:
                detail = f"{senior.economic_status or '经济状况'}认定 {day} {label}（依据：{senior.economic_source or '未记录'}）"
                yield SettlementException("eligibility_changed", "", senior_code(senior_id), day, detail)


def _late_checkins(session: Session, scope: Scope, ledger: list[LedgerRow]) -> Iterable[SettlementException]:
    """Meals checked in after their slot's serving time ended (or on a later day): claimed, but to be explained."""
    query = (
        select(col(OrderEvent.order_id), col(OrderEvent.at), col(CanteenSlot.serve_end))
        .join(Order, col(Order.id) == OrderEvent.order_id)
        .join(CanteenSlot, (col(CanteenSlot.canteen_id) == Order.canteen_id) & (col(CanteenSlot.slot) == Order.slot))
        .where(col(OrderEvent.order_id).in_(order_ids(scope)), OrderEvent.status == "served")
    )
    late = {order_id: (at.astimezone(TZ), serve_end) for order_id, at, serve_end in session.exec(query).all()}
    for row in ledger:
        if row.status != "served" or row.order_id not in late:
            continue
        local, serve_end = late[row.order_id]
        if local.date() > row.service_date or (local.date() == row.service_date and local.time() > serve_end):
            detail = f"{local:%Y-%m-%d %H:%M} 核销，晚于供餐结束时间 {serve_end:%H:%M}"
            yield SettlementException("late_checkin", row.order_no, row.senior_code, row.service_date, detail)
