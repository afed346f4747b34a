from __future__ import annotations

from kitchen import build_special_diet_list
from tests.kitchen.builders import line


def test_only_seniors_with_special_needs_are_listed_one_line_each() -> None:
    lines = [
        line(order_key="o1", senior_key="s1", senior_name="王*华", dish_key="d1", dish_name="红烧肉"),
        line(order_key="o2", senior_key="s2", senior_name="李*明", dish_key="d1", dish_name="红烧肉", texture="糊状"),
        line(order_key="o2", senior_key="s2", senior_name="李*明", dish_key="d3", dish_name="米饭", texture="糊状"),
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

    assert [(e.senior_name, e.textures, e.restrictions, e.quantity) for e in diets.entries] == [
        ("张*英", (), ("无骨无刺",), 1),
        ("李*明", ("糊状",), (), 2),
    ]
    assert [item.dish_name for item in diets.entries[1].items] == ["米饭", "红烧肉"]
    assert diets.senior_count == 2


def test_a_senior_is_listed_once_with_each_diet_tag_printed_once() -> None:
    lines = [
        line(order_key="o1", dish_key="d1", dish_name="红烧肉", diet_tags=("低盐",), senior_restrictions=("低盐",)),
        line(order_key="o1", dish_key="d2", dish_name="青菜", diet_tags=("低盐",), senior_restrictions=("低盐",)),
        line(order_key="o1", dish_key="d3", dish_name="米饭", senior_restrictions=("低盐",)),
    ]

    diets = build_special_diet_list(lines)

    (entry,) = diets.entries
    assert entry.by_diet == (("低盐", ("红烧肉", "青菜")),)
    assert entry.by_texture == ()


def test_mixed_textures_say_which_dish_is_cooked_which_way() -> None:
    lines = [
        line(order_key="o1", dish_key="d1", dish_name="红烧肉", texture="碎食"),
        line(order_key="o1", dish_key="d2", dish_name="米饭"),
    ]

    (entry,) = build_special_diet_list(lines).entries

    assert entry.textures == ("碎食",)
    assert entry.by_texture == (("普通", ("米饭",)), ("碎食", ("红烧肉",)))


def test_the_same_dish_twice_is_one_item_with_its_quantity() -> None:
    lines = [
        line(order_key="o1", dish_key="d1", dish_name="米饭", texture="软食"),
        line(order_key="o2", dish_key="d1", dish_name="米饭", texture="软食", quantity=2),
    ]

    (entry,) = build_special_diet_list(lines).entries

    assert [(item.dish_name, item.quantity) for item in entry.items] == [("米饭", 3)]
    assert [where.order_key for where in entry.destinations] == ["o1", "o2"]


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

    assert [(entry.senior_name, entry.allergy_conflicts) for entry in diets.entries] == [
        ("李*明", ("蛋",)),
        ("王*华", ()),
    ]
    assert diets.entries[0].allergies == ("花生", "蛋")
    assert diets.conflict_count == 1


def test_each_point_of_a_central_kitchen_keeps_its_seniors_together() -> None:
    lines = [
        line(order_key="o1", senior_key="s1", senior_name="甲*", point_key="p2", point_name="闻喜路助餐点",
             texture="软食"),
        line(order_key="o2", senior_key="s2", senior_name="乙*", point_name="彭浦新村长者食堂", texture="软食"),
        line(order_key="o3", senior_key="s3", senior_name="丙*", point_key="p2", point_name="闻喜路助餐点",
             senior_allergies=("蛋",), allergens=("蛋",)),
    ]

    entries = build_special_diet_list(lines).entries

    assert [(e.destinations[0].point_name, e.senior_name) for e in entries] == [
        ("彭浦新村长者食堂", "乙*"),
        ("闻喜路助餐点", "丙*"),
        ("闻喜路助餐点", "甲*"),
    ]


def test_a_cancelled_special_order_is_not_listed() -> None:
    diets = build_special_diet_list([line(texture="碎食", status="cancelled")])

    assert diets.entries == ()


def test_the_cook_sees_where_a_special_box_goes_once_routes_are_published() -> None:
    lines = [line(order_key="o7", fulfilment="delivery", texture="软食")]

    diets = build_special_diet_list(lines, stop_order={"o7": ("r3", 4)})

    where = diets.entries[0].destinations[0]
    assert (where.fulfilment, where.route_key, where.stop_no) == ("delivery", "r3", 4)
