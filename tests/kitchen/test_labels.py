from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kitchen import RouteInfo, build_labels, build_packing, eat_by
from tests.kitchen.builders import line

SHANGHAI = ZoneInfo("Asia/Shanghai")
COOKED = datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)


def test_food_is_eaten_within_two_hours_or_four_when_hot_held() -> None:
    assert eat_by(COOKED, hot_held=False) == datetime(2026, 11, 23, 12, 30, tzinfo=SHANGHAI)
    assert eat_by(COOKED, hot_held=True) == datetime(2026, 11, 23, 14, 30, tzinfo=SHANGHAI)


def test_a_label_time_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^cooked_at must be timezone-aware"):
        eat_by(datetime(2026, 11, 23, 10, 30), hot_held=False)


def test_labels_follow_the_route_stop_order_the_driver_sees() -> None:
    lines = [
        line(order_key="o1", senior_key="s1", senior_name="王*华", fulfilment="delivery", building="5号楼"),
        line(order_key="o2", senior_key="s2", senior_name="李*明", fulfilment="delivery", building="7号楼"),
        line(order_key="o3", senior_key="s3", fulfilment="dine_in"),
    ]
    plan = build_packing(
        lines, stop_order={"o1": ("r1", 2), "o2": ("r1", 1)}, routes={"r1": RouteInfo("一号线")}
    )

    labels = build_labels(plan, cooked_at=COOKED, hot_held=True)

    assert [
        (lb.route_name, lb.stop_no, lb.senior_name, lb.building, lb.sequence, lb.list_size) for lb in labels
    ] == [
        ("一号线", 1, "李*明", "7号楼", 1, 2),
        ("一号线", 2, "王*华", "5号楼", 2, 2),
    ]
    assert {(lb.cooked_at, lb.eat_by, lb.hot_held) for lb in labels} == {
        (COOKED, datetime(2026, 11, 23, 14, 30, tzinfo=SHANGHAI), True)
    }


def test_a_label_carries_texture_and_diet_flags_and_allergens() -> None:
    lines = [
        line(fulfilment="pickup", dish_name="红烧肉", texture="软食", diet_tags=("低盐",)),
        line(fulfilment="pickup", dish_key="d2", dish_name="南瓜粥", texture="糊状", diet_tags=("糖尿病",)),
        line(fulfilment="pickup", dish_key="d3", dish_name="番茄炒蛋", allergens=("蛋",)),
    ]

    label = build_labels(build_packing(lines), cooked_at=COOKED)[0]

    assert [(item.dish_name, item.flags) for item in label.items] == [
        ("南瓜粥", ("糊", "糖尿病")),
        ("番茄炒蛋", ()),
        ("红烧肉", ("软", "低盐")),
    ]
    assert label.flags == ("糊", "糖尿病", "软", "低盐")
    assert (label.allergens, label.allergy_conflicts) == (("蛋",), ())
    assert label.eat_by == datetime(2026, 11, 23, 12, 30, tzinfo=SHANGHAI)


def test_dine_in_gets_labels_only_when_asked() -> None:
    plan = build_packing([line(fulfilment="dine_in")])

    assert build_labels(plan, cooked_at=COOKED) == ()
    assert len(build_labels(plan, cooked_at=COOKED, include_dine_in=True)) == 1
