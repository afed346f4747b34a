"""增城 2020: a 12 元 meal; hardship pays 1, 80+ pays 3, 60–79 pays 5; city 3 + district 3 + town the rest,
and a level's share is lost when eating outside that level's area."""

from __future__ import annotations

import pytest

from app.pricing import Usage, builtin_scheme, price
from tests.app.pricing.builders import meal, senior

ZENGCHENG = builtin_scheme("guangzhou-zengcheng-2020")
LICHENG = ("广州", "增城", "荔城街道")
XINTANG = ("广州", "增城", "新塘镇")


def licheng_resident(age: int, **facts):
    return senior(age, residence_city="广州", residence_district="增城", residence_town="荔城街道", **facts)


@pytest.mark.parametrize(
    ("facts", "payable_fen", "shares"),
    [
        (
            licheng_resident(66, economic_status="特困"),
            100,
            [("city", 300), ("district", 300), ("town", 500)],
        ),
        (licheng_resident(85), 300, [("city", 300), ("district", 300), ("town", 300)]),
        (licheng_resident(70), 500, [("city", 300), ("district", 300), ("town", 100)]),
    ],
    ids=["hardship", "80-plus", "60-79"],
)
def test_a_12_yuan_meal_in_ones_own_town(facts, payable_fen, shares):
    breakdown = price(facts, meal(1200, place=LICHENG), Usage(), ZENGCHENG)

    assert breakdown.payable_fen == payable_fen
    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == shares


def test_eating_in_another_town_loses_the_town_share():
    breakdown = price(licheng_resident(85), meal(1200, place=XINTANG), Usage(), ZENGCHENG)

    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("city", 300), ("district", 300)]
    assert breakdown.payable_fen == 600
    assert breakdown.explanation == (
        "80周岁及以上老人，堂食补贴6元（在本镇（街道）以外就餐，镇（街）财政部分不适用）"
    )


def test_a_resident_of_another_district_keeps_only_the_city_share():
    facts = senior(85, residence_city="广州", residence_district="天河", residence_town="石牌街道")

    breakdown = price(facts, meal(1200, place=LICHENG), Usage(), ZENGCHENG)

    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("city", 300)]
    assert breakdown.payable_fen == 900


def test_cheaper_meal_still_leaves_the_senior_their_fixed_part():
    breakdown = price(licheng_resident(70), meal(1000, place=LICHENG), Usage(), ZENGCHENG)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (500, 500)
    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("city", 300), ("district", 200)]


def test_dearer_meal_subsidy_stops_at_the_12_yuan_standard():
    breakdown = price(licheng_resident(85), meal(1500, place=LICHENG), Usage(), ZENGCHENG)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (900, 600)


def test_hardship_beats_age_for_an_85_year_old_on_dibao():
    breakdown = price(
        licheng_resident(85, economic_status="低保"), meal(1200, place=LICHENG), Usage(), ZENGCHENG
    )

    assert (breakdown.category_key, breakdown.payable_fen) == ("hardship", 100)
