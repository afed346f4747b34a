"""Pricing through the database: the canteen's scheme in force, the senior's standing orders, the snapshot."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

import pytest
from sqlmodel import Session, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.models import AuditEvent, Order, OrderSubsidy, SubsidySchemeVersion
from app.pricing import Line, builtin_scheme_data
from app.subsidy import service as ps
from app.subsidy import vouchers
from tests.conftest import PG_URL
from tests.factories import (
    id_of,
    make_canteen,
    make_menu,
    make_priced_order,
    make_senior,
    make_user,
    seed_schemes,
)

MONDAY = date(2026, 11, 23)
TODAY = date(2026, 11, 22)


@pytest.fixture
def putuo(session: Session):
    seed_schemes(session)
    return make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")


def set_meal(price_fen: int) -> list[Line]:
    return [Line("1", "一荤两素一汤", price_fen, 1)]


def test_quote_prices_the_worked_example_of_an_85_year_old(session, putuo):
    senior = make_senior(session, age=85, hukou="上海", residence_district="普陀", today=MONDAY)

    breakdown = ps.quote(session, id_of(senior), id_of(putuo), MONDAY, "lunch", "dine_in", set_meal(2000))

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (300, 300, 1400)
    assert breakdown.explanation == "80周岁及以上普陀居民，八五折；80周岁及以上本市户籍老人，堂食补贴3元"


def test_second_order_on_the_same_day_gets_no_subsidy_until_the_first_is_cancelled(session, putuo):
    senior = make_senior(session, age=70, today=MONDAY)
    lunch = make_priced_order(session, senior, putuo, MONDAY, "lunch")

    dinner_quote = ps.quote(session, id_of(senior), id_of(putuo), MONDAY, "dinner", "dine_in", set_meal(2000))
    lunch.status = "cancelled"
    session.commit()
    after_cancelling = ps.quote(
        session, id_of(senior), id_of(putuo), MONDAY, "dinner", "dine_in", set_meal(2000)
    )

    assert lunch.subsidy_fen == 200
    assert (dinner_quote.subsidy_fen, dinner_quote.explanation) == (
        0,
        "60至79周岁普陀居民，九折；今日补贴次数已用完",
    )
    assert after_cancelling.subsidy_fen == 200


def test_changing_an_order_does_not_count_the_order_against_itself(session, putuo):
    senior = make_senior(session, age=70, today=MONDAY)
    lunch = make_priced_order(session, senior, putuo, MONDAY, "lunch")

    changed = ps.quote(
        session,
        id_of(senior),
        id_of(putuo),
        MONDAY,
        "lunch",
        "dine_in",
        set_meal(2500),
        exclude_order_id=id_of(lunch),
    )

    assert (changed.subsidy_fen, changed.payable_fen) == (200, 2050)


def test_usage_counts_standing_orders_of_the_scheme_in_day_week_and_month(session, putuo):
    senior = make_senior(session, age=85, today=MONDAY)
    make_priced_order(session, senior, putuo, date(2026, 11, 2))
    make_priced_order(session, senior, putuo, date(2026, 11, 23))
    make_priced_order(session, senior, putuo, date(2026, 11, 24))
    make_priced_order(session, senior, putuo, date(2026, 11, 25), status="cancelled")
    make_priced_order(session, senior, putuo, date(2026, 12, 1))

    usage = ps.usage_for(session, id_of(senior), "shanghai-putuo", date(2026, 11, 24), "lunch")

    assert usage.__dict__ == {
        "slot_meals": 1,
        "day_meals": 1,
        "day_fen": 300,
        "week_meals": 2,
        "week_fen": 600,
        "month_meals": 3,
        "month_fen": 900,
    }


def test_a_scheme_changing_on_1_january_prices_december_by_the_old_rules(session, putuo):
    data = builtin_scheme_data("shanghai-putuo")
    data["subsidy"]["categories"][1]["benefit"]["amount_fen"] = 250
    user = make_user(session, "operator")
    ps.add_scheme_version(
        session,
        "shanghai-putuo",
        body=json.dumps(data),
        effective_from="2027-01-01",
        note="B类提高到2.5元",
        user_id=id_of(user),
        today=TODAY,
    )
    senior = make_senior(session, age=70, today=MONDAY)

    december = ps.quote(
        session, id_of(senior), id_of(putuo), date(2026, 12, 31), "lunch", "dine_in", set_meal(2000)
    )
    january = ps.quote(
        session, id_of(senior), id_of(putuo), date(2027, 1, 1), "lunch", "dine_in", set_meal(2000)
    )

    assert (december.scheme_version, december.subsidy_fen) == (1, 200)
    assert (january.scheme_version, january.subsidy_fen) == (2, 250)


def test_eligibility_change_never_alters_a_placed_order(session, putuo):
    senior = make_senior(session, age=72, today=MONDAY)
    order = make_priced_order(session, senior, putuo, MONDAY, price_fen=1000)

    senior.economic_status = "低保"
    session.commit()
    requote = ps.quote(
        session,
        id_of(senior),
        id_of(putuo),
        MONDAY,
        "dinner",
        "dine_in",
        set_meal(1000),
        exclude_order_id=id_of(order),
    )
    session.refresh(order)

    assert (order.subsidy_fen, order.payable_fen) == (0, 900)
    assert (requote.subsidy_fen, requote.payable_fen) == (500, 400)


def test_an_order_is_stored_with_its_snapshot_and_funder_shares(session, putuo):
    senior = make_senior(session, age=85, today=MONDAY)

    order = make_priced_order(session, senior, putuo, MONDAY)

    shares = session.exec(select(OrderSubsidy).where(OrderSubsidy.order_id == id_of(order))).all()
    assert [(s.funder_key, s.category_key, s.amount_fen) for s in shares] == [
        ("putuo-district", "c-age-80-plus", 300)
    ]
    assert (order.scheme_key, order.scheme_version, order.category_name) == (
        "shanghai-putuo",
        1,
        "80周岁及以上本市户籍老人",
    )
    assert ps.breakdown_of(order).payable_fen == order.payable_fen == 1400


def test_canteen_without_a_scheme_in_force_charges_the_list_price(session):
    canteen = make_canteen(session, district="普陀", scheme_key="shanghai-putuo")  # no versions stored
    senior = make_senior(session, age=85, today=MONDAY)

    breakdown = ps.quote(session, id_of(senior), id_of(canteen), MONDAY, "lunch", "dine_in", set_meal(2000))

    assert (breakdown.payable_fen, breakdown.explanation) == (2000, "该日期没有生效的补贴方案，按原价计费")


def test_unknown_senior_is_not_found(session, putuo):
    with pytest.raises(NotFound, match="没有找到这位长者"):
        ps.quote(session, 999, id_of(putuo), MONDAY, "lunch", "dine_in", set_meal(2000))


def test_added_version_records_who_and_when_in_the_audit_log(session, putuo):
    user = make_user(session, "operator", name="陈运营")

    row = ps.add_scheme_version(
        session,
        "shanghai-putuo",
        body=json.dumps(builtin_scheme_data("shanghai-putuo")),
        effective_from="2027-01-01",
        note="年度续期",
        user_id=id_of(user),
        today=TODAY,
    )

    history = ps.scheme_history(session, "shanghai-putuo", TODAY)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "scheme.version_added")).one()
    assert [(v.version, v.effective_from, v.created_by, v.in_force) for v in history] == [
        (2, date(2027, 1, 1), "陈运营", False),
        (1, date(2026, 1, 1), "系统", True),
    ]
    assert (event.user_id, event.object_id) == (id_of(user), str(id_of(row)))
    assert event.detail == "shanghai-putuo v2 自 2027-01-01 起生效；年度续期"


@pytest.mark.parametrize(
    ("body", "effective_from", "errors"),
    [
        ("", "2027-01-01", {"body": "请填写方案内容（JSON）。"}),
        (
            "{",
            "2027-01-01",
            {
                "body": "JSON 格式错误：第 1 行第 2 列附近（Expecting property name enclosed in double quotes）"
            },
        ),
        (
            '{"key": "shanghai-jingan"}',
            "2027-01-01",
            {
                "body": "这里只能添加方案“shanghai-putuo”的新版本，方案内容里的 key 不能改成“shanghai-jingan”。"
            },
        ),
        ('{"name": "x"}', "2027-01-01", {"body": "funders：必须填写"}),
        ("[1, 2]", "2027-01-01", {"body": "方案内容应为一个 JSON 对象：以 { 开头，以 } 结尾。"}),
        (
            None,
            "2026-11-22",
            {
                "effective_from": "新版本最早从明天（2026-11-23）起生效；补登今天或以前生效的版本，须在“修改说明”里写明原因"
                "（记入操作日志）。已下的订单按下单时的方案计价，不会改变。"
            },
        ),
        (None, "2027/01/01", {"effective_from": "生效日期格式不对，应为 年-月-日，如 2027-01-01。"}),
    ],
)
def test_invalid_version_is_refused_field_by_field_and_never_saved(
    session, putuo, body, effective_from, errors
):
    user = make_user(session, "operator")
    text = json.dumps(builtin_scheme_data("shanghai-putuo")) if body is None else body

    with pytest.raises(InvalidInput) as refused:
        ps.add_scheme_version(
            session,
            "shanghai-putuo",
            body=text,
            effective_from=effective_from,
            note="",
            user_id=id_of(user),
            today=TODAY,
        )

    assert refused.value.errors == errors
    assert len(session.exec(select(SubsidySchemeVersion)).all()) == 1


def test_a_version_number_taken_meanwhile_by_another_operator_is_a_conflict(session, putuo):
    data = builtin_scheme_data("shanghai-putuo")  # version 1, which the seed already stored

    with pytest.raises(Conflict, match="刚刚有其他人保存了这个方案的新版本"):
        ps.save_version(session, data, "", id_of(make_user(session, "operator")))

    assert len(session.exec(select(SubsidySchemeVersion)).all()) == 1


def test_voucher_pays_part_of_the_payable_amount_of_a_disabled_senior(session, putuo):
    senior = make_senior(session, age=85, disability_level="重", today=MONDAY)
    order = make_priced_order(session, senior, putuo, MONDAY)
    user = make_user(session, "counter")

    vouchers.record_voucher_payment(
        session, id_of(order), voucher_no="YL2026-0001", amount_fen=1000, user_id=id_of(user)
    )
    with pytest.raises(InvalidInput) as too_much:
        vouchers.record_voucher_payment(
            session, id_of(order), voucher_no="YL2026-0001", amount_fen=500, user_id=id_of(user)
        )

    assert vouchers.voucher_paid_fen(session, id_of(order)) == 1000
    assert too_much.value.errors == {
        "amount": "这笔订单自付 14 元，已用消费券 10 元，本次最多还能抵扣 4 元。"
    }
    assert session.get(Order, id_of(order)).payable_fen == 1400


def test_voucher_is_refused_for_a_senior_who_is_not_disabled(session, putuo):
    senior = make_senior(session, age=85, disability_level="轻", today=MONDAY)
    order = make_priced_order(session, senior, putuo, MONDAY)
    user = make_user(session, "counter")

    with pytest.raises(InvalidInput) as refused:
        vouchers.record_voucher_payment(
            session, id_of(order), voucher_no="YL1", amount_fen=100, user_id=id_of(user)
        )

    assert refused.value.errors == {"voucher_no": "养老服务消费补贴仅限中度及以上失能老人使用。"}


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG_URL, reason="row locks need PostgreSQL (CI runs the suite on PostgreSQL too)")
def test_two_orders_placed_at_once_cannot_both_take_the_daily_subsidy(session, putuo, engine):
    senior = make_senior(session, age=85, today=MONDAY)
    first = make_priced_order(session, senior, putuo, MONDAY, status="cancelled")  # makes the menu and item
    user_id = first.placed_by_id
    # Lunch and dinner of one day: one standing order per slot is a database rule, one subsidy per day is this one.
    menus = {1: (first.menu_id, "lunch"), 2: (id_of(make_menu(session, putuo, MONDAY, "dinner")), "dinner")}
    start = threading.Barrier(2)
    results: list[int] = []

    def place(slot_no: int) -> None:
        menu_id, slot = menus[slot_no]
        with Session(engine) as own:
            start.wait()
            ps.lock_senior(own, id_of(senior))
            time.sleep(0.2)  # widen the window a missing lock would leave open
            breakdown = ps.quote(own, id_of(senior), id_of(putuo), MONDAY, slot, "dine_in", set_meal(2000))
            own.add(
                Order(
                    public_no=f"RACE{slot_no}",
                    senior_id=id_of(senior),
                    canteen_id=id_of(putuo),
                    menu_id=menu_id,
                    service_date=MONDAY,
                    slot=slot,
                    fulfilment="dine_in",
                    placed_by_id=user_id,
                    placed_via="counter",
                    idempotency_key=f"race-{slot_no}",
                    changeable_until=first.changeable_until,
                    **ps.snapshot_fields(breakdown),
                )
            )
            own.commit()
            results.append(breakdown.subsidy_fen)

    threads = [threading.Thread(target=place, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 300]
