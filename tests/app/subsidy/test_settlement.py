"""Monthly settlement (补贴核销): every figure comes from the order snapshots and reconciles to the fen."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, func, select

from app.core.errors import InvalidInput
from app.core.settings import TZ
from app.models import Order, OrderSubsidy
from app.subsidy import settlement as st
from app.subsidy import vouchers
from app.subsidy.settlement_export import to_csv, to_xlsx
from tests.factories import id_of, make_canteen, make_senior, make_user, seed_schemes
from tests.factories import make_priced_order as _priced_order

NOV = st.month_scope("2026-11")
NOV_DAY = date(2026, 11, 10)


def make_priced_order(*args: Any, status: str = "served", **kw: Any) -> Any:
    """The meals of these tests were eaten (checked in at the counter, 已就餐) unless a test says otherwise:
    settlement claims only served meals."""
    return _priced_order(*args, status=status, **kw)


@pytest.fixture
def putuo(session: Session):
    seed_schemes(session, ("shanghai-putuo", "guangzhou-zengcheng-2020"))
    return make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")


def senior(session: Session, age: int, **kw):
    return make_senior(session, age=age, today=NOV_DAY, **kw)


def test_a_small_month_is_summed_per_funder_and_category(session, putuo):
    make_priced_order(session, senior(session, 85), putuo, NOV_DAY)
    make_priced_order(session, senior(session, 70), putuo, NOV_DAY)
    make_priced_order(session, senior(session, 70, hukou="江苏"), putuo, NOV_DAY)

    report = st.settle(session, NOV)

    t = report.total
    assert (t.seniors, t.visits, t.subsidised_meals) == (3, 3, 2)
    assert (t.list_fen, t.discount_fen, t.subsidy_fen, t.payable_fen) == (6000, 700, 500, 4800)
    assert [
        (line.funder_key, line.category_key, line.totals.visits, line.totals.subsidy_fen)
        for line in report.by_funder
    ] == [
        ("shanghai-putuo/putuo-district", "b-age-60-79", 1, 200),
        ("shanghai-putuo/putuo-district", "c-age-80-plus", 1, 300),
    ]
    assert [
        (line.category_name, line.totals.visits, line.totals.payable_fen) for line in report.by_category
    ] == [
        ("（无补贴）", 1, 1800),
        ("60至79周岁本市户籍老人", 1, 1600),
        ("80周岁及以上本市户籍老人", 1, 1400),
    ]


def test_settlement_reconciles_to_the_order_snapshots_to_the_fen(session, putuo):
    ages = [62, 70, 79, 80, 85, 91]
    people = [senior(session, age, economic_status="低保" if age == 70 else "") for age in ages]
    for i in range(24):
        day = date(2026, 11, 1) + timedelta(days=i)
        make_priced_order(
            session, people[i % 6], putuo, day, "lunch" if i % 2 else "dinner", price_fen=900 + 137 * i
        )
    make_priced_order(session, people[0], putuo, date(2026, 12, 1))  # next month: not in November's claim

    report = st.settle(session, NOV)

    in_november = col(Order.service_date).between(date(2026, 11, 1), date(2026, 11, 30))
    columns = (Order.list_fen, Order.discount_fen, Order.subsidy_fen, Order.payable_fen)
    sums = session.exec(select(*(func.sum(c) for c in columns), func.count()).where(in_november)).one()  # type: ignore[call-overload]
    shares = session.exec(select(func.sum(OrderSubsidy.amount_fen)).join(Order).where(in_november)).one()
    t = report.total
    assert (t.list_fen, t.discount_fen, t.subsidy_fen, t.payable_fen, t.visits) == tuple(sums)
    assert sum(line.totals.subsidy_fen for line in report.by_funder) == shares == t.subsidy_fen
    assert sum(line.totals.list_fen for line in report.by_category) == t.list_fen
    assert sum(row.list_fen for row in report.ledger) == t.list_fen
    assert all(row.list_fen == row.discount_fen + row.subsidy_fen + row.payable_fen for row in report.ledger)
    assert report.exceptions == []


def test_each_canteen_claims_each_funders_share_on_its_own_line(session, putuo):
    licheng = make_canteen(session, district="增城", street="荔城街道", scheme_key="guangzhou-zengcheng-2020")
    xintang = make_canteen(session, district="增城", street="新塘镇", scheme_key="guangzhou-zengcheng-2020")
    resident = senior(
        session,
        85,
        hukou="广州",
        residence_city="广州",
        residence_district="增城",
        residence_street="荔城街道",
    )
    make_priced_order(session, resident, licheng, NOV_DAY, price_fen=1200)
    make_priced_order(session, resident, xintang, NOV_DAY + timedelta(days=1), price_fen=1200)

    report = st.settle(session, st.month_scope("2026-11", district="增城"))

    lines = [(line.canteen_name, line.funder_name, line.totals.subsidy_fen) for line in report.by_funder]
    assert sorted(lines) == sorted(
        [
            (licheng.name, "广州市财政", 300),
            (licheng.name, "增城区财政", 300),
            (licheng.name, "镇（街）财政", 300),
            (xintang.name, "广州市财政", 300),
            (xintang.name, "增城区财政", 300),
        ]
    )
    assert (report.total.subsidy_fen, report.total.payable_fen) == (1500, 900)


def test_cancelled_and_refunded_orders_are_not_claimed_but_listed_as_exceptions(session, putuo):
    person = senior(session, 85)
    early = make_priced_order(session, person, putuo, date(2026, 11, 3), status="cancelled")
    early.cancelled_at = datetime(2026, 11, 2, 18, 0, tzinfo=TZ)
    make_priced_order(session, person, putuo, date(2026, 11, 4), status="cancelled")  # cancelled on 22 Nov
    make_priced_order(session, person, putuo, date(2026, 11, 5), status="refunded")
    kept = make_priced_order(session, person, putuo, date(2026, 11, 6), status="served")
    session.commit()

    report = st.settle(session, NOV)

    assert [row.order_no for row in report.ledger] == [kept.public_no]
    assert [(e.kind_name, e.service_date) for e in report.exceptions] == [
        ("服务后取消", date(2026, 11, 4)),
        ("退款", date(2026, 11, 5)),
    ]
    assert report.exceptions[1].detail == "未计入申领：原价 20 元，补贴 3 元"


def test_a_senior_turning_80_mid_month_is_flagged_as_a_category_change(session, putuo):
    person = make_senior(session, age=79, birth_date=date(1946, 11, 15))
    make_priced_order(session, person, putuo, date(2026, 11, 14))
    make_priced_order(session, person, putuo, date(2026, 11, 16))

    report = st.settle(session, NOV)

    assert [(e.kind, e.service_date, e.detail) for e in report.exceptions] == [
        (
            "category_changed",
            date(2026, 11, 16),
            "60至79周岁本市户籍老人 → 80周岁及以上本市户籍老人（自 2026-11-16 起）",
        )
    ]


def test_dibao_granted_mid_month_is_flagged_with_its_evidence(session, putuo):
    person = senior(
        session,
        72,
        economic_status="低保",
        economic_valid_from=date(2026, 11, 12),
        economic_source="普陀区民政局 2026-118 号",
    )
    make_priced_order(session, person, putuo, date(2026, 11, 11), price_fen=1000)
    make_priced_order(session, person, putuo, date(2026, 11, 13), price_fen=1000)

    report = st.settle(session, NOV)

    assert [(row.category_key, row.subsidy_fen, row.evidence) for row in report.ledger] == [
        ("", 0, ""),
        ("a-dibao", 500, "普陀区民政局 2026-118 号"),
    ]
    assert [(e.kind, e.detail) for e in report.exceptions] == [
        ("eligibility_changed", "低保认定 2026-11-12 起（依据：普陀区民政局 2026-118 号）")
    ]


def test_ledger_is_pseudonymous_and_shows_voucher_payments(session, putuo):
    person = senior(session, 85, name="王秀英", disability_level="重")
    order = make_priced_order(session, person, putuo, NOV_DAY)
    vouchers.record_voucher_payment(
        session, id_of(order), voucher_no="YL1", amount_fen=1000, user_id=id_of(make_user(session, "counter"))
    )

    report = st.settle(session, NOV)

    row = report.ledger[0]
    assert row.senior_code.startswith("S") and len(row.senior_code) == 11
    assert (row.voucher_fen, row.cash_fen, row.payment_method) == (1000, 400, "消费券+自付")
    assert "王秀英" not in to_csv(report, "ledger").decode("utf-8-sig")


def test_a_canteen_settles_only_its_own_orders(session, putuo):
    other = make_canteen(session, district="普陀", street="宜川路街道", scheme_key="shanghai-putuo")
    make_priced_order(session, senior(session, 85), putuo, NOV_DAY)
    make_priced_order(session, senior(session, 85), other, NOV_DAY)

    report = st.settle(session, st.month_scope("2026-11", canteen_id=id_of(other)))

    assert [row.canteen_name for row in report.ledger] == [other.name]
    assert report.title == f"{other.name} 2026-11-01 至 2026-11-30 补贴核销"


def test_csv_summary_ends_with_the_totals_in_yuan(session, putuo):
    make_priced_order(session, senior(session, 85), putuo, NOV_DAY)

    text = to_csv(st.settle(session, NOV), "summary").decode("utf-8-sig")

    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "食堂",
        "出资方",
        "补贴类别",
        "人数",
        "人次",
        "补贴餐数",
        "原价(元)",
        "折扣(元)",
        "补贴(元)",
        "自付(元)",
        "其中消费券(元)",
    ]
    assert table[1] == [
        putuo.name,
        "普陀区财政",
        "80周岁及以上本市户籍老人",
        "1",
        "1",
        "1",
        "20.00",
        "3.00",
        "3.00",
        "14.00",
        "0.00",
    ]
    assert table[-1] == ["合计", "", "", "1", "1", "1", "20.00", "3.00", "3.00", "14.00", "0.00"]


def test_excel_has_one_sheet_per_part_with_exact_amounts(session, putuo):
    make_priced_order(session, senior(session, 85), putuo, NOV_DAY)
    make_priced_order(session, senior(session, 70), putuo, NOV_DAY, price_fen=1999)

    book = load_workbook(io.BytesIO(to_xlsx(st.settle(session, NOV))))

    assert book.sheetnames == ["出资方汇总", "类别汇总", "运营补贴", "订单明细", "异常", "送达签收"]
    ledger = book["订单明细"]
    head = [c.value for c in ledger[2]]
    payable = [Decimal(str(r[head.index("自付(元)")].value)) for r in ledger.iter_rows(min_row=3)]
    assert sum(payable) == Decimal("14.00") + Decimal("15.99")  # 19.99 × 90 % = 17.99, less 2.00


def test_a_malformed_month_is_refused():
    with pytest.raises(InvalidInput) as refused:
        st.month_scope("2026-13")

    assert refused.value.errors == {"month": "月份格式应为 年-月，如 2026-11。"}


def test_cli_writes_the_same_report_as_csv_and_excel(session, putuo, tmp_path, capsys):
    from app.__main__ import main

    make_priced_order(session, senior(session, 85), putuo, NOV_DAY)
    csv_out, xlsx_out = tmp_path / "nov.csv", tmp_path / "nov.xlsx"

    code = main(
        [
            "settlement",
            "--month",
            "2026-11",
            "--canteen",
            str(id_of(putuo)),
            "--csv",
            str(csv_out),
            "--part",
            "ledger",
            "--xlsx",
            str(xlsx_out),
        ]
    )

    assert code == 0
    assert csv_out.read_bytes() == to_csv(st.settle(session, st.month_scope("2026-11")), "ledger")
    assert load_workbook(xlsx_out).sheetnames == ["出资方汇总", "类别汇总", "运营补贴", "订单明细", "异常", "送达签收"]
    assert capsys.readouterr().err.strip().endswith("：1 人次，补贴 3 元，异常 0 条")


def test_cli_refuses_a_malformed_month_with_the_reason(engine, capsys):
    from app.__main__ import main

    assert main(["settlement", "--month", "November"]) == 2
    assert capsys.readouterr().err.strip() == "月份格式应为 年-月，如 2026-11。"


def test_a_quarter_settles_as_one_date_range(session, putuo):
    make_priced_order(session, senior(session, 85), putuo, date(2026, 10, 15))
    make_priced_order(session, senior(session, 85), putuo, date(2026, 12, 31))
    make_priced_order(session, senior(session, 85), putuo, date(2027, 1, 1))

    report = st.settle(session, st.range_scope("2026-10-01", "2026-12-31"))

    assert [row.service_date for row in report.ledger] == [date(2026, 10, 15), date(2026, 12, 31)]


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        ("2026-10-01", "", {"end": "日期格式应为 年-月-日，如 2026-10-01。"}),
        ("10/1", "2026-12-31", {"start": "日期格式应为 年-月-日，如 2026-10-01。"}),
        ("2026-12-31", "2026-10-01", {"end": "请填写起止日期，结束日期不能早于开始日期。"}),
    ],
)
def test_a_malformed_range_names_the_wrong_end(start, end, errors):
    with pytest.raises(InvalidInput) as refused:
        st.range_scope(start, end)

    assert refused.value.errors == errors


def test_cli_settles_a_date_range(session, putuo, capsys):
    from app.__main__ import main

    make_priced_order(session, senior(session, 85), putuo, date(2026, 10, 15))

    code = main(["settlement", "--from", "2026-10-01", "--to", "2026-12-31"])

    out = capsys.readouterr()
    assert code == 0
    assert out.out.splitlines()[-1] == "合计,,,1,1,1,20.00,3.00,3.00,14.00,0.00"
    assert "2026-10-01 至 2026-12-31" in out.err


def delivered_by_a_driver(session, order, status: str, note: str = ""):
    """Put the order on a one-stop route and record the driver's report at the door."""
    from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop, Driver, Vehicle

    driver = Driver(canteen_id=order.canteen_id, name="孙师傅", phone="13900000011")
    vehicle = Vehicle(canteen_id=order.canteen_id, name="电动车1")
    plan = DeliveryPlan(canteen_id=order.canteen_id, service_date=order.service_date, slot=order.slot)
    session.add_all([driver, vehicle, plan])
    session.flush()
    route = DeliveryRoute(plan_id=id_of(plan), driver_id=id_of(driver), vehicle_id=id_of(vehicle))
    session.add(route)
    session.flush()
    reported = datetime(2026, 11, 10, 11, 42, tzinfo=TZ)
    session.add(
        DeliveryStop(
            route_id=id_of(route),
            order_id=id_of(order),
            seq=1,
            status=status,
            reported_at=reported if status != "pending" else None,
            note=note,
        )
    )
    session.commit()


def test_delivered_meals_carry_their_sign_off_and_unsigned_ones_are_exceptions(session, putuo):
    gz = make_canteen(session, district="天河", street="石牌街道", scheme_key="guangzhou-city")
    seed_schemes(session, ("guangzhou-city",))
    person = senior(session, 70, hukou="广州", residence_city="广州", residence_district="天河")
    signed = make_priced_order(session, person, gz, NOV_DAY, channel="delivery", delivery_fee_fen=300)
    unsigned = make_priced_order(
        session, person, gz, NOV_DAY, "dinner", channel="delivery", delivery_fee_fen=300
    )
    delivered_by_a_driver(session, signed, "delivered", note="本人签收")

    report = st.settle(session, NOV)

    assert [(s.order_no, s.status_name, s.note) for s in report.signoffs] == [
        (signed.public_no, "已送达", "本人签收"),
        (unsigned.public_no, "未排入路线", ""),
    ]
    assert [(e.kind_name, e.order_no) for e in report.exceptions] == [("送餐无签收记录", unsigned.public_no)]
    assert (
        to_csv(report, "signoffs")
        .decode("utf-8-sig")
        .splitlines()[1]
        .endswith(",已送达,2026-11-10 11:42,本人签收")
    )
