"""The 2026 养老服务消费补贴 voucher: a payment redeemed against an order's payable, never a price tier.

The payments are a ledger. A refund, a cancelled order or a correction adds a negative row pointing at the
payment it takes back; nothing is edited. The monthly allowance is the scheme version's (per district), and
the senior's row lock makes two payments at once queue, so they cannot both spend the same remainder."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app import pricing
from app.core import audit
from app.core import messages as msg
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.principal import Principal
from app.models import Canteen, Order, Senior, VoucherPayment
from app.subsidy.service import RELEASED_STATUSES, lock_senior, scheme_for


@dataclass(frozen=True)
class VoucherRule:
    """What the scheme in force says about vouchers for one order: the monthly allowance and who may use them."""

    allowance_fen: int
    disability_levels: frozenset[str]


def voucher_rule(session: Session, order: Order) -> VoucherRule | None:
    """The voucher rule of the order's canteen scheme on its service date; None when the scheme takes none."""
    canteen = session.get(Canteen, order.canteen_id)
    scheme = scheme_for(session, canteen.scheme_key, order.service_date) if canteen else None
    if scheme is None or scheme.voucher is None:
        return None
    return VoucherRule(scheme.voucher.monthly_allowance_fen, scheme.voucher.disability_levels)


def voucher_paid_fen(session: Session, order_id: int) -> int:
    """What vouchers pay of this order now: payments less their reversals."""
    amounts = session.exec(select(VoucherPayment.amount_fen).where(VoucherPayment.order_id == order_id)).all()
    return sum(amounts)


def record_voucher_payment(
    session: Session,
    order_id: int,
    *,
    voucher_no: str,
    amount_fen: int,
    user_id: int,
    allowance_fen: int | None = None,
) -> VoucherPayment:
    """Redeem part of a senior's monthly voucher against an order's payable amount (the price snapshot is
    untouched). Only for the disability levels the scheme names, never more than is still payable, never more
    in a month than the allowance (`allowance_fen` overrides the scheme's, for tests and one-off corrections).
    Raises InvalidInput on `voucher_no` / `amount`; nothing is written then."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(msg.ORDER_NOT_FOUND)
    senior = lock_senior(session, order.senior_id)
    rule = voucher_rule(session, order)
    if rule is not None and allowance_fen is not None:
        rule = VoucherRule(allowance_fen, rule.disability_levels)
    errors = _voucher_errors(session, order, senior, rule, voucher_no, amount_fen)
    if not errors and rule is not None:
        errors = _allowance_errors(session, order, amount_fen, rule.allowance_fen)
    if errors:
        raise InvalidInput(errors)
    payment = VoucherPayment(
        order_id=order_id, voucher_no=voucher_no.strip(), amount_fen=amount_fen, recorded_by_id=user_id
    )
    session.add(payment)
    session.flush()
    audit.record(session, user_id=user_id, action="voucher.redeemed", object_type="meal_order",
                 object_id=order_id, detail=f"消费券 {payment.voucher_no} 抵扣 {pricing.yuan(amount_fen)} 元")
    session.commit()
    return payment


def redeem_voucher(
    session: Session, principal: Principal, *, order_no: str, voucher_no: str, amount_fen: int
) -> VoucherPayment:
    """A voucher payment recorded by the counter of the order's canteen (or its operator), by order number.
    Raises InvalidInput on `order_no` for an unknown order, Forbidden for another canteen's."""
    order = session.exec(select(Order).where(Order.public_no == order_no.strip())).first()
    if order is None:
        raise InvalidInput({"order_no": msg.VOUCHER_ORDER_UNKNOWN})
    may = any(principal.may_see_canteen(role, order.canteen_id) for role in ("counter", "operator"))
    if not may:
        raise Forbidden(msg.VOUCHER_OTHER_CANTEEN)
    return record_voucher_payment(session, order.id or 0, voucher_no=voucher_no, amount_fen=amount_fen,
                                  user_id=principal.user_id)


def reverse_for(session: Session, principal: Principal, payment_id: int, *, reason: str) -> VoucherPayment:
    """The same reversal, for the counter or operator of the payment's canteen."""
    payment = session.get(VoucherPayment, payment_id)
    order = session.get(Order, payment.order_id) if payment is not None else None
    if order is None:
        raise NotFound(msg.VOUCHER_PAYMENT_NOT_FOUND)
    if not any(principal.may_see_canteen(role, order.canteen_id) for role in ("counter", "operator")):
        raise Forbidden(msg.VOUCHER_OTHER_CANTEEN)
    return reverse_voucher_payment(session, payment_id, user_id=principal.user_id, reason=reason)


def reverse_voucher_payment(session: Session, payment_id: int, *, user_id: int, reason: str) -> VoucherPayment:
    """Take a payment back with a negative row (refund, correction). Raises Conflict when already reversed,
    InvalidInput on `reason` when none is written."""
    payment = session.get(VoucherPayment, payment_id)
    if payment is None or payment.amount_fen < 0:
        raise NotFound(msg.VOUCHER_PAYMENT_NOT_FOUND)
    order = session.get(Order, payment.order_id)
    lock_senior(session, order.senior_id if order else 0)
    if not reason.strip():
        raise InvalidInput({"reason": msg.VOUCHER_REASON_REQUIRED})
    if session.exec(select(VoucherPayment.id).where(VoucherPayment.reverses_id == payment_id)).first():
        raise Conflict(msg.VOUCHER_ALREADY_REVERSED)
    row = _reversal(payment, user_id, reason.strip()[:200])
    session.add(row)
    session.flush()
    audit.record(session, user_id=user_id, action="voucher.reversed", object_type="meal_order",
                 object_id=payment.order_id,
                 detail=f"冲回消费券 {payment.voucher_no} {pricing.yuan(payment.amount_fen)} 元：{row.reason}")
    session.commit()
    return row


def reverse_order_vouchers(session: Session, order_id: int, *, user_id: int, reason: str) -> list[VoucherPayment]:
    """Reverse every payment of an order not yet reversed (the order was cancelled or refunded), in the
    caller's transaction: the caller commits."""
    payments = session.exec(select(VoucherPayment).where(VoucherPayment.order_id == order_id)).all()
    reversed_ids = {p.reverses_id for p in payments if p.reverses_id is not None}
    rows = [_reversal(p, user_id, reason) for p in payments if p.amount_fen > 0 and p.id not in reversed_ids]
    session.add_all(rows)
    return rows


def _reversal(payment: VoucherPayment, user_id: int, reason: str) -> VoucherPayment:
    return VoucherPayment(order_id=payment.order_id, voucher_no=payment.voucher_no, amount_fen=-payment.amount_fen,
                          recorded_by_id=user_id, reverses_id=payment.id, reason=reason)


def voucher_used_in_month(session: Session, senior_id: int, day: date) -> int:
    """Voucher spent by the senior on meals of `day`'s month, net of reversals; a cancelled or refunded order
    gives its back even before its reversal is written."""
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    query = (
        select(VoucherPayment.amount_fen)
        .join(Order, col(Order.id) == VoucherPayment.order_id)
        .where(
            Order.senior_id == senior_id,
            col(Order.service_date).between(first, last),
            col(Order.status).not_in(RELEASED_STATUSES),
        )
    )
    return sum(session.exec(query).all())


def _allowance_errors(session: Session, order: Order, amount_fen: int, allowance_fen: int) -> dict[str, str]:
    used = voucher_used_in_month(session, order.senior_id, order.service_date)
    if used + amount_fen <= allowance_fen:
        return {}
    y = pricing.yuan
    left = y(max(allowance_fen - used, 0))
    return {"amount": msg.VOUCHER_OVER_ALLOWANCE.format(allowance=y(allowance_fen), used=y(used), left=left)}


def _voucher_errors(
    session: Session, order: Order, senior: Senior, rule: VoucherRule | None, voucher_no: str, amount_fen: int
) -> dict[str, str]:
    if order.status in RELEASED_STATUSES:
        return {"amount": msg.VOUCHER_ORDER_CANCELLED}
    if rule is None:
        return {"voucher_no": msg.VOUCHER_SCHEME_NONE}
    if senior.disability_level not in rule.disability_levels:
        return {"voucher_no": msg.VOUCHER_NOT_ELIGIBLE}
    if not voucher_no.strip():
        return {"voucher_no": msg.VOUCHER_NO_REQUIRED}
    used = voucher_paid_fen(session, order.id or 0)
    left = order.payable_fen - used
    if amount_fen <= 0:
        return {"amount": msg.VOUCHER_AMOUNT_INVALID}
    if amount_fen > left:
        y = pricing.yuan
        return {"amount": msg.VOUCHER_OVER_PAYABLE.format(payable=y(order.payable_fen), used=y(used), left=y(left))}
    return {}


@dataclass(frozen=True)
class VoucherLine:
    """A voucher row as the counter sees it (payments and their reversals)."""

    id: int
    order_no: str
    voucher_no: str
    amount_fen: int
    at: datetime
    reversed: bool
    reason: str


def voucher_lines(session: Session, order_ids: list[int]) -> list[VoucherLine]:
    if not order_ids:
        return []
    query = (
        select(VoucherPayment, Order.public_no)
        .join(Order, col(Order.id) == VoucherPayment.order_id)
        .where(col(VoucherPayment.order_id).in_(order_ids))
        .order_by(col(VoucherPayment.id))
    )
    rows = session.exec(query).all()
    taken_back = {p.reverses_id for p, _ in rows if p.reverses_id is not None}
    return [VoucherLine(p.id or 0, no, p.voucher_no, p.amount_fen, p.at, p.id in taken_back, p.reason)
            for p, no in rows]
