"""Guangzhou city 长者饭堂: 25 % of the meal, at most 3 元, lunch and dinner, once per person per meal."""

from __future__ import annotations

from app.pricing import Usage, builtin_scheme, price
from tests.app.pricing.builders import meal, senior

GUANGZHOU = builtin_scheme("guangzhou-city")
TIANHE = ("广州", "天河", "石牌街道")


def gz_senior(age: int, **facts):
    return senior(age, hukou_city="广州", residence_city="广州", residence_district="天河", **facts)


def test_quarter_of_an_8_yuan_lunch_is_subsidised():
    breakdown = price(gz_senior(70), meal(800, place=TIANHE), Usage(), GUANGZHOU)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (200, 600)
    assert breakdown.explanation == "60周岁及以上广州户籍老人，堂食补贴2元"
    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("guangzhou-city", 200)]


def test_subsidy_is_capped_at_3_yuan():
    breakdown = price(gz_senior(70), meal(1500, place=TIANHE), Usage(), GUANGZHOU)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (300, 1200)


def test_quarter_rounds_half_up_to_the_fen():
    breakdown = price(gz_senior(70), meal(1002, place=TIANHE), Usage(), GUANGZHOU)  # 2.505 元 → 2.51

    assert breakdown.subsidy_fen == 251


def test_breakfast_is_not_subsidised():
    breakdown = price(gz_senior(70), meal(800, slot="breakfast", place=TIANHE), Usage(), GUANGZHOU)

    assert (breakdown.subsidy_fen, breakdown.explanation) == (0, "补贴仅限午餐、晚餐")


def test_lunch_and_dinner_are_each_subsidised_once():
    after_lunch = Usage(day_meals=1, day_fen=200, week_meals=1, week_fen=200, month_meals=1, month_fen=200)

    dinner = price(gz_senior(70), meal(800, slot="dinner", place=TIANHE), after_lunch, GUANGZHOU)
    second_lunch = price(
        gz_senior(70), meal(800, place=TIANHE), Usage(slot_meals=1, day_meals=1, day_fen=200), GUANGZHOU
    )

    assert dinner.subsidy_fen == 200
    assert (second_lunch.subsidy_fen, second_lunch.explanation) == (0, "本餐次已享受过补贴")


def test_delivered_meal_is_subsidised_but_not_its_delivery_fee():
    order = meal(1000, channel="delivery", delivery_fee_fen=300, place=TIANHE)

    breakdown = price(gz_senior(70), order, Usage(), GUANGZHOU)

    assert (breakdown.list_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (1300, 250, 1050)
    assert breakdown.explanation == "60周岁及以上广州户籍老人，送餐补贴2.50元"


def test_senior_without_guangzhou_hukou_pays_in_full():
    facts = senior(75, hukou_city="湛江", residence_city="广州")

    breakdown = price(facts, meal(800, place=TIANHE), Usage(), GUANGZHOU)

    assert breakdown.payable_fen == 800
