"""The default scheme, 上海市普陀区 折扣 + 堂食补贴: DOMAIN.md's worked examples and its rules."""

from __future__ import annotations

from datetime import date

import pytest

from app.pricing import Usage, builtin_scheme, price
from tests.app.pricing.builders import meal, putuo_senior, senior

PUTUO = builtin_scheme("shanghai-putuo")
NO_USAGE = Usage()


@pytest.mark.parametrize(
    ("facts", "list_fen", "payable_fen"),
    [
        (putuo_senior(65), 2000, 1600),
        (putuo_senior(85), 2000, 1400),
        (putuo_senior(72, economic_status="低保"), 1000, 400),
        (putuo_senior(82, economic_status="低保"), 2000, 1200),
        (putuo_senior(70, hukou="江苏"), 2000, 1800),
    ],
    ids=["65-hukou", "85-hukou", "72-hukou-dibao", "82-hukou-dibao", "70-non-shanghai-hukou"],
)
def test_worked_examples_from_the_district_notice(facts, list_fen, payable_fen):
    breakdown = price(facts, meal(list_fen), NO_USAGE, PUTUO)

    assert breakdown.payable_fen == payable_fen


def test_an_85_year_old_sees_the_discount_and_the_subsidy_explained():
    breakdown = price(putuo_senior(85), meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.discount_fen, breakdown.subsidy_fen) == (300, 300)
    assert breakdown.explanation == "80周岁及以上普陀居民，八五折；80周岁及以上本市户籍老人，堂食补贴3元"
    assert (breakdown.category_key, breakdown.category_name) == ("c-age-80-plus", "80周岁及以上本市户籍老人")
    assert (breakdown.discount_funder_key, breakdown.discount_funder_name) == ("operator", "食堂运营方")
    assert [(s.funder_key, s.funder_name, s.amount_fen) for s in breakdown.shares] == [
        ("putuo-district", "普陀区财政", 300)
    ]
    assert (breakdown.scheme_key, breakdown.scheme_version) == ("shanghai-putuo", 1)


def test_dibao_senior_gets_the_larger_dibao_subsidy_not_the_age_one():
    breakdown = price(putuo_senior(82, economic_status="低保"), meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.category_key, breakdown.subsidy_fen) == ("a-dibao", 500)


def test_non_shanghai_hukou_gets_the_discount_only():
    breakdown = price(putuo_senior(70, hukou="江苏"), meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.category_key) == (200, 0, "")
    assert breakdown.explanation == "60至79周岁普陀居民，九折"


def test_shanghai_hukou_living_in_another_district_gets_the_subsidy_but_not_the_discount():
    facts = senior(70, hukou_city="上海", residence_city="上海", residence_district="静安")

    breakdown = price(facts, meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (0, 200, 1800)


def test_spend_threshold_is_measured_after_the_discount():
    breakdown = price(putuo_senior(70), meal(1600), NO_USAGE, PUTUO)  # 16.00 → 14.40 after 九折, under 15

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (160, 0, 1440)
    assert breakdown.explanation == "60至79周岁普陀居民，九折；60至79周岁本市户籍老人：折后消费满15元可享补贴"


def test_discount_rounds_half_up_to_the_fen_once():
    breakdown = price(putuo_senior(85), meal(1010), NO_USAGE, PUTUO)  # 10.10 × 85 % = 8.585 → 8.59

    assert (breakdown.discount_fen, breakdown.payable_fen) == (151, 859)


def test_second_order_on_the_same_day_gets_no_subsidy():
    used_lunch = Usage(day_meals=1, day_fen=300, week_meals=1, week_fen=300, month_meals=1, month_fen=300)

    breakdown = price(putuo_senior(85), meal(2000, slot="dinner"), used_lunch, PUTUO)

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (300, 0, 1700)
    assert breakdown.subsidised_meals == 0
    assert breakdown.explanation == "80周岁及以上普陀居民，八五折；今日补贴次数已用完"


def test_delivery_gets_neither_discount_nor_subsidy_and_pays_the_fee():
    order = meal(2000, channel="delivery", delivery_fee_fen=300)

    breakdown = price(putuo_senior(85), order, NO_USAGE, PUTUO)

    assert (breakdown.list_fen, breakdown.discount_fen, breakdown.subsidy_fen) == (2300, 0, 0)
    assert breakdown.payable_fen == 2300
    assert breakdown.explanation == "80周岁及以上普陀居民的折扣仅限堂食；补贴仅限堂食"


def test_under_60_pays_the_list_price():
    breakdown = price(putuo_senior(59), meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.payable_fen, breakdown.explanation) == (2000, "按原价计费")


def test_turning_80_on_the_service_date_counts():
    breakdown = price(putuo_senior(80), meal(2000), NO_USAGE, PUTUO)

    assert (breakdown.discount_key, breakdown.category_key) == ("age-80-plus-resident", "c-age-80-plus")


def test_canteen_outside_putuo_is_not_priced_by_the_putuo_scheme():
    order = meal(2000, place=("上海", "静安", "南京西路街道"))

    breakdown = price(putuo_senior(85), order, NO_USAGE, PUTUO)

    assert breakdown.payable_fen == 2000
    assert breakdown.explanation == "本食堂不在上海市普陀区长者食堂折扣与堂食补贴范围内，按原价计费"


def test_dibao_that_expired_before_the_service_date_no_longer_counts():
    facts = putuo_senior(72, economic_status="低保", economic_status_valid_to=date(2026, 10, 31))

    breakdown = price(facts, meal(1000), NO_USAGE, PUTUO)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (0, 900)
