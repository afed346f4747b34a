"""/api/v1/vouchers: the 养老服务消费补贴 voucher as a payment method for counter systems and the operators'
tools. A payment is recorded against an order by its number; a refund or correction is a reversal (a negative
row), never an edit."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.models import Order, VoucherPayment
from app.subsidy import vouchers

router = APIRouter(prefix="/api/v1", tags=["消费券"])
STAFF = ("counter", "operator")


class VoucherIn(BaseModel):
    order_no: str = Field(min_length=1, max_length=20, description="订单号（public_no）")
    voucher_no: str = Field(min_length=1, max_length=40, description="消费券编号")
    amount_fen: int = Field(ge=1, le=10**7, description="抵扣金额（分）")


class ReversalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="冲回原因")


class VoucherOut(BaseModel):
    id: int
    order_no: str
    voucher_no: str
    amount_fen: int = Field(description="正数为支付，负数为冲回")
    reverses_id: int | None
    month_used_fen: int = Field(description="该老人本月（按就餐日）已用消费券，已扣除冲回")
    month_allowance_fen: int | None = Field(description="本方案的每月额度；方案不收消费券时为空")


def _out(session: Session, payment: VoucherPayment) -> VoucherOut:
    order = session.get(Order, payment.order_id)
    assert order is not None
    rule = vouchers.voucher_rule(session, order)
    return VoucherOut(id=payment.id or 0, order_no=order.public_no, voucher_no=payment.voucher_no,
                      amount_fen=payment.amount_fen, reverses_id=payment.reverses_id,
                      month_used_fen=vouchers.voucher_used_in_month(session, order.senior_id, order.service_date),
                      month_allowance_fen=rule.allowance_fen if rule else None)


@router.post("/vouchers", name="api_vouchers:redeem", status_code=201, response_model=VoucherOut)
def redeem(body: VoucherIn, session: SessionDep, principal: Principal = allow(*STAFF)) -> VoucherOut:
    """Pay part of an order by voucher (中度及以上失能 seniors, within the scheme's monthly allowance)."""
    try:
        payment = vouchers.redeem_voucher(session, principal, order_no=body.order_no, voucher_no=body.voucher_no,
                                          amount_fen=body.amount_fen)
    except InvalidInput as e:
        raise InvalidInput({"amount_fen" if k == "amount" else k: v for k, v in e.errors.items()}) from None
    return _out(session, payment)


@router.post("/vouchers/{payment_id}/reversal", name="api_vouchers:reverse", status_code=201,
             response_model=VoucherOut)
def reverse(payment_id: int, body: ReversalIn, session: SessionDep, principal: Principal = allow(*STAFF)) -> VoucherOut:
    """Take a payment back (refund, correction) with a negative row pointing at it."""
    return _out(session, vouchers.reverse_for(session, principal, payment_id, reason=body.reason))
