"""Property: whatever the orders, the kitchen's totals are exactly the sum of the active order lines."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kitchen import (
    FULFILMENTS,
    PORTIONS,
    TEXTURES,
    KitchenLine,
    build_labels,
    build_packing,
    build_prep_sheet,
    build_special_diet_list,
)

DISHES = [("d1", "红烧肉"), ("d2", "炒青菜"), ("d3", "紫菜蛋汤"), ("d4", "米饭")]
POINTS = [("p1", "曹杨助餐点"), ("p2", "真如助餐点")]


@st.composite
def orders(draw: st.DrawFn) -> list[KitchenLine]:
    """Random orders of one to four dishes; each line may be cancelled on its own."""
    lines: list[KitchenLine] = []
    for number in range(draw(st.integers(0, 25))):
        point_key, point_name = draw(st.sampled_from(POINTS))
        fulfilment = draw(st.sampled_from(FULFILMENTS))
        allergies = draw(st.sampled_from([(), ("蛋",)]))
        for dish_key, dish_name in draw(st.lists(st.sampled_from(DISHES), min_size=1, max_size=4)):
            lines.append(
                KitchenLine(
                    order_key=f"o{number}",
                    senior_key=f"s{number % 7}",
                    senior_name="李*明",
                    point_key=point_key,
                    point_name=point_name,
                    fulfilment=fulfilment,
                    dish_key=dish_key,
                    dish_name=dish_name,
                    texture=draw(st.sampled_from(TEXTURES)),
                    portion=draw(st.sampled_from(PORTIONS)),
                    quantity=draw(st.integers(1, 3)),
                    status=draw(st.sampled_from(["confirmed", "confirmed", "cancelled"])),
                    diet_tags=draw(st.sampled_from([(), ("低盐",), ("糖尿病",)])),
                    allergens=("蛋",) if dish_key == "d3" else (),
                    senior_allergies=allergies,
                    area=f"片区{number % 3}",
                    building=f"{number % 5}号楼",
                )
            )
    return lines


def _stop_order(lines: list[KitchenLine], data: st.DataObject) -> dict[str, tuple[str, int]]:
    delivery = sorted({line.order_key for line in lines if line.fulfilment == "delivery"})
    planned = data.draw(st.lists(st.sampled_from(delivery), unique=True) if delivery else st.just([]))
    return {key: (data.draw(st.sampled_from(["r1", "r2"])), stop) for stop, key in enumerate(planned, 1)}


def _expected(lines: list[KitchenLine]) -> Counter[tuple[object, ...]]:
    expected: Counter[tuple[object, ...]] = Counter()
    for line in lines:
        if line.status != "cancelled":
            expected[(line.dish_key, line.texture, line.portion)] += line.quantity
    return expected


@settings(max_examples=100, deadline=None)
@given(lines=orders(), data=st.data())
def test_prep_totals_equal_the_sum_of_the_active_lines(lines: list[KitchenLine], data: st.DataObject) -> None:
    stop_order = data.draw(st.sampled_from([None, _stop_order(lines, data)]))

    sheet = build_prep_sheet(lines, provisional=False, stop_order=stop_order)

    got = Counter({(row.dish_key, row.texture, row.portion): row.quantity for row in sheet.rows})
    assert got == _expected(lines)
    assert sheet.total == sum(_expected(lines).values())
    for row in sheet.rows:
        assert row.quantity == row.dine_in + row.pickup + row.delivery == sum(q for _, q in row.by_point)
        assert row.delivery == sum(q for _, q in row.by_route)
    assert sum(dish.quantity for dish in sheet.dishes) == sheet.total
    diet_totals: Counter[str] = Counter()
    for row in sheet.rows:
        diet_totals.update(dict(row.diets))
        assert all(count <= row.quantity for _, count in row.diets)
    active = [line for line in lines if line.status != "cancelled"]
    assert diet_totals == Counter(
        {t: sum(x.quantity for x in active if t in x.diet_tags) for t in ("低盐", "糖尿病")}
    )


@settings(max_examples=100, deadline=None)
@given(lines=orders(), data=st.data())
def test_packing_and_labels_hold_every_active_order_once(
    lines: list[KitchenLine], data: st.DataObject
) -> None:
    stop_order = data.draw(st.sampled_from([None, _stop_order(lines, data)]))
    active_orders = {line.order_key for line in lines if line.status != "cancelled"}

    plan = build_packing(lines, stop_order=stop_order)
    labels = build_labels(plan, cooked_at=datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")))

    assert sorted(bag.order_key for bag in plan.bags) == sorted(active_orders)
    assert sum(packing.meal_count for packing in plan.lists) == sum(_expected(lines).values())
    for packing in plan.lists:
        assert packing.meal_count == sum(bag.meals for bag in packing.bags)
        if packing.kind == "route":
            stops = [bag.stop_no or 0 for bag in packing.bags]
            assert stops == sorted(stops) and {bag.route_key for bag in packing.bags} == {packing.route_key}
    assert [label.order_key for label in labels] == [
        b.order_key for b in plan.bags if b.fulfilment != "dine_in"
    ]


@settings(max_examples=100, deadline=None)
@given(lines=orders())
def test_the_special_diet_list_holds_every_special_active_line(lines: list[KitchenLine]) -> None:
    active = [line for line in lines if line.status != "cancelled"]
    special_seniors = {
        line.senior_key
        for line in active
        if line.texture != "普通" or line.senior_allergies or line.senior_restrictions
    }

    diets = build_special_diet_list(lines)

    assert sorted(entry.senior_key for entry in diets.entries) == sorted(special_seniors)
    assert sum(entry.quantity for entry in diets.entries) == sum(
        line.quantity for line in active if line.senior_key in special_seniors
    )
