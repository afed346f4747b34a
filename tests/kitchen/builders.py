"""A plain builder for kitchen lines: each test names only the fields its story is about."""

from __future__ import annotations

from typing import Any

from kitchen import KitchenLine

_DEFAULTS: dict[str, Any] = {
    "order_key": "o1",
    "senior_key": "s1",
    "senior_name": "王*华",
    "point_key": "p1",
    "point_name": "曹杨新村长者食堂",
    "fulfilment": "dine_in",
    "dish_key": "d1",
    "dish_name": "红烧肉",
    "category": "荤菜",
    "texture": "普通",
    "portion": "标准",
    "quantity": 1,
    "status": "confirmed",
}


def line(**fields: Any) -> KitchenLine:
    """A valid line; a delivery line gets an address unless the test gives one."""
    values = {**_DEFAULTS, **fields}
    if values["fulfilment"] == "delivery":
        values.setdefault("area", "曹杨一村")
        values.setdefault("building", "5号楼")
        values.setdefault("floor", "3层")
        values.setdefault("room", "302室")
    return KitchenLine(**values)
