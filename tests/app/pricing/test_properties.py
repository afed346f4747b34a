"""Invariants over random schemes, seniors and sequences of orders and cancellations: payable ≥ 0,
list = discount + subsidies + payable, and no cap is ever exceeded by the orders still standing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.pricing import (
    BUILTIN_SCHEME_KEYS,
    EligibilityFacts,
    Line,
    PriceBreakdown,
    PriceRequest,
    Scheme,
    UsageRecord,
    builtin_scheme_data,
    load_scheme,
    price,
    usage_from,
)

FIRST_DAY = date(2026, 11, 20)
TOWNS = ("甲街道", "乙镇")
optional_count = st.none() | st.integers(0, 3)
optional_fen = st.none() | st.integers(0, 2000)


@st.composite
def benefits(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["fixed", "per_day", "percent", "free", "pay_fixed"]))
    benefit: dict[str, Any] = {"kind": kind}
    if kind in ("fixed", "per_day"):
        benefit["amount_fen"] = draw(st.integers(0, 1500))
    if kind == "percent":
        benefit["percent"] = str(draw(st.decimals("0.01", "100", places=2)))
    if kind == "pay_fixed":
        benefit["pays_fen"] = draw(st.integers(0, 1000))
    if draw(st.booleans()):
        benefit["cap_fen"] = draw(st.integers(0, 1500))
    return benefit


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    """A shipped scheme, or a random valid one: 1–3 categories, any caps, maybe a discount, local funders."""
    if draw(st.booleans()):
        return load_scheme(builtin_scheme_data(draw(st.sampled_from(BUILTIN_SCHEME_KEYS))) | {"area": {}})
    caps_names = ["meals_per_slot", "meals_per_day", "meals_per_week", "meals_per_month"]
    caps = {name: draw(optional_count) for name in caps_names}
    caps |= {
        name: draw(optional_fen) for name in ("fen_per_meal", "fen_per_day", "fen_per_week", "fen_per_month")
    }
    categories = [
        {
            "key": f"c{i}",
            "name": f"类别{i}",
            "when": {"min_age": draw(st.integers(55, 90))},
            "benefit": draw(benefits()),
            "min_spend_fen": draw(st.integers(0, 1500)),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    data: dict[str, Any] = {
        "key": "random",
        "name": "随机方案",
        "version": 1,
        "effective_from": "2026-01-01",
        "funders": [
            {"key": "city", "name": "市", "local_level": draw(st.sampled_from([None, "city", "district"]))},
            {"key": "town", "name": "镇", "local_level": draw(st.sampled_from([None, "town"]))},
        ],
        "subsidy": {
            "threshold_basis": draw(st.sampled_from(["before_discount", "after_discount"])),
            "covers_delivery_fee": draw(st.booleans()),
            "caps": {k: v for k, v in caps.items() if v is not None},
            "funding": [{"funder": "city", "amount_fen": draw(st.integers(0, 500))}, {"funder": "town"}],
            "categories": categories,
        },
    }
    if draw(st.booleans()):
        tier = {"key": "t", "name": "折扣", "when": {"min_age": 60}, "pay_percent": draw(st.integers(1, 100))}
        data["discount"] = {"funder": "town", "tiers": [tier]}
    return load_scheme(data)


seniors = st.builds(
    EligibilityFacts,
    birth_date=st.dates(date(1920, 1, 1), date(1970, 12, 31)),
    hukou_city=st.sampled_from(["上海", "广州", "北京"]),
    residence_city=st.sampled_from(["上海", "广州"]),
    residence_district=st.sampled_from(["普陀", "增城"]),
    residence_town=st.sampled_from(TOWNS),
    economic_status=st.sampled_from(["", "低保", "低收入", "特困"]),
)


@dataclass(frozen=True)
class Place:
    day_offset: int
    slot: str
    channel: str
    price_fen: int
    town: str


@dataclass(frozen=True)
class Cancel:
    index: int


places = st.builds(
    Place,
    day_offset=st.integers(0, 40),
    slot=st.sampled_from(["breakfast", "lunch", "dinner"]),
    channel=st.sampled_from(["dine_in", "pickup", "delivery"]),
    price_fen=st.integers(0, 3000),
    town=st.sampled_from(TOWNS),
)
steps = st.lists(places | st.builds(Cancel, index=st.integers(0, 50)), min_size=1, max_size=30)


def request_for(step: Place, facts: EligibilityFacts) -> PriceRequest:
    fee = 300 if step.channel == "delivery" else 0
    return PriceRequest(
        canteen_key="c",
        canteen_city=facts.residence_city,
        canteen_district=facts.residence_district,
        canteen_town=step.town,
        service_date=FIRST_DAY + timedelta(days=step.day_offset),
        slot=step.slot,
        channel=step.channel,
        lines=(Line("a", "套餐", step.price_fen, 1),),
        delivery_fee_fen=fee,
    )


def assert_balanced(breakdown: PriceBreakdown) -> None:
    assert breakdown.payable_fen >= 0
    assert breakdown.list_fen == breakdown.discount_fen + breakdown.subsidy_fen + breakdown.payable_fen
    assert breakdown.subsidy_fen == sum(share.amount_fen for share in breakdown.shares)
    assert breakdown.subsidy_fen <= breakdown.list_fen - breakdown.discount_fen


def assert_caps_hold(scheme: Scheme, standing: list[tuple[PriceRequest, PriceBreakdown]]) -> None:
    """Recount the standing orders per period, independently of `usage_from`."""
    assert scheme.subsidy is not None
    caps = scheme.subsidy.caps
    totals: dict[tuple[str, object], list[int]] = defaultdict(lambda: [0, 0])
    for request, breakdown in standing:
        d = request.service_date
        periods: list[tuple[str, object]] = [
            ("slot", (d, request.slot)),
            ("day", d),
            ("week", d.isocalendar()[:2]),
            ("month", d.strftime("%Y-%m")),
        ]
        for period in periods:
            totals[period][0] += breakdown.subsidised_meals
            totals[period][1] += breakdown.subsidy_fen
        if caps.fen_per_meal is not None:
            assert breakdown.subsidy_fen <= caps.fen_per_meal
    for (name, _), (meals, fen) in totals.items():
        meal_cap = getattr(caps, f"meals_per_{name}")
        fen_cap = getattr(caps, f"fen_per_{name}", None)
        assert meal_cap is None or meals <= meal_cap
        assert fen_cap is None or fen <= fen_cap


@settings(max_examples=300, deadline=None)
@given(scheme=schemes(), facts=seniors, steps=steps)
def test_no_sequence_of_orders_and_cancellations_breaks_the_invariants(scheme, facts, steps):
    standing: list[tuple[PriceRequest, PriceBreakdown]] = []
    for step in steps:
        if isinstance(step, Cancel):
            if standing:
                standing.pop(step.index % len(standing))
            continue
        request = request_for(step, facts)
        records = [
            UsageRecord(r.service_date, r.slot, b.subsidy_fen, b.subsidised_meals) for r, b in standing
        ]
        breakdown = price(facts, request, usage_from(records, request.service_date, request.slot), scheme)

        standing.append((request, breakdown))

        assert_balanced(breakdown)
        assert_caps_hold(scheme, standing)
