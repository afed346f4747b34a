"""The kitchen's input: one order line, already translated out of the database by the caller."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DINE_IN = "dine_in"
PICKUP = "pickup"
DELIVERY = "delivery"
FULFILMENTS: tuple[str, ...] = (DINE_IN, PICKUP, DELIVERY)

# 质地: IDDSI levels 7 / 6 / 5 / 4.
TEXTURES: tuple[str, ...] = ("普通", "软食", "碎食", "糊状")
REGULAR_TEXTURE = "普通"
PORTIONS: tuple[str, ...] = ("标准", "小份")

CANCELLED = "cancelled"

_REQUIRED_TEXT = (
    "order_key",
    "senior_key",
    "senior_name",
    "point_key",
    "point_name",
    "dish_key",
    "dish_name",
    "status",
)
_TAG_FIELDS = ("diet_tags", "allergens", "senior_allergies", "senior_restrictions")


@dataclass(frozen=True, slots=True)
class KitchenLine:
    """One dish on one order. `senior_name` arrives masked: the kitchen never needs a full name.

    `point_key` is the receiving point (the canteen itself, or one point a central kitchen supplies).
    Tags are normalised to sorted tuples without duplicates, so equal needs compare equal.
    """

    order_key: str
    senior_key: str
    senior_name: str
    point_key: str
    point_name: str
    fulfilment: str
    dish_key: str
    dish_name: str
    texture: str
    portion: str
    quantity: int
    status: str
    category: str = ""
    route_key: str | None = None
    stop_no: int | None = None
    area: str = ""
    building: str = ""
    floor: str = ""
    room: str = ""
    diet_tags: tuple[str, ...] = ()
    allergens: tuple[str, ...] = ()
    senior_allergies: tuple[str, ...] = ()
    senior_restrictions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in _REQUIRED_TEXT:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(
                    f"order line {self.order_key!r}: {name} must be a non-empty string, got {value!r}"
                )
        self._check_choices()
        self._check_quantity()
        self._check_route()
        for name in _TAG_FIELDS:
            object.__setattr__(self, name, _normalise_tags(self.order_key, name, getattr(self, name)))

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    def _check_choices(self) -> None:
        for name, allowed in (("fulfilment", FULFILMENTS), ("texture", TEXTURES), ("portion", PORTIONS)):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(
                    f"order line {self.order_key!r}: {name} must be one of {allowed}, got {value!r}"
                )

    def _check_quantity(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError(
                f"order line {self.order_key!r}: quantity must be an integer >= 1, got {self.quantity!r}"
            )

    def _check_route(self) -> None:
        if self.fulfilment != DELIVERY and (self.route_key is not None or self.stop_no is not None):
            raise ValueError(
                f"order line {self.order_key!r}: only delivery lines have a route, not {self.fulfilment}"
            )
        if self.stop_no is not None and self.route_key is None:
            raise ValueError(
                f"order line {self.order_key!r}: stop_no {self.stop_no} given without a route_key"
            )
        if self.route_key is not None:
            _check_stop(self.order_key, self.route_key, self.stop_no)


def _check_stop(order_key: str, route_key: object, stop_no: object) -> None:
    if not isinstance(route_key, str) or not route_key.strip():
        raise ValueError(f"order {order_key!r}: route_key must be a non-empty string, got {route_key!r}")
    if isinstance(stop_no, bool) or not isinstance(stop_no, int) or stop_no < 1:
        raise ValueError(f"order {order_key!r}: stop_no must be an integer >= 1, got {stop_no!r}")


def _normalise_tags(order_key: str, name: str, tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str) or not isinstance(tags, Iterable):
        raise ValueError(f"order line {order_key!r}: {name} must be a collection of strings, got {tags!r}")
    given = tuple(tags)
    for tag in given:
        if not isinstance(tag, str) or not tag.strip():
            raise ValueError(f"order line {order_key!r}: {name} holds an empty or non-string tag {tag!r}")
    return given if len(given) < 2 else tuple(sorted(set(given)))
