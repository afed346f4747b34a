"""The counter checks meals in (核销): a card scanned (or typed) and Enter serves today's dine-in or pickup order;
the slot's list shows who has not come; settlement claims only what was checked in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core.settings import TZ
from app.models import AuditEvent, Order, OrderEvent
from app.ordering import rules as ordering_rules
from app.subsidy import settlement as st
from tests.conftest import csrf
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes

COUNTER_PHONE = "13900008831"
TODAY = date(2026, 11, 10)


@pytest.fixture
def counter(session: Session, login: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ordering_rules, "current_time", lambda: datetime(2026, 11, 10, 11, 40, tzinfo=TZ))
    seed_schemes(session)
    canteen = make_canteen(session, name="长寿路长者食堂", district="普陀", street="长寿路街道")
    user = make_user(session, ("counter", canteen.id), phone=COUNTER_PHONE, name="窗口小李")
    client = login(COUNTER_PHONE)
    return client, canteen, user


def _scan(client: Any, code: str, slot: str = "lunch") -> Any:
    return client.post("/counter/checkin", data={"code": code, "slot": slot, "csrf_token": csrf(client)})


def _text(response: Any, selector: str) -> str:
    found = BeautifulSoup(response.text, "html.parser").select_one(selector)
    return found.get_text(" ", strip=True) if found else ""


def test_a_scanned_card_serves_todays_dine_in_order_with_when_and_who(session: Session, counter: Any) -> None:
    client, canteen, user = counter
    senior = make_senior(session, name="王秀英", age=85, today=TODAY, card_no="88010001")
    order = make_priced_order(session, senior, canteen, TODAY)

    r = _scan(client, "88010001")

    session.refresh(order)
    event = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).one()
    assert r.status_code == 200
    assert _text(r, "[data-notice]") == f"已核销：王秀英，订单 {order.public_no}，已就餐。"
    assert order.status == "served"
    assert (event.status, event.by_user_id, event.at.astimezone(TZ).strftime("%H:%M")) == ("served", user.id, "11:40")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "order.checked_in")).one().user_id == user.id
    assert _text(r, "[data-served]") == f"王*英 · 已就餐 · 上午11:40 · 订单 {order.public_no}"


def test_a_pickup_order_becomes_picked_up(session: Session, counter: Any) -> None:
    client, canteen, _ = counter
    senior = make_senior(session, name="李建国", age=70, today=TODAY, card_no="88010002")
    order = make_priced_order(session, senior, canteen, TODAY, channel="pickup")

    r = _scan(client, "８８０１０００２")  # a scanner set to full-width digits

    assert _text(r, "[data-notice]") == f"已核销：李建国，订单 {order.public_no}，已取餐。"


def test_the_same_card_twice_is_refused_and_changes_nothing(session: Session, counter: Any) -> None:
    client, canteen, _ = counter
    senior = make_senior(session, name="王秀英", age=85, today=TODAY, card_no="88010001")
    make_priced_order(session, senior, canteen, TODAY)
    _scan(client, "88010001")

    again = _scan(client, "88010001")

    assert again.status_code == 422
    assert _text(again, "#f-code-err") == "⚠ 王秀英这一餐已经核销过了，不能重复核销。"
    assert len(session.exec(select(OrderEvent)).all()) == 1


def test_unknown_cards_deliveries_and_no_order_are_explained_next_to_the_card(
    session: Session, counter: Any
) -> None:
    client, canteen, _ = counter
    delivered = make_senior(session, name="张桂兰", age=82, today=TODAY, card_no="88010003")
    make_priced_order(session, delivered, canteen, TODAY, channel="delivery")
    make_senior(session, name="赵大海", age=75, today=TODAY, card_no="88010004")

    answers = {code: _text(_scan(client, code), "#f-code-err") for code in ("12345", "88010003", "88010004", "")}

    assert answers == {
        "12345": "⚠ 没有这张助餐卡，请核对卡号或改用姓名查找。",
        "88010003": "⚠ 张桂兰这一餐是送餐上门，由送餐员签收，不在窗口核销。",
        "88010004": "⚠ 赵大海今天这一餐没有在本食堂订餐（或已取消），请先为其点餐。",
        "": "⚠ 请填写助餐卡号。",
    }
    assert session.exec(select(Order).where(Order.status == "served")).all() == []


def test_the_slot_list_shows_who_has_not_come(session: Session, counter: Any) -> None:
    client, canteen, _ = counter
    came = make_senior(session, name="王秀英", age=85, today=TODAY, card_no="88010001")
    absent = make_senior(session, name="陈阿婆", age=90, today=TODAY, card_no="88010005")
    make_priced_order(session, came, canteen, TODAY)
    waiting = make_priced_order(session, absent, canteen, TODAY)
    _scan(client, "88010001")

    page = client.get("/counter/checkin")

    assert _text(page, "h2") == "午餐：已核销 1 人，未到 1 人"
    assert _text(page, "[data-waiting]") == f"陈*婆 · 堂食 · 订单 {waiting.public_no}"


def test_settlement_claims_the_checked_in_meal_and_lists_the_no_show(session: Session, counter: Any) -> None:
    client, canteen, _ = counter
    came = make_senior(session, name="王秀英", age=85, today=TODAY, card_no="88010001")
    absent = make_senior(session, name="陈阿婆", age=85, today=TODAY, card_no="88010005")
    eaten = make_priced_order(session, came, canteen, TODAY)
    missed = make_priced_order(session, absent, canteen, TODAY)
    _scan(client, "88010001")

    report = st.settle(session, st.month_scope("2026-11"))

    assert [row.order_no for row in report.ledger] == [eaten.public_no]
    assert report.total.subsidy_fen == eaten.subsidy_fen == 300
    no_shows = [e.order_no for e in report.exceptions if e.kind == "no_show"]
    assert no_shows == [missed.public_no]  # 10 November is past: nobody came


def test_a_check_in_after_the_slot_ended_is_listed_as_late(
    session: Session, counter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, canteen, _ = counter
    senior = make_senior(session, name="王秀英", age=85, today=TODAY, card_no="88010001")
    order = make_priced_order(session, senior, canteen, TODAY)
    monkeypatch.setattr(ordering_rules, "current_time", lambda: datetime(2026, 11, 10, 14, 5, tzinfo=TZ))
    _scan(client, "88010001")

    report = st.settle(session, st.month_scope("2026-11"))

    late = [(e.order_no, e.detail) for e in report.exceptions if e.kind == "late_checkin"]
    assert late == [(order.public_no, "2026-11-10 14:05 核销，晚于供餐结束时间 13:00")]

