"""Eligibility facts, orders and usage: ages in 周岁, status validity, cap periods."""

from __future__ import annotations

from datetime import date

import pytest

from app.pricing import EligibilityFacts, Line, PriceRequest, Usage, UsageRecord, full_years, usage_from


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1946, 11, 23), date(2026, 11, 22), 79),
        (date(1946, 11, 23), date(2026, 11, 23), 80),
        (date(1948, 2, 29), date(2026, 2, 28), 77),
        (date(1948, 2, 29), date(2026, 3, 1), 78),
    ],
)
def test_age_counts_full_years_on_the_service_date(born, day, age):
    assert full_years(born, day) == age


def test_economic_status_counts_only_inside_its_validity_window():
    facts = EligibilityFacts(
        birth_date=date(1950, 1, 1),
        economic_status="低保",
        economic_status_valid_from=date(2026, 3, 1),
        economic_status_valid_to=date(2026, 12, 31),
    )

    assert [facts.economic_status_on(d) for d in (date(2026, 2, 28), date(2026, 3, 1), date(2027, 1, 1))] == [
        "",
        "低保",
        "",
    ]


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"economic_status": "贫困"}, "economic_status must be one of"),
        ({"disability_level": "重度"}, "disability_level must be one of"),
        ({"care_level": 7}, "care_level must be 0–6 or None, got 7"),
        (
            {"economic_status_valid_from": date(2026, 2, 1), "economic_status_valid_to": date(2026, 1, 1)},
            "valid_to 2026-01-01 is before valid_from 2026-02-01",
        ),
    ],
)
def test_malformed_facts_are_refused(facts, message):
    with pytest.raises(ValueError, match=message):
        EligibilityFacts(birth_date=date(1950, 1, 1), **facts)


def order(**changes) -> dict:
    base = {
        "canteen_key": "c",
        "canteen_city": "上海",
        "canteen_district": "普陀",
        "canteen_town": "",
        "service_date": date(2026, 11, 23),
        "slot": "lunch",
        "channel": "dine_in",
        "lines": (Line("a", "套餐", 1500, 1),),
    }
    return base | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slot": "supper"}, "slot must be one of"),
        ({"channel": "takeaway"}, "channel must be one of"),
        ({"lines": ()}, "an order needs at least one line"),
        ({"delivery_fee_fen": 300}, "a delivery fee only applies to delivery orders, not dine_in"),
        ({"channel": "delivery", "delivery_fee_fen": -1}, "delivery_fee_fen must be >= 0, got -1"),
    ],
)
def test_malformed_orders_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        PriceRequest(**order(**changes))


def test_a_line_needs_a_positive_quantity_and_no_negative_price():
    with pytest.raises(ValueError, match="quantity must be >= 1, got 0"):
        Line("a", "套餐", 1500, 0)
    with pytest.raises(ValueError, match="unit_price_fen must be >= 0, got -5"):
        Line("a", "套餐", -5, 1)


def test_order_total_is_the_sum_of_its_lines():
    request = PriceRequest(**order(lines=(Line("a", "套餐", 1500, 1), Line("b", "豆浆", 150, 2))))

    assert request.food_fen == 1800


def test_usage_sums_earlier_orders_into_slot_day_iso_week_and_month():
    day = date(2026, 12, 1)  # Tuesday; its ISO week started Monday 30 November
    records = [
        UsageRecord(date(2026, 12, 1), "lunch", 300),
        UsageRecord(date(2026, 12, 1), "breakfast", 200),
        UsageRecord(date(2026, 11, 30), "lunch", 300),
        UsageRecord(date(2026, 11, 29), "lunch", 300),
        UsageRecord(date(2026, 12, 20), "lunch", 300),
    ]

    usage = usage_from(records, day, "lunch")

    assert usage == Usage(
        slot_meals=1, day_meals=2, day_fen=500, week_meals=3, week_fen=800, month_meals=3, month_fen=800
    )
