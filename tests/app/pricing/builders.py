"""Small builders for pricing tests: a senior aged N on the service date, an order of one set meal."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.pricing import EligibilityFacts, Line, PriceRequest

SERVICE_DAY = date(2026, 11, 23)  # a Monday


def senior(age: int, *, on: date = SERVICE_DAY, **facts: Any) -> EligibilityFacts:
    """A senior who turned `age` exactly on `on` (birthdays are the edge case that matters)."""
    return EligibilityFacts(birth_date=date(on.year - age, on.month, on.day), **facts)


def putuo_senior(age: int, *, hukou: str = "上海", **facts: Any) -> EligibilityFacts:
    where = {"residence_city": "上海", "residence_district": "普陀", "residence_town": "长寿路街道"}
    return senior(age, hukou_city=hukou, **(where | facts))


def meal(
    price_fen: int,
    *,
    day: date = SERVICE_DAY,
    slot: str = "lunch",
    channel: str = "dine_in",
    place: tuple[str, str, str] = ("上海", "普陀", "长寿路街道"),
    delivery_fee_fen: int = 0,
) -> PriceRequest:
    city, district, town = place
    return PriceRequest(
        canteen_key="canteen-1",
        canteen_city=city,
        canteen_district=district,
        canteen_town=town,
        service_date=day,
        slot=slot,
        channel=channel,
        lines=(Line("set-a", "一荤两素套餐", price_fen, 1),),
        delivery_fee_fen=delivery_fee_fen,
    )
