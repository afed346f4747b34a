from __future__ import annotations

from kitchen import build_special_diet_list
from tests.kitchen.builders import line


def test_only_seniors_with_special_needs_are_listed_grouped_by_dish() -> None:
    lines = [
        line(order_key="o1", senior_key="s1", senior_name="王*华", dish_key="d1", dish_name="红烧肉"),
        line(
            order_key="o2",
            senior_key="s2",
            senior_name="李*明",
            dish_key="d1",
            dish_name="红烧肉",
            texture="糊状",
        ),
        line(
            order_key="o3",
            senior_key="s3",
            senior_name="张*英",
            dish_key="d2",
            dish_name="清蒸鲈鱼",
            senior_restrictions=("无骨无刺",),
        ),
    ]

    diets = build_special_diet_list(lines)

    assert [(group.dish_name, [entry.senior_name for entry in group.entries]) for group in diets.groups] == [
        ("清蒸鲈鱼", ["张*英"]),
        ("红烧肉", ["李*明"]),
    ]
    assert diets.senior_count == 2


def test_an_allergy_to_something_in_the_dish_is_flagged_and_listed_first() -> None:
    lines = [
        line(order_key="o1", senior_name="王*华", dish_name="番茄炒蛋", allergens=("蛋",), texture="软食"),
        line(
            order_key="o2",
            senior_key="s2",
            senior_name="李*明",
            dish_name="番茄炒蛋",
            allergens=("蛋",),
            senior_allergies=("蛋", "花生"),
        ),
    ]

    diets = build_special_diet_list(lines)

    entries = diets.groups[0].entries
    assert [(entry.senior_name, entry.allergy_conflicts) for entry in entries] == [
        ("李*明", ("蛋",)),
        ("王*华", ()),
    ]
    assert diets.groups[0].allergens == ("蛋",)
    assert diets.conflict_count == 1


def test_a_cancelled_special_order_is_not_listed() -> None:
    diets = build_special_diet_list([line(texture="碎食", status="cancelled")])

    assert diets.groups == ()


def test_the_cook_sees_where_a_special_box_goes_once_routes_are_published() -> None:
    lines = [line(order_key="o7", fulfilment="delivery", texture="软食")]

    diets = build_special_diet_list(lines, stop_order={"o7": ("r3", 4)})

    entry = diets.groups[0].entries[0]
    assert (entry.fulfilment, entry.route_key, entry.stop_no, entry.texture) == ("delivery", "r3", 4, "软食")
