"""Two districts' schemes reuse the same funder and category keys (`city`, `district`, `age-60-79`): the claim
keeps each scheme's funders and categories apart, so 从化's share is never billed to 增城区财政."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session

from app.models import SubsidySchemeVersion
from app.pricing import builtin_scheme_data
from app.subsidy import settlement as st
from app.subsidy.settlement_export import to_xlsx
from tests.factories import make_canteen, make_priced_order, make_senior, seed_schemes

DAY = date(2026, 11, 10)


def _conghua(session: Session) -> None:
    """从化 copies 增城's rules with its own district treasury (and the same keys)."""
    data = builtin_scheme_data("guangzhou-zengcheng-2020")
    data |= {"key": "guangzhou-conghua", "name": "从化区长者饭堂助餐补贴", "area": {"city": "广州", "district": "从化"}}
    data["funders"] = [{**f, "name": "从化区财政"} if f["key"] == "district" else f for f in data["funders"]]
    session.add(SubsidySchemeVersion(scheme_key="guangzhou-conghua", name=str(data["name"]), version=1,
                                     effective_from=date(2020, 1, 1), body=json.dumps(data, ensure_ascii=False)))
    session.commit()


def _month(session: Session) -> st.Settlement:
    seed_schemes(session, ("guangzhou-zengcheng-2020",))
    _conghua(session)
    zengcheng = make_canteen(session, name="荔城长者饭堂", district="增城", street="荔城街道",
                             scheme_key="guangzhou-zengcheng-2020")
    conghua = make_canteen(session, name="街口长者饭堂", district="从化", street="街口街道",
                           scheme_key="guangzhou-conghua")
    for canteen in (zengcheng, conghua):
        senior = make_senior(session, age=70, today=DAY, hukou="广州", residence_city="广州",
                             residence_district=canteen.district, residence_street=canteen.street)
        make_priced_order(session, senior, canteen, DAY, price_fen=1200, status="served")
    return st.settle(session, st.month_scope("2026-11"))


def test_each_schemes_district_share_is_claimed_from_its_own_treasury(session: Session) -> None:
    report = _month(session)

    lines = [(line.canteen_name, line.funder_name, line.totals.subsidy_fen) for line in report.by_funder
             if line.funder_key.endswith("/district")]
    assert lines == [("荔城长者饭堂", "增城区财政", 300), ("街口长者饭堂", "从化区财政", 300)]


def test_a_funder_name_two_schemes_share_is_two_columns_each_naming_its_scheme(session: Session) -> None:
    report = _month(session)

    assert report.funders == [
        ("guangzhou-zengcheng-2020/city", "广州市财政（增城区长者饭堂助餐配餐补贴（2020））"),
        ("guangzhou-zengcheng-2020/district", "增城区财政"),
        ("guangzhou-zengcheng-2020/town", "镇（街）财政（增城区长者饭堂助餐配餐补贴（2020））"),
        ("guangzhou-conghua/city", "广州市财政（从化区长者饭堂助餐补贴）"),
        ("guangzhou-conghua/district", "从化区财政"),
        ("guangzhou-conghua/town", "镇（街）财政（从化区长者饭堂助餐补贴）"),
    ]
    assert [row.shares for row in report.ledger] == [
        {"guangzhou-zengcheng-2020/city": 300, "guangzhou-zengcheng-2020/district": 300,
         "guangzhou-zengcheng-2020/town": 100},
        {"guangzhou-conghua/city": 300, "guangzhou-conghua/district": 300, "guangzhou-conghua/town": 100},
    ]


def test_the_same_category_key_in_two_schemes_is_two_category_lines(session: Session) -> None:
    report = _month(session)

    assert [(line.scheme_key, line.category_key, line.category_name, line.totals.visits)
            for line in report.by_category] == [
        ("guangzhou-conghua", "age-60-79", "60至79周岁老人（从化区长者饭堂助餐补贴）", 1),
        ("guangzhou-zengcheng-2020", "age-60-79", "60至79周岁老人（增城区长者饭堂助餐配餐补贴（2020））", 1),
    ]
    assert sum(line.totals.subsidy_fen for line in report.by_category) == report.total.subsidy_fen == 1400


def test_the_excel_ledger_has_one_titled_column_per_funder_of_each_scheme(session: Session) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(to_xlsx(_month(session))))

    heads = next(row for row in book["订单明细"].iter_rows(values_only=True) if row[0] == "订单号")
    funder_heads = [h for h in heads if isinstance(h, str) and "财政" in h]
    assert len(funder_heads) == len(set(funder_heads)) == 6
