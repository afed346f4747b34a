from __future__ import annotations

from typing import Any

import pytest

from tests.kitchen.builders import line


def test_tags_are_sorted_and_deduplicated_so_equal_needs_compare_equal() -> None:
    first = line(diet_tags=["糖尿病", "低盐", "低盐"], allergens=("蛋", "鱼"))
    second = line(diet_tags=("低盐", "糖尿病"), allergens=frozenset({"鱼", "蛋"}))

    assert first.diet_tags == ("低盐", "糖尿病")
    assert first == second


def test_a_cancelled_line_knows_it_is_cancelled() -> None:
    assert line(status="cancelled").cancelled is True
    assert line(status="confirmed").cancelled is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"order_key": ""}, "order line '': order_key must be a non-empty string, got ''"),
        ({"senior_name": "  "}, "order line 'o1': senior_name must be a non-empty string, got '  '"),
        ({"dish_key": None}, "order line 'o1': dish_key must be a non-empty string, got None"),
        (
            {"fulfilment": "takeaway"},
            "order line 'o1': fulfilment must be one of ('dine_in', 'pickup', 'delivery'), got 'takeaway'",
        ),
        (
            {"texture": "流食"},
            "order line 'o1': texture must be one of ('普通', '软食', '碎食', '糊状'), got '流食'",
        ),
        ({"portion": "大份"}, "order line 'o1': portion must be one of ('标准', '小份'), got '大份'"),
        ({"quantity": 0}, "order line 'o1': quantity must be an integer >= 1, got 0"),
        ({"quantity": 1.5}, "order line 'o1': quantity must be an integer >= 1, got 1.5"),
        ({"quantity": True}, "order line 'o1': quantity must be an integer >= 1, got True"),
        ({"route_key": "r1", "stop_no": 1}, "order line 'o1': only delivery lines have a route, not dine_in"),
        (
            {"fulfilment": "delivery", "stop_no": 3},
            "order line 'o1': stop_no 3 given without a route_key",
        ),
        (
            {"fulfilment": "delivery", "route_key": "r1", "stop_no": 0},
            "order 'o1': stop_no must be an integer >= 1, got 0",
        ),
        (
            {"fulfilment": "delivery", "route_key": "", "stop_no": 2},
            "order 'o1': route_key must be a non-empty string, got ''",
        ),
        ({"allergens": "鱼"}, "order line 'o1': allergens must be a collection of strings, got '鱼'"),
        (
            {"senior_allergies": None},
            "order line 'o1': senior_allergies must be a collection of strings, got None",
        ),
        (
            {"senior_restrictions": ("无骨", 3)},
            "order line 'o1': senior_restrictions holds an empty or non-string tag 3",
        ),
        ({"diet_tags": ("低盐", "")}, "order line 'o1': diet_tags holds an empty or non-string tag ''"),
    ],
)
def test_malformed_lines_are_refused_with_a_precise_message(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        line(**fields)

    assert str(error.value) == message


def test_a_delivery_line_may_wait_for_its_route() -> None:
    waiting = line(fulfilment="delivery")

    assert (waiting.route_key, waiting.stop_no) == (None, None)
