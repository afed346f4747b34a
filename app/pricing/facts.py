"""What the engine is told: who the senior is on the service date, what they order, what they already used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date

SLOTS = ("breakfast", "lunch", "dinner")
CHANNELS = ("dine_in", "pickup", "delivery")
ECONOMIC_STATUSES = ("", "低保", "低收入", "特困")
DISABILITY_LEVELS = ("", "轻", "中", "重", "完全")
SLOT_NAMES = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}
CHANNEL_NAMES = {"dine_in": "堂食", "pickup": "自取", "delivery": "送餐"}


def full_years(birth_date: date, day: date) -> int:
    """Age in 周岁 on `day`: a birthday counts from the day itself (29 February ones from 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


@dataclass(frozen=True)
class EligibilityFacts:
    """A senior's eligibility as of one service date. 户籍 (hukou) and residence are kept apart on purpose:
    discounts often follow where one lives, subsidies where one is registered."""

    birth_date: date
    hukou_city: str = ""
    hukou_district: str = ""
    residence_city: str = ""
    residence_district: str = ""
    residence_town: str = ""
    economic_status: str = ""
    economic_status_valid_from: date | None = None
    economic_status_valid_to: date | None = None
    care_level: int | None = None
    disability_level: str = ""
    lives_alone: bool = False
    all_elderly_household: bool = False
    special_groups: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.economic_status not in ECONOMIC_STATUSES:
            raise ValueError(
                f"economic_status must be one of {ECONOMIC_STATUSES}, got {self.economic_status!r}"
            )
        if self.disability_level not in DISABILITY_LEVELS:
            raise ValueError(
                f"disability_level must be one of {DISABILITY_LEVELS}, got {self.disability_level!r}"
            )
        if self.care_level is not None and not 0 <= self.care_level <= 6:
            raise ValueError(f"care_level must be 0–6 or None, got {self.care_level}")
        start, end = self.economic_status_valid_from, self.economic_status_valid_to
        if start is not None and end is not None and end < start:
            raise ValueError(f"economic status valid_to {end} is before valid_from {start}")

    def age_on(self, day: date) -> int:
        return full_years(self.birth_date, day)

    def economic_status_on(self, day: date) -> str:
        """The status counts only inside its validity window (civil-affairs records expire)."""
        start, end = self.economic_status_valid_from, self.economic_status_valid_to
        if (start is not None and day < start) or (end is not None and day > end):
            return ""
        return self.economic_status


@dataclass(frozen=True)
class Line:
    item_key: str
    name: str
    unit_price_fen: int
    quantity: int

    def __post_init__(self) -> None:
        if self.unit_price_fen < 0:
            raise ValueError(f"line {self.item_key}: unit_price_fen must be >= 0, got {self.unit_price_fen}")
        if self.quantity < 1:
            raise ValueError(f"line {self.item_key}: quantity must be >= 1, got {self.quantity}")

    @property
    def total_fen(self) -> int:
        return self.unit_price_fen * self.quantity


@dataclass(frozen=True)
class PriceRequest:
    """One order: one meal for one senior at one canteen, slot and channel (lines are its dishes)."""

    canteen_key: str
    canteen_city: str
    canteen_district: str
    canteen_town: str
    service_date: date
    slot: str
    channel: str
    lines: tuple[Line, ...]
    delivery_fee_fen: int = 0

    def __post_init__(self) -> None:
        if self.slot not in SLOTS:
            raise ValueError(f"slot must be one of {SLOTS}, got {self.slot!r}")
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, got {self.channel!r}")
        if not self.lines:
            raise ValueError("an order needs at least one line")
        if self.delivery_fee_fen < 0:
            raise ValueError(f"delivery_fee_fen must be >= 0, got {self.delivery_fee_fen}")
        if self.delivery_fee_fen and self.channel != "delivery":
            raise ValueError(f"a delivery fee only applies to delivery orders, not {self.channel}")

    @property
    def food_fen(self) -> int:
        return sum(line.total_fen for line in self.lines)


@dataclass(frozen=True)
class Usage:
    """What the senior already took under one scheme (all its canteens) in the periods around the service
    date: subsidised meals and subsidy fen this slot, day, ISO week and calendar month."""

    slot_meals: int = 0
    day_meals: int = 0
    day_fen: int = 0
    week_meals: int = 0
    week_fen: int = 0
    month_meals: int = 0
    month_fen: int = 0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"usage {name} must be >= 0, got {value}")


@dataclass(frozen=True)
class UsageRecord:
    """One earlier non-cancelled order's subsidy, as read back from its price snapshot."""

    service_date: date
    slot: str
    subsidy_fen: int
    subsidised_meals: int = field(default=1)


def usage_from(records: Iterable[UsageRecord], day: date, slot: str) -> Usage:
    """Sum earlier orders into the cap periods of `day`: ISO week, calendar month."""
    totals = {item.name: 0 for item in fields(Usage)}
    for record in records:
        for period in _periods_shared(record, day, slot):
            totals[f"{period}_meals"] += record.subsidised_meals
            if period != "slot":
                totals[f"{period}_fen"] += record.subsidy_fen
    return Usage(**totals)


def _periods_shared(record: UsageRecord, day: date, slot: str) -> list[str]:
    periods = []
    if record.service_date == day:
        periods += ["day"] + (["slot"] if record.slot == slot else [])
    if record.service_date.isocalendar()[:2] == day.isocalendar()[:2]:
        periods.append("week")
    if (record.service_date.year, record.service_date.month) == (day.year, day.month):
        periods.append("month")
    return periods
