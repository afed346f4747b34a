"""The 养老服务消费补贴 voucher: a monthly allowance per senior, tracked and enforced, even for two payments at once."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlmodel import Session, select

from app.core.errors import InvalidInput
from app.models import Order, VoucherPayment
from app.subsidy import service as ps
from tests.conftest import PG_URL
from tests.factories import id_of, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

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
