"""A subsidy scheme as data: who qualifies for what, who pays, and the caps. Build one with `load_scheme`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.pricing.facts import EligibilityFacts

AREA_LEVELS = ("city", "district", "town")
AREA_LEVEL_NAMES = {"city": "本市", "district": "本区", "town": "本镇（街道）"}
BENEFIT_KINDS = ("fixed", "per_day", "percent", "free", "pay_fixed")
THRESHOLD_BASES = ("before_discount", "after_discount")


@dataclass(frozen=True)
class Area:
    """An administrative area; an empty level matches anything (a city-wide scheme leaves district empty)."""

    city: str = ""
    district: str = ""
    town: str = ""

    def contains(self, city: str, district: str, town: str) -> bool:
        wanted = ((self.city, city), (self.district, district), (self.town, town))
        return all(not mine or mine == theirs for mine, theirs in wanted)


@dataclass(frozen=True)
class Condition:
    """All listed facts must hold (an empty set or None means "any"); `any_of`, when given, needs one of its
    conditions to hold as well, which is how "85–94 岁或特困" is written."""

    min_age: int | None = None
    max_age: int | None = None
    hukou_city: frozenset[str] = frozenset()
    hukou_district: frozenset[str] = frozenset()
    residence_city: frozenset[str] = frozenset()
    residence_district: frozenset[str] = frozenset()
    residence_town: frozenset[str] = frozenset()
    economic_status: frozenset[str] = frozenset()
    min_care_level: int | None = None
    disability_level: frozenset[str] = frozenset()
    lives_alone: bool | None = None
    all_elderly_household: bool | None = None
    special_groups: frozenset[str] = frozenset()
    any_of: tuple[Condition, ...] = ()

    def holds(self, facts: EligibilityFacts, day: date) -> bool:
        return (
            self._age_holds(facts.age_on(day))
            and self._places_hold(facts)
            and self._circumstances_hold(facts, day)
            and (not self.any_of or any(c.holds(facts, day) for c in self.any_of))
        )

    def _age_holds(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)

    def _places_hold(self, facts: EligibilityFacts) -> bool:
        pairs = (
            (self.hukou_city, facts.hukou_city),
            (self.hukou_district, facts.hukou_district),
            (self.residence_city, facts.residence_city),
            (self.residence_district, facts.residence_district),
            (self.residence_town, facts.residence_town),
        )
        return all(not allowed or value in allowed for allowed, value in pairs)

    def _circumstances_hold(self, facts: EligibilityFacts, day: date) -> bool:
        status = facts.economic_status_on(day)
        care = facts.care_level
        return (
            (not self.economic_status or status in self.economic_status)
            and (self.min_care_level is None or (care is not None and care >= self.min_care_level))
            and (not self.disability_level or facts.disability_level in self.disability_level)
            and (self.lives_alone is None or facts.lives_alone == self.lives_alone)
            and (
                self.all_elderly_household is None
                or facts.all_elderly_household == self.all_elderly_household
            )
            and (not self.special_groups or bool(self.special_groups & facts.special_groups))
        )


@dataclass(frozen=True)
class Funder:
    """Who pays. A funder with a `local_level` pays only when the canteen is in the senior's own city,
    district or town at that level (增城: the town's share is lost when eating in another town)."""

    key: str
    name: str
    local_level: str | None = None


@dataclass(frozen=True)
class FundingShare:
    """A funder's part of a subsidy: a fixed amount, a percentage, or (neither) whatever remains."""

    funder: str
    amount_fen: int | None = None
    percent: Decimal | None = None

    @property
    def is_rest(self) -> bool:
        return self.amount_fen is None and self.percent is None


@dataclass(frozen=True)
class DiscountTier:
    key: str
    name: str
    when: Condition
    pay_percent: Decimal


@dataclass(frozen=True)
class Discount:
    """A price cut the canteen (or whoever `funder` is) gives; tiers are exclusive, the deepest cut wins."""

    funder: str
    channels: frozenset[str]
    slots: frozenset[str]
    tiers: tuple[DiscountTier, ...]


@dataclass(frozen=True)
class Benefit:
    """How much one meal is subsidised. fixed: `amount_fen` a meal · per_day: `amount_fen` a day, spread over
    the day's meals · percent: `percent` of the bill · free: the whole bill · pay_fixed: the senior pays
    `pays_fen`. `cap_fen` bounds any of them per meal. Fields a kind does not use stay zero."""

    kind: str
    amount_fen: int = 0
    percent: Decimal = Decimal(0)
    pays_fen: int = 0
    cap_fen: int | None = None


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    when: Condition
    benefit: Benefit
    min_spend_fen: int = 0
    funding: tuple[FundingShare, ...] = ()


@dataclass(frozen=True)
class Caps:
    """Limits across all the senior's orders under the scheme; None means no limit."""

    fen_per_meal: int | None = None
    meals_per_slot: int | None = None
    meals_per_day: int | None = None
    fen_per_day: int | None = None
    meals_per_week: int | None = None
    fen_per_week: int | None = None
    meals_per_month: int | None = None
    fen_per_month: int | None = None


@dataclass(frozen=True)
class Subsidy:
    """Categories are exclusive: the one giving most on this order wins. `funding` is the default split,
    a category may carry its own."""

    channels: frozenset[str]
    slots: frozenset[str]
    threshold_basis: str
    covers_delivery_fee: bool
    caps: Caps
    funding: tuple[FundingShare, ...]
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Voucher:
    """The 养老服务消费补贴 voucher as this district runs it: a payment instrument, not a price tier. Each eligible
    senior may redeem at most `monthly_allowance_fen` a calendar month (by the meals' service dates)."""

    monthly_allowance_fen: int
    disability_levels: frozenset[str]


@dataclass(frozen=True)
class OperatingSubsidy:
    """Paid to the canteen, not the senior (北京: 3 元 per diner per day): `fen_per_diner_day` for each senior
    with at least one served meal there that day, claimed from `funder`."""

    funder: str
    fen_per_diner_day: int


@dataclass(frozen=True)
class Scheme:
    """One version of a scheme. Versions of a scheme share `key`; `effective_to` is inclusive and optional
    (a later version simply takes over from its own `effective_from`)."""

    key: str
    name: str
    version: int
    effective_from: date
    effective_to: date | None
    area: Area
    funders: tuple[Funder, ...]
    discount: Discount | None
    subsidy: Subsidy | None
    notes: str = ""
    voucher: Voucher | None = None
    operating: OperatingSubsidy | None = None
    funder_index: dict[str, Funder] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "funder_index", {f.key: f for f in self.funders})

    def funder(self, key: str) -> Funder:
        return self.funder_index[key]

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
