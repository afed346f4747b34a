"""Vouchers at the counter and in the API: recorded against one of this canteen's orders, refused next to the
field when wrong, never for another canteen's order; reversed with a negative row through the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core.settings import TZ
from app.models import VoucherPayment
from app.ordering import rules as ordering_rules
from tests.conftest import csrf
from tests.factories import id_of, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

COUNTER_PHONE = "13900008841"
TODAY = date(2026, 11, 10)


@pytest.fixture
def counter(session: Session, login: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ordering_rules, "current_time", lambda: datetime(2026, 11, 10, 11, 40, tzinfo=TZ))
    seed_schemes(session)
    canteen = make_canteen(session, name="长寿路长者食堂", district="普陀", street="长寿路街道")
    make_user(session, ("counter", canteen.id), phone=COUNTER_PHONE, name="窗口小李")
    senior = make_senior(session, name="王秀英", age=85, disability_level="重", today=TODAY, card_no="88010001")
    order = make_priced_order(session, senior, canteen, TODAY, status="served")  # payable 14 元
    return login(COUNTER_PHONE), canteen, order


def _pay(client: Any, **data: str) -> Any:
    return client.post("/counter/voucher", data=data | {"slot": "lunch", "csrf_token": csrf(client)})


def _errors(r: Any) -> dict[str, str]:
    page = BeautifulSoup(r.text, "html.parser")
    return {p["id"].removeprefix("f-").removesuffix("-err"): p.get_text(strip=True) for p in page.select(".error-text")}


def test_the_counter_records_a_voucher_payment(session: Session, counter: Any) -> None:
    client, _, order = counter

    r = _pay(client, order_no=order.public_no, voucher_no="YL-0001", amount="5.50")

    assert r.status_code == 200
    assert f"已用消费券 YL-0001 抵扣 5.50 元（订单 {order.public_no}）。" in r.text
    rows = session.exec(select(VoucherPayment)).all()
    assert [(p.order_id, p.amount_fen, p.voucher_no) for p in rows] == [(order.id, 550, "YL-0001")]


def test_a_wrong_payment_is_explained_next_to_the_field_and_nothing_is_saved(session: Session, counter: Any) -> None:
    client, _, order = counter

    unknown = _pay(client, order_no="T404", voucher_no="YL-0001", amount="5")
    typo = _pay(client, order_no=order.public_no, voucher_no="", amount="五元")
    too_much = _pay(client, order_no=order.public_no, voucher_no="YL-0001", amount="15")

    assert _errors(unknown) == {"order_no": "⚠没有这个订单号，请从下面的名单里选择。"}
    assert set(_errors(typo)) == {"voucher_no", "amount"}
    assert _errors(too_much) == {"amount": "⚠这笔订单自付 14 元，已用消费券 0 元，本次最多还能抵扣 14 元。"}
    assert {unknown.status_code, typo.status_code, too_much.status_code} == {422}
    assert session.exec(select(VoucherPayment)).all() == []


def test_another_canteens_order_is_refused(session: Session, counter: Any) -> None:
    client, _, _ = counter
    other = make_canteen(session, name="曹杨长者食堂", district="普陀", street="曹杨新村街道")
    senior = make_senior(session, age=85, disability_level="重", today=TODAY)
    order = make_priced_order(session, senior, other, TODAY, status="served")

    r = _pay(client, order_no=order.public_no, voucher_no="YL-0002", amount="5")

    assert r.status_code == 403
    assert session.exec(select(VoucherPayment)).all() == []


def test_the_api_records_and_reverses_a_voucher_payment(session: Session, counter: Any) -> None:
    client, _, order = counter
    headers = {"X-CSRF-Token": csrf(client)}

    paid = client.post("/api/v1/vouchers", json={"order_no": order.public_no, "voucher_no": "YL-9",
                                                 "amount_fen": 1000}, headers=headers)
    refused = client.post("/api/v1/vouchers", json={"order_no": order.public_no, "voucher_no": "YL-9",
                                                    "amount_fen": 1000}, headers=headers)
    back = client.post(f"/api/v1/vouchers/{paid.json()['id']}/reversal", json={"reason": "金额录错"},
                       headers=headers)

    assert paid.status_code == 201
    assert paid.json() | {"id": 0} == {"id": 0, "order_no": order.public_no, "voucher_no": "YL-9",
                                       "amount_fen": 1000, "reverses_id": None, "month_used_fen": 1000,
                                       "month_allowance_fen": 50000}
    assert refused.status_code == 422 and "amount_fen" in refused.json()["errors"]
    assert back.status_code == 201 and back.json()["amount_fen"] == -1000
    assert back.json()["month_used_fen"] == 0
    assert sorted(p.amount_fen for p in session.exec(select(VoucherPayment)).all()) == [-1000, 1000]
    assert id_of(order)
