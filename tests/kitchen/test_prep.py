from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kitchen import PrepRow, SampleRow, build_prep_sheet, sample_checklist
from tests.kitchen.builders import line

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _row(rows: tuple[PrepRow, ...], dish: str, texture: str = "普通", portion: str = "标准") -> PrepRow:
    return next(row for row in rows if (row.dish_name, row.texture, row.portion) == (dish, texture, portion))


def test_the_cook_sees_each_dish_per_texture_and_portion_split_by_how_it_leaves() -> None:
    lines = [
        line(order_key="o1", dish_name="红烧肉", quantity=2),
        line(order_key="o2", dish_name="红烧肉", fulfilment="pickup"),
        line(order_key="o3", dish_name="红烧肉", fulfilment="delivery", route_key="r1", stop_no=1),
        line(
            order_key="o4",
            dish_name="红烧肉",
            texture="糊状",
            fulfilment="delivery",
            route_key="r2",
            stop_no=1,
        ),
        line(order_key="o5", dish_name="红烧肉", portion="小份"),
    ]

    sheet = build_prep_sheet(lines, provisional=False)

    regular = _row(sheet.rows, "红烧肉")
    assert (regular.quantity, regular.dine_in, regular.pickup, regular.delivery) == (4, 2, 1, 1)
    assert regular.by_route == (("r1", 1),)
    assert _row(sheet.rows, "红烧肉", texture="糊状").by_route == (("r2", 1),)
    assert _row(sheet.rows, "红烧肉", portion="小份").quantity == 1
    assert (sheet.total, sheet.dine_in, sheet.pickup, sheet.delivery) == (6, 3, 1, 2)
    assert sheet.routes == ("r1", "r2")
    assert (sheet.order_count, sheet.senior_count) == (5, 1)


def test_cancelled_lines_are_never_cooked() -> None:
    lines = [line(order_key="o1", quantity=3), line(order_key="o2", quantity=5, status="cancelled")]

    sheet = build_prep_sheet(lines, provisional=True)

    assert [row.quantity for row in sheet.rows] == [3]
    assert sheet.order_count == 1


def test_diet_needs_are_counted_inside_the_row_so_the_cook_knows_how_many_boxes_to_make_apart() -> None:
    lines = [
        line(order_key="o1"),
        line(order_key="o2", diet_tags=("低盐",)),
        line(order_key="o3", diet_tags=("低盐", "糖尿病"), quantity=2),
    ]

    sheet = build_prep_sheet(lines, provisional=False)

    assert [(row.quantity, row.diets) for row in sheet.rows] == [(4, (("低盐", 3), ("糖尿病", 2)))]


def test_a_central_kitchen_sees_each_receiving_point() -> None:
    lines = [
        line(order_key="o1", point_key="p2", point_name="真如助餐点", quantity=4),
        line(order_key="o2", point_key="p1", point_name="曹杨助餐点", quantity=2),
    ]

    sheet = build_prep_sheet(lines, provisional=False)

    assert sheet.points == (("p1", "曹杨助餐点"), ("p2", "真如助餐点"))
    assert (sheet.rows[0].point_quantity("p1"), sheet.rows[0].point_quantity("p2")) == (2, 4)
    assert sheet.rows[0].point_quantity("p9") == 0


def test_a_published_plan_decides_the_routes_and_unplanned_delivery_stays_unrouted() -> None:
    lines = [
        line(order_key="o1", fulfilment="delivery", route_key="old", stop_no=1),
        line(order_key="o2", fulfilment="delivery"),
        line(order_key="o3", fulfilment="delivery", quantity=2),
    ]

    sheet = build_prep_sheet(lines, provisional=False, stop_order={"o1": ("r10", 2), "o2": ("r2", 1)})

    assert sheet.rows[0].by_route == (("r2", 1), ("r10", 1), (None, 2))
    assert sheet.routes == ("r2", "r10", None)


def test_rows_are_ordered_by_category_then_dish_then_texture() -> None:
    lines = [
        line(order_key="o1", dish_key="d2", dish_name="炒青菜", category="素菜", texture="碎食"),
        line(order_key="o2", dish_key="d2", dish_name="炒青菜", category="素菜"),
        line(order_key="o3", dish_key="d1", dish_name="红烧肉", category="荤菜"),
    ]

    sheet = build_prep_sheet(lines, provisional=False)

    assert [(row.category, row.dish_name, row.texture) for row in sheet.rows] == [
        ("素菜", "炒青菜", "普通"),
        ("素菜", "炒青菜", "碎食"),
        ("荤菜", "红烧肉", "普通"),
    ]
    assert [(dish.dish_name, dish.quantity) for dish in sheet.dishes] == [("炒青菜", 2), ("红烧肉", 1)]


def test_the_sheet_says_whether_it_is_an_estimate() -> None:
    assert build_prep_sheet([line()], provisional=True).provisional is True
    assert build_prep_sheet([line()], provisional=False).provisional is False


def test_every_dish_gets_one_sample_row_kept_48_hours() -> None:
    sheet = build_prep_sheet(
        [line(dish_key="d1", dish_name="红烧肉"), line(dish_key="d1", dish_name="红烧肉", texture="软食")],
        provisional=False,
    )
    cooked_at = datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)

    rows = sample_checklist(sheet, cooked_at)

    assert rows == (SampleRow("d1", "红烧肉", 125, datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)),)


def test_a_sample_time_without_a_time_zone_is_refused() -> None:
    sheet = build_prep_sheet([line()], provisional=False)

    with pytest.raises(
        ValueError, match=r"cooked_at must be timezone-aware, got datetime.datetime\(2026, 11, 23"
    ):
        sample_checklist(sheet, datetime(2026, 11, 23, 10, 30))


@pytest.mark.parametrize(
    ("stop_order", "message"),
    [
        (
            [("o1", ("r1", 1))],
            "stop_order must be a mapping order_key -> (route_key, stop_no), got <class 'list'>",
        ),
        ({"o1": ("r1",)}, "stop_order['o1'] must be a (route_key, stop_no) pair, got ('r1',)"),
        ({"o1": ("r1", 0)}, "order 'o1': stop_no must be an integer >= 1, got 0"),
        ({"o1": (None, 2)}, "order 'o1': route_key must be a non-empty string, got None"),
        ({"": ("r1", 1)}, "stop_order: order keys must be non-empty strings, got ''"),
    ],
)
def test_a_malformed_stop_order_is_refused(stop_order: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        build_prep_sheet([line()], provisional=False, stop_order=stop_order)  # type: ignore[arg-type]

    assert str(error.value) == message


def test_no_orders_make_an_empty_sheet() -> None:
    sheet = build_prep_sheet([], provisional=True)

    assert (sheet.rows, sheet.dishes, sheet.total, sheet.order_count) == ((), (), 0, 0)
