from __future__ import annotations

import pytest

from kitchen import LoadLine, RouteInfo, build_packing
from tests.kitchen.builders import line


def _delivery(order: str, **fields: object) -> list:
    return [line(order_key=order, senior_key=f"s-{order}", fulfilment="delivery", **fields)]


def test_before_routes_are_published_delivery_bags_are_grouped_by_area_in_address_order() -> None:
    lines = (
        _delivery("o1", area="曹杨一村", building="12号楼", room="101室")
        + _delivery("o2", area="曹杨一村", building="2号楼", room="502室")
        + _delivery("o3", area="兰溪路", building="1号楼", room="101室")
    )

    plan = build_packing(lines)

    assert plan.published is False
    assert [(p.kind, p.area, [bag.order_key for bag in p.bags]) for p in plan.deliveries] == [
        ("area", "兰溪路", ["o3"]),
        ("area", "曹杨一村", ["o2", "o1"]),
    ]


def test_once_published_each_route_lists_its_bags_in_stop_order_with_driver_and_vehicle() -> None:
    lines = _delivery("o1") + _delivery("o2") + _delivery("o3") + _delivery("o4")
    stop_order = {"o1": ("r1", 3), "o2": ("r1", 1), "o3": ("r2", 1), "o4": ("r1", 2)}
    routes = {"r2": RouteInfo("二号线", driver="周师傅", vehicle="电动车 07"), "r1": RouteInfo("一号线")}

    plan = build_packing(lines, stop_order=stop_order, routes=routes)

    assert plan.published is True
    assert [(p.route_name, p.driver, p.vehicle) for p in plan.deliveries] == [
        ("二号线", "周师傅", "电动车 07"),
        ("一号线", "", ""),
    ]
    assert [(bag.stop_no, bag.order_key) for bag in plan.deliveries[1].bags] == [
        (1, "o2"),
        (2, "o4"),
        (3, "o1"),
    ]


def test_a_delivery_the_plan_does_not_hold_is_packed_apart_so_nobody_forgets_it() -> None:
    lines = _delivery("o1") + _delivery("late")

    plan = build_packing(lines, stop_order={"o1": ("r1", 1)})

    assert [(p.kind, [bag.order_key for bag in p.bags]) for p in plan.deliveries] == [
        ("route", ["o1"]),
        ("unrouted", ["late"]),
    ]


def test_a_route_without_route_info_is_named_by_its_key_in_natural_order() -> None:
    lines = _delivery("o1") + _delivery("o2")

    plan = build_packing(lines, stop_order={"o1": ("r10", 1), "o2": ("r9", 1)})

    assert [p.route_name for p in plan.deliveries] == ["r9", "r10"]


def test_the_load_totals_what_a_driver_takes_and_the_bag_merges_repeated_dishes() -> None:
    lines = [
        line(order_key="o1", fulfilment="delivery", dish_name="红烧肉", quantity=1),
        line(order_key="o1", fulfilment="delivery", dish_name="红烧肉", quantity=1),
        line(order_key="o4", senior_key="s4", fulfilment="delivery", dish_name="红烧肉", diet_tags=("低盐",)),
        line(order_key="o1", fulfilment="delivery", dish_key="d2", dish_name="米饭", portion="小份"),
        line(order_key="o2", senior_key="s2", fulfilment="delivery", dish_name="红烧肉", texture="软食"),
        line(order_key="o3", senior_key="s3", fulfilment="delivery", dish_name="红烧肉", status="cancelled"),
    ]

    plan = build_packing(
        lines, stop_order={"o1": ("r1", 1), "o2": ("r1", 2), "o3": ("r1", 3), "o4": ("r1", 4)}
    )

    route = plan.deliveries[0]
    assert route.load == (
        LoadLine("米饭", "普通", "小份", (), 1),
        LoadLine("红烧肉", "普通", "标准", (("低盐", 1),), 3),
        LoadLine("红烧肉", "软食", "标准", (), 1),
    )
    assert (route.bag_count, route.meal_count) == (3, 5)
    assert [(item.dish_name, item.quantity) for item in route.bags[0].items] == [("米饭", 1), ("红烧肉", 2)]


def test_pickup_and_dine_in_get_their_own_lists_per_receiving_point() -> None:
    lines = [
        line(order_key="o1", fulfilment="pickup", point_key="p2", point_name="真如助餐点"),
        line(order_key="o2", senior_key="s2", fulfilment="pickup", point_key="p1", point_name="曹杨助餐点"),
        line(order_key="o3", senior_key="s3", fulfilment="dine_in"),
    ]

    plan = build_packing(lines)

    assert [(p.kind, p.point_name) for p in plan.lists] == [
        ("pickup", "曹杨助餐点"),
        ("pickup", "真如助餐点"),
        ("dine_in", "曹杨新村长者食堂"),
    ]


def test_a_bag_flags_allergens_the_senior_reacts_to() -> None:
    lines = [
        line(fulfilment="pickup", dish_name="番茄炒蛋", allergens=("蛋",), senior_allergies=("蛋", "虾")),
        line(
            fulfilment="pickup",
            dish_key="d2",
            dish_name="花卷",
            allergens=("小麦",),
            senior_allergies=("蛋", "虾"),
        ),
    ]

    bag = build_packing(lines).bags[0]

    assert (bag.allergens, bag.allergy_conflicts) == (("小麦", "蛋"), ("蛋",))


def test_lines_of_one_order_that_disagree_on_the_address_are_refused() -> None:
    lines = [line(fulfilment="delivery", room="302室"), line(fulfilment="delivery", room="303室")]

    with pytest.raises(ValueError, match=r"^order 'o1': lines disagree on room \('302室' vs '303室'\)$"):
        build_packing(lines)
