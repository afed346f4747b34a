"""Meal check-in at the counter (核销): the senior shows their card (scanned or typed) and today's dine-in or
pickup order for the slot becomes served (已就餐 / 已取餐), with when and who, so settlement claims only meals
that were eaten. Deliveries are confirmed by the driver's report, not here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from sqlmodel import Session, col, select

from app import subsidy
from app.core import audit
from app.core import messages as msg
from app.core.errors import Forbidden, InvalidInput
from app.core.forms import FormModel, Problems, Text, clean_text
from app.core.principal import Principal
from app.models import Canteen, CanteenSlot, Order, OrderEvent, Senior

COUNTER_CHANNELS = ("dine_in", "pickup")


class CheckInForm(FormModel):
    """What the counter types or scans: the card number (a USB scanner types it and presses Enter)."""

    code: Text = Field(min_length=1, max_length=40, title="助餐卡号")
    slot: Literal["breakfast", "lunch", "dinner"] = Field(title="餐次")


def _yuan_to_fen(value: object) -> object:
    """元 as the clerk types it (5, 5.5, ５.50) into fen."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("元")
    if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", text):
        raise ValueError(msg.VOUCHER_AMOUNT_INVALID)
    return int(Decimal(text) * 100)


class VoucherForm(FormModel):
    """A voucher payment at the counter: which of today's orders, the voucher's number, how much (元)."""

    order_no: Text = Field(min_length=1, max_length=20, title="订单")
    voucher_no: Text = Field(min_length=1, max_length=40, title="消费券编号")
    amount: Annotated[int, BeforeValidator(_yuan_to_fen)] = Field(title="抵扣金额")


@dataclass(frozen=True)
class CheckedIn:
    order_no: str
    senior_name: str
    fulfilment: str
    at: datetime


@dataclass(frozen=True)
class SlotBoard:
    """Today's dine-in and pickup orders of one slot: who has eaten (with when) and who has not come yet."""

    slot: str
    served: list[tuple[str, str, str, datetime | None]]  # order no, name, fulfilment, checked in at
    waiting: list[tuple[str, str, str]]  # order no, name, fulfilment


def counter_canteen(principal: Principal) -> int:
    """The canteen the counter checks in for (its own; the first of several)."""
    own = sorted(c for c in principal.canteens_for("counter") if c is not None)
    if not own:
        raise Forbidden(msg.CHECKIN_NO_CANTEEN)
    return own[0]


def default_slot(session: Session, canteen_id: int, at: datetime) -> str:
    """The slot being served now, else the next one today, else the day's last."""
    rows = session.exec(
        select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id).order_by(col(CanteenSlot.serve_start))
    ).all()
    clock = at.time()
    for row in rows:
        if clock <= row.serve_end:
            return row.slot
    return rows[-1].slot if rows else "lunch"


def check_in(session: Session, principal: Principal, form: CheckInForm, at: datetime) -> CheckedIn:
    """Mark the senior's order of today's slot at this counter's canteen as served. Raises InvalidInput on
    `code` (unknown card, no order, a delivery, already checked in), changing nothing then."""
    canteen_id = counter_canteen(principal)
    problems = Problems()
    senior = session.exec(select(Senior).where(Senior.card_no == clean_text(form.code))).first()
    problems.check(senior is not None, "code", msg.CHECKIN_CARD_UNKNOWN)
    problems.done()
    assert senior is not None
    order = _todays_order(session, senior.id or 0, canteen_id, at.date(), form.slot)
    _refuse(order, problems, senior.name)
    problems.done()
    assert order is not None
    _mark_served(session, order, principal.user_id, at)
    session.commit()
    return CheckedIn(order.public_no, senior.name, order.fulfilment, at)


def check_in_order(session: Session, order_id: int, *, by_user_id: int, at: datetime) -> bool:
    """Check in one standing dine-in or pickup order as served by `by_user_id` at `at` (the demo district's
    past meals, a counter's own tools). False, changing nothing, when the order is not a placed counter meal."""
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None or order.status != "placed" or order.fulfilment not in COUNTER_CHANNELS:
        return False
    _mark_served(session, order, by_user_id, at)
    session.commit()
    return True


def _mark_served(session: Session, order: Order, by_user_id: int, at: datetime) -> None:
    order.status = "served"
    session.add(order)
    session.add(OrderEvent(order_id=order.id or 0, at=at, status="served", by_user_id=by_user_id,
                           note=msg.CHECKIN_EVENT_NOTE))
    audit.record(session, user_id=by_user_id, action="order.checked_in", object_type="meal_order",
                 object_id=order.id, detail=f"{order.public_no} {order.slot}")


def _todays_order(session: Session, senior_id: int, canteen_id: int, day: date, slot: str) -> Order | None:
    query = select(Order).where(
        Order.senior_id == senior_id,
        Order.canteen_id == canteen_id,
        Order.service_date == day,
        Order.slot == slot,
        col(Order.status).in_(("placed", "served")),
    ).order_by(col(Order.status), col(Order.id))
    return session.exec(query.with_for_update()).first()


def _refuse(order: Order | None, problems: Problems, name: str) -> None:
    if order is None:
        problems.check(False, "code", msg.CHECKIN_NO_ORDER.format(name=name))
    elif order.fulfilment not in COUNTER_CHANNELS:
        problems.check(False, "code", msg.CHECKIN_DELIVERY.format(name=name))
    elif order.status == "served":
        problems.check(False, "code", msg.CHECKIN_ALREADY.format(name=name))


def pay_by_voucher(session: Session, principal: Principal, form: VoucherForm) -> subsidy.VoucherLine:
    """Record a voucher payment against one of this counter's orders (the allowance is the scheme's)."""
    payment = subsidy.redeem_voucher(session, principal, order_no=form.order_no, voucher_no=form.voucher_no,
                                     amount_fen=form.amount)
    return subsidy.voucher_lines(session, [payment.order_id])[-1]


def board(session: Session, principal: Principal, day: date, slot: str) -> SlotBoard:
    """The slot's dine-in and pickup orders at the counter's canteen: served (with check-in time) and not yet."""
    canteen_id = counter_canteen(principal)
    rows = session.exec(
        select(Order, Senior.name)
        .join(Senior, col(Senior.id) == Order.senior_id)
        .where(Order.canteen_id == canteen_id, Order.service_date == day, Order.slot == slot,
               col(Order.fulfilment).in_(COUNTER_CHANNELS), col(Order.status).in_(("placed", "served")))
        .order_by(col(Senior.name), col(Order.id))
    ).all()
    times = _checkin_times(session, [o.id or 0 for o, _ in rows if o.status == "served"])
    served = [(o.public_no, n, o.fulfilment, times.get(o.id or 0)) for o, n in rows if o.status == "served"]
    waiting = [(o.public_no, n, o.fulfilment) for o, n in rows if o.status == "placed"]
    return SlotBoard(slot, served, waiting)


def _checkin_times(session: Session, order_ids: list[int]) -> dict[int, datetime]:
    if not order_ids:
        return {}
    query = select(OrderEvent.order_id, OrderEvent.at).where(
        col(OrderEvent.order_id).in_(order_ids), OrderEvent.status == "served"
    )
    return {order_id: at for order_id, at in session.exec(query).all()}


def canteen_name(session: Session, principal: Principal) -> str:
    canteen = session.get(Canteen, counter_canteen(principal))
    if canteen is None:
        raise InvalidInput({"code": msg.CANTEEN_NOT_FOUND})
    return canteen.name
