"""The 养老服务消费补贴 voucher: a monthly allowance per senior, tracked and enforced, even for two payments at once."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app import ordering
from app.core.errors import Conflict, InvalidInput
from app.models import MenuItem, Order, OrderLine, VoucherPayment, now
from app.subsidy import vouchers as ps
from tests.conftest import PG_URL
from tests.factories import (
    days_ahead,
    id_of,
    make_canteen,
    make_priced_order,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

DAY = date(2026, 11, 10)


def _two_orders(session: Session) -> tuple[Order, Order, int]:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    senior = make_senior(session, age=85, disability_level="重", today=DAY)
    lunch = make_priced_order(session, senior, canteen, DAY, price_fen=2000, status="served")
    dinner = make_priced_order(session, senior, canteen, DAY, "dinner", price_fen=2000, status="served")
    return lunch, dinner, id_of(make_user(session, "counter"))


def test_the_monthly_allowance_is_enforced_across_orders(session: Session) -> None:
    lunch, dinner, user = _two_orders(session)
    ps.record_voucher_payment(session, id_of(lunch), voucher_no="YL1", amount_fen=1200, user_id=user,
                              allowance_fen=2000)

    with pytest.raises(InvalidInput) as refused:
        ps.record_voucher_payment(session, id_of(dinner), voucher_no="YL1", amount_fen=1000, user_id=user,
                                  allowance_fen=2000)

    assert refused.value.errors == {"amount": "本月消费券额度 20 元，已用 12 元，本次最多还能抵扣 8 元。"}
    assert ps.voucher_used_in_month(session, lunch.senior_id, DAY) == 1200


def test_a_cancelled_order_gives_its_voucher_back_to_the_month(session: Session) -> None:
    lunch, dinner, user = _two_orders(session)
    ps.record_voucher_payment(session, id_of(lunch), voucher_no="YL1", amount_fen=1200, user_id=user,
                              allowance_fen=2000)
    lunch.status = "cancelled"
    session.add(lunch)
    session.commit()

    ps.record_voucher_payment(session, id_of(dinner), voucher_no="YL1", amount_fen=1200, user_id=user,
                              allowance_fen=2000)

    assert ps.voucher_used_in_month(session, lunch.senior_id, DAY) == 1200


def test_the_allowance_is_the_scheme_versions_own(session: Session) -> None:
    lunch, dinner, user = _two_orders(session)  # 普陀 sets 500 元 a month
    ps.record_voucher_payment(session, id_of(lunch), voucher_no="YL1", amount_fen=1400, user_id=user)

    assert ps.voucher_rule(session, lunch) == ps.VoucherRule(50000, frozenset({"中", "重", "完全"}))
    assert ps.voucher_used_in_month(session, lunch.senior_id, DAY) == 1400


def test_a_scheme_without_vouchers_refuses_them(session: Session) -> None:
    seed_schemes(session, ("guangzhou-city",))
    canteen = make_canteen(session, district="越秀", street="北京街道", scheme_key="guangzhou-city")
    senior = make_senior(session, age=85, disability_level="重", today=DAY)
    order = make_priced_order(session, senior, canteen, DAY, price_fen=2000, status="served")

    with pytest.raises(InvalidInput) as refused:
        ps.record_voucher_payment(session, id_of(order), voucher_no="YL1", amount_fen=500,
                                  user_id=id_of(make_user(session, "counter")))

    assert refused.value.errors == {"voucher_no": "本食堂所属的补贴方案没有设置养老服务消费券，不能用消费券支付。"}
    assert session.exec(select(VoucherPayment)).all() == []


def test_a_refund_is_a_negative_row_that_points_at_the_payment(session: Session) -> None:
    lunch, _, user = _two_orders(session)
    paid = ps.record_voucher_payment(session, id_of(lunch), voucher_no="YL1", amount_fen=1200, user_id=user)

    back = ps.reverse_voucher_payment(session, id_of(paid), user_id=user, reason="金额录错")

    rows = session.exec(select(VoucherPayment).order_by(VoucherPayment.id)).all()  # type: ignore[arg-type]
    assert [(r.amount_fen, r.reverses_id, r.reason) for r in rows] == [(1200, None, ""), (-1200, paid.id, "金额录错")]
    assert back.voucher_no == "YL1"
    assert ps.voucher_paid_fen(session, id_of(lunch)) == 0
    assert ps.voucher_used_in_month(session, lunch.senior_id, DAY) == 0


def test_a_payment_is_reversed_once_and_only_with_a_reason(session: Session) -> None:
    lunch, _, user = _two_orders(session)
    paid = ps.record_voucher_payment(session, id_of(lunch), voucher_no="YL1", amount_fen=1200, user_id=user)

    with pytest.raises(InvalidInput) as no_reason:
        ps.reverse_voucher_payment(session, id_of(paid), user_id=user, reason="  ")
    ps.reverse_voucher_payment(session, id_of(paid), user_id=user, reason="退餐")
    with pytest.raises(Conflict):
        ps.reverse_voucher_payment(session, id_of(paid), user_id=user, reason="退餐")

    assert no_reason.value.errors == {"reason": "请写明冲回原因，例如：老人退餐、金额录错。"}
    assert len(session.exec(select(VoucherPayment)).all()) == 2


def test_cancelling_an_order_writes_the_reversal(session: Session) -> None:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    person = make_senior(session, age=85, disability_level="重", today=days_ahead(1))
    order = make_priced_order(session, person, canteen, days_ahead(1), price_fen=2000)
    order.changeable_until = now() + timedelta(hours=1)
    item = session.get(MenuItem, session.exec(select(OrderLine.menu_item_id)).one())
    item.sold_count = 1  # the factory stores the order without taking its portion off the menu
    session.add_all([order, item])
    session.commit()
    counter = make_user(session, ("counter", canteen.id))
    ps.record_voucher_payment(session, id_of(order), voucher_no="YL9", amount_fen=1000, user_id=id_of(counter))

    ordering.cancel_order(session, principal_of(session, counter), id_of(order))

    amounts = session.exec(select(VoucherPayment.amount_fen).where(VoucherPayment.order_id == order.id)).all()
    assert sorted(amounts) == [-1000, 1000]


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG_URL, reason="row locks need PostgreSQL (CI runs the suite on PostgreSQL too)")
def test_two_voucher_payments_at_once_never_exceed_the_allowance(
    session: Session, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    lunch, dinner, user = _two_orders(session)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    original = ps.voucher_used_in_month

    def slow_read(s: Session, senior_id: int, day: date) -> int:  # widen the window a missing lock would open
        used = original(s, senior_id, day)
        time.sleep(0.3)
        return used

    monkeypatch.setattr(ps, "voucher_used_in_month", slow_read)

    def pay(order_id: int) -> None:
        with Session(engine) as own:
            start.wait()
            try:
                ps.record_voucher_payment(own, order_id, voucher_no="YL1", amount_fen=1200, user_id=user,
                                          allowance_fen=2000)
                outcomes.append("paid")
            except InvalidInput:
                outcomes.append("refused")

    threads = [threading.Thread(target=pay, args=(id_of(o),)) for o in (lunch, dinner)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    session.expire_all()
    assert sorted(outcomes) == ["paid", "refused"]
    assert sum(session.exec(select(VoucherPayment.amount_fen)).all()) == 1200
