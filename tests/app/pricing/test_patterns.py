"""Each pattern of DOMAIN.md written as data, priced by the same engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.pricing import Usage, full_price, load_scheme, price, scheme_in_force
from tests.app.pricing.builders import SERVICE_DAY, meal, putuo_senior, senior


def scheme_data(categories: list[dict[str, Any]], **subsidy: Any) -> dict[str, Any]:
    return {
        "key": "test-scheme",
        "name": "测试方案",
        "version": 1,
        "effective_from": "2026-01-01",
        "funders": [{"key": "district", "name": "区财政"}, {"key": "town", "name": "街道"}],
        "subsidy": {"funding": [{"funder": "district"}], "categories": categories, **subsidy},
    }


def category(benefit: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"key": "all-60", "name": "60周岁及以上老人", "when": {"min_age": 60}, "benefit": benefit, **extra}


def priced(scheme: dict[str, Any], list_fen: int = 2000, usage: Usage = Usage(), facts=None, **order: Any):
    return price(facts or senior(70), meal(list_fen, **order), usage, load_scheme(scheme))


def test_beijing_style_5_yuan_a_day_only_when_spend_exceeds_5_yuan():
    beijing = scheme_data(
        [category({"kind": "per_day", "amount_fen": 500}, min_spend_fen=501)], slots=["lunch", "dinner"]
    )

    five_yuan = priced(beijing, 500)
    lunch = priced(beijing, 400 + 400)
    dinner_after_a_3_yuan_lunch = priced(beijing, 1200, Usage(day_meals=1, day_fen=300), slot="dinner")

    assert five_yuan.subsidy_fen == 0
    assert lunch.subsidy_fen == 500
    assert dinner_after_a_3_yuan_lunch.subsidy_fen == 200


def test_free_meal_for_special_hardship():
    free = scheme_data([category({"kind": "free"}, when={"economic_status": ["特困"]})])

    breakdown = priced(free, 1800, facts=senior(75, economic_status="特困"))

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (1800, 0)


def test_weekly_meal_cap_like_tianjin():
    tianjin = scheme_data([category({"kind": "fixed", "amount_fen": 300})], caps={"meals_per_week": 5})

    fifth = priced(tianjin, usage=Usage(week_meals=4, week_fen=1200))
    sixth = priced(tianjin, usage=Usage(week_meals=5, week_fen=1500))

    assert (fifth.subsidy_fen, sixth.subsidy_fen) == (300, 0)
    assert sixth.explanation == "本周补贴次数已用完"


def test_monthly_money_cap_pays_only_what_is_left():
    capped = scheme_data([category({"kind": "fixed", "amount_fen": 500})], caps={"fen_per_month": 6000})

    breakdown = priced(capped, usage=Usage(month_meals=12, month_fen=5800))

    assert breakdown.subsidy_fen == 200


def test_spend_threshold_before_the_discount_when_the_scheme_says_so():
    data = scheme_data(
        [category({"kind": "fixed", "amount_fen": 200}, min_spend_fen=1500)],
        threshold_basis="before_discount",
    )
    data["discount"] = {"funder": "town", "tiers": [{"key": "all", "name": "老人", "pay_percent": 90}]}

    breakdown = priced(data, 1600)  # 14.40 after the discount, 16.00 before

    assert (breakdown.discount_fen, breakdown.subsidy_fen, breakdown.payable_fen) == (160, 200, 1240)


def test_subsidy_never_exceeds_the_bill():
    generous = scheme_data([category({"kind": "fixed", "amount_fen": 1000})])

    breakdown = priced(generous, 600)

    assert (breakdown.subsidy_fen, breakdown.payable_fen) == (600, 0)


def test_delivery_fee_is_subsidised_only_when_the_scheme_covers_it():
    covered = scheme_data([category({"kind": "free"})], covers_delivery_fee=True)
    uncovered = scheme_data([category({"kind": "free"})])

    with_fee = priced(covered, 1000, channel="delivery", delivery_fee_fen=300)
    without_fee = priced(uncovered, 1000, channel="delivery", delivery_fee_fen=300)

    assert (with_fee.subsidy_fen, with_fee.payable_fen) == (1300, 0)
    assert (without_fee.subsidy_fen, without_fee.payable_fen) == (1000, 300)


def test_percentage_funding_split_gives_the_rounding_remainder_to_the_rest_taker():
    data = scheme_data([category({"kind": "fixed", "amount_fen": 333})])
    data["subsidy"]["funding"] = [{"funder": "district", "percent": 50}, {"funder": "town"}]

    breakdown = priced(data)

    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("district", 167), ("town", 166)]


def test_a_category_can_have_its_own_funders():
    data = scheme_data([category({"kind": "fixed", "amount_fen": 300}, funding=[{"funder": "town"}])])

    breakdown = priced(data)

    assert [(s.funder_key, s.amount_fen) for s in breakdown.shares] == [("town", 300)]


@pytest.mark.parametrize(
    ("age", "status", "subsidy_fen"),
    [(60, "", 100), (74, "", 100), (75, "", 500), (90, "", 800), (70, "特困", 800), (95, "", 900)],
)
def test_jurong_age_bands_with_hardship_written_as_any_of(age, status, subsidy_fen):
    bands = [
        {
            "key": "95",
            "name": "95周岁及以上",
            "when": {"min_age": 95},
            "benefit": {"kind": "fixed", "amount_fen": 900},
        },
        {
            "key": "85-94-or-hardship",
            "name": "85至94周岁或特困老人",
            "when": {"min_age": 60, "any_of": [{"min_age": 85, "max_age": 94}, {"economic_status": "特困"}]},
            "benefit": {"kind": "fixed", "amount_fen": 800},
        },
        {
            "key": "75-84",
            "name": "75至84周岁",
            "when": {"min_age": 75, "max_age": 84},
            "benefit": {"kind": "fixed", "amount_fen": 500},
        },
        {
            "key": "60-74",
            "name": "60至74周岁",
            "when": {"min_age": 60, "max_age": 74},
            "benefit": {"kind": "fixed", "amount_fen": 100},
        },
    ]
    data = scheme_data(bands, slots=["lunch"])

    breakdown = priced(data, facts=senior(age, economic_status=status))

    assert breakdown.subsidy_fen == subsidy_fen


def test_conditions_on_care_disability_living_alone_and_special_groups():
    when = {
        "min_care_level": 2,
        "disability_level": ["重", "完全"],
        "lives_alone": True,
        "special_groups": ["优抚"],
    }
    data = scheme_data([category({"kind": "fixed", "amount_fen": 400}, when=when)])
    matching = senior(
        70, care_level=3, disability_level="重", lives_alone=True, special_groups=frozenset({"优抚"})
    )
    not_alone = senior(70, care_level=3, disability_level="重", special_groups=frozenset({"优抚"}))

    assert priced(data, facts=matching).subsidy_fen == 400
    assert priced(data, facts=not_alone).subsidy_fen == 0


def test_the_version_in_force_on_the_service_date_prices_the_meal():
    v1 = load_scheme(scheme_data([category({"kind": "fixed", "amount_fen": 300})]))
    v2_data = scheme_data([category({"kind": "fixed", "amount_fen": 400})]) | {
        "version": 2,
        "effective_from": "2027-01-01",
    }
    v2 = load_scheme(v2_data)

    december = scheme_in_force([v1, v2], date(2026, 12, 31))
    january = scheme_in_force([v1, v2], date(2027, 1, 1))

    assert (december, january) == (v1, v2)
    assert scheme_in_force([v1, v2], date(2025, 12, 31)) is None


def test_pricing_with_a_version_not_in_force_is_refused():
    ended = load_scheme(scheme_data([category({"kind": "free"})]) | {"effective_to": "2026-06-30"})

    with pytest.raises(ValueError, match="not in force on 2026-11-23"):
        price(putuo_senior(70), meal(1000, day=SERVICE_DAY), Usage(), ended)


def test_an_order_no_scheme_covers_is_priced_in_full_and_says_why():
    breakdown = full_price(meal(1500, channel="delivery", delivery_fee_fen=300), "该日期没有生效的补贴方案")

    assert (breakdown.list_fen, breakdown.payable_fen, breakdown.scheme_key) == (1800, 1800, "")
    assert breakdown.explanation == "该日期没有生效的补贴方案"


def test_most_generous_means_what_the_senior_receives_after_losing_a_non_local_share():
    data = scheme_data(
        [
            category(
                {"kind": "fixed", "amount_fen": 500},
                key="town-5",
                name="街道补贴",
                funding=[{"funder": "town"}],
            ),
            category({"kind": "fixed", "amount_fen": 300}, key="district-3", name="区补贴"),
        ]
    )
    data["funders"][1]["local_level"] = "town"
    facts = senior(70, residence_city="上海", residence_district="普陀", residence_town="甲街道")

    at_home = priced(data, facts=facts, place=("上海", "普陀", "甲街道"))
    elsewhere = priced(data, facts=facts, place=("上海", "普陀", "乙街道"))

    assert (at_home.category_key, at_home.subsidy_fen) == ("town-5", 500)
    assert (elsewhere.category_key, elsewhere.subsidy_fen) == ("district-3", 300)
