"""Price one order under one scheme version: discount first, then the most generous subsidy category,
bounded by the bill and the caps, split among funders, each funder paying only where it is local."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.pricing.breakdown import PriceBreakdown, SubsidyShare
from app.pricing.facts import CHANNEL_NAMES, SLOT_NAMES, EligibilityFacts, PriceRequest, Usage
from app.pricing.money import discount_label, percent_of, yuan
from app.pricing.scheme import AREA_LEVEL_NAMES, Caps, Category, DiscountTier, Funder, FundingShare, Scheme

_LEVELS = ("city", "district", "town")


@dataclass(frozen=True)
class _Grant:
    """The subsidy decided for an order: its category, the funders' shares that are paid, the funders whose
    share is lost because the senior eats outside their area, and why there is none when there is none."""

    category: Category | None = None
    shares: tuple[SubsidyShare, ...] = ()
    dropped: tuple[Funder, ...] = ()
    note: str = ""

    @property
    def amount_fen(self) -> int:
        return sum(share.amount_fen for share in self.shares)


def price(facts: EligibilityFacts, request: PriceRequest, usage: Usage, scheme: Scheme) -> PriceBreakdown:
    """Price `request` for a senior with `facts` (as of the service date) who already used `usage` under
    `scheme`. Raises ValueError when the scheme version is not in force on the service date."""
    if not scheme.is_effective_on(request.service_date):
        raise ValueError(f"scheme {scheme.key} v{scheme.version} is not in force on {request.service_date}")
    place = (request.canteen_city, request.canteen_district, request.canteen_town)
    if not scheme.area.contains(*place):
        outside = f"本食堂不在{scheme.name}范围内，按原价计费"
        return _breakdown(scheme, request, None, 0, _Grant(), outside)
    tier, discount_fen = _discount(scheme, facts, request)
    grant = _grant(scheme, facts, request, usage, discount_fen)
    notes = [_discount_note(scheme, facts, request, tier), _grant_note(request, grant)]
    explanation = "；".join(note for note in notes if note) or "按原价计费"
    return _breakdown(scheme, request, tier, discount_fen, grant, explanation)


def full_price(request: PriceRequest, explanation: str) -> PriceBreakdown:
    """The breakdown of an order no scheme prices (no version in force, or no scheme for the canteen)."""
    list_fen = request.food_fen + request.delivery_fee_fen
    return PriceBreakdown(
        scheme_key="",
        scheme_version=0,
        list_fen=list_fen,
        delivery_fee_fen=request.delivery_fee_fen,
        discount_fen=0,
        discount_key="",
        discount_name="",
        discount_funder_key="",
        discount_funder_name="",
        shares=(),
        subsidy_fen=0,
        payable_fen=list_fen,
        subsidised_meals=0,
        category_key="",
        category_name="",
        explanation=explanation,
    )


def scheme_in_force(versions: Iterable[Scheme], day: date) -> Scheme | None:
    """The version pricing meals on `day`: of those in force, the latest `effective_from` wins (then the
    highest version), so a new version takes over on its date without editing the old one."""
    candidates = [s for s in versions if s.is_effective_on(day)]
    if len({s.key for s in candidates}) > 1:
        raise ValueError(f"versions of different schemes given: {sorted({s.key for s in candidates})}")
    return max(candidates, key=lambda s: (s.effective_from, s.version), default=None)


def _discount(
    scheme: Scheme, facts: EligibilityFacts, request: PriceRequest
) -> tuple[DiscountTier | None, int]:
    tier = _best_tier(scheme, facts, request.service_date)
    rule = scheme.discount
    if tier is None or rule is None or request.channel not in rule.channels or request.slot not in rule.slots:
        return None, 0
    food = request.food_fen
    return tier, food - percent_of(food, tier.pay_percent)


def _best_tier(scheme: Scheme, facts: EligibilityFacts, day: date) -> DiscountTier | None:
    tiers = [t for t in scheme.discount.tiers if t.when.holds(facts, day)] if scheme.discount else []
    return min(tiers, key=lambda t: t.pay_percent, default=None)


def _discount_note(
    scheme: Scheme, facts: EligibilityFacts, request: PriceRequest, tier: DiscountTier | None
) -> str:
    if tier is not None:
        return f"{tier.name}，{discount_label(tier.pay_percent)}"
    eligible = _best_tier(scheme, facts, request.service_date)
    if eligible is None or scheme.discount is None:
        return ""
    return f"{eligible.name}的折扣仅限{_names(scheme.discount.channels, scheme.discount.slots, request)}"


def _grant(
    scheme: Scheme, facts: EligibilityFacts, request: PriceRequest, usage: Usage, discount_fen: int
) -> _Grant:
    """The most generous category for what the senior actually receives (after the caps, and after losing
    the shares of funders not local to this canteen); ties go to the category listed first."""
    rule = scheme.subsidy
    eligible = [c for c in rule.categories if c.when.holds(facts, request.service_date)] if rule else []
    if rule is None or not eligible:
        return _Grant()
    if request.channel not in rule.channels or request.slot not in rule.slots:
        return _Grant(note=f"补贴仅限{_names(rule.channels, rule.slots, request)}")
    after_discount = request.food_fen - discount_fen
    spend = after_discount if rule.threshold_basis == "after_discount" else request.food_fen
    base = after_discount + (request.delivery_fee_fen if rule.covers_delivery_fee else 0)
    amounts = [_amount(c, base, spend, usage) for c in eligible]
    if max(amounts) == 0:
        return _Grant(note=_spend_note(eligible, spend, rule.threshold_basis))
    room, cap_note = _room(rule.caps, usage)
    if room == 0:
        return _Grant(note=cap_note)
    grants = [
        _split(scheme, c, a if room is None else min(a, room), facts, request)
        for c, a in zip(eligible, amounts, strict=True)
    ]
    return max(grants, key=lambda grant: grant.amount_fen)


def _amount(category: Category, base_fen: int, spend_fen: int, usage: Usage) -> int:
    """This category's subsidy on a bill of `base_fen`, never above the bill."""
    benefit = category.benefit
    if spend_fen < category.min_spend_fen:
        return 0
    amount = {
        "fixed": lambda: benefit.amount_fen,
        "per_day": lambda: max(0, benefit.amount_fen - usage.day_fen),
        "percent": lambda: percent_of(base_fen, benefit.percent),
        "free": lambda: base_fen,
        "pay_fixed": lambda: max(0, base_fen - benefit.pays_fen),
    }[benefit.kind]()
    if benefit.cap_fen is not None:
        amount = min(amount, benefit.cap_fen)
    return min(amount, base_fen)


def _room(caps: Caps, usage: Usage) -> tuple[int | None, str]:
    """How much subsidy the caps still allow on this meal (None: unbounded), and why when nothing is left."""
    meal_caps = (
        (caps.meals_per_slot, usage.slot_meals, "本餐次已享受过补贴"),
        (caps.meals_per_day, usage.day_meals, "今日补贴次数已用完"),
        (caps.meals_per_week, usage.week_meals, "本周补贴次数已用完"),
        (caps.meals_per_month, usage.month_meals, "本月补贴次数已用完"),
    )
    for cap, used, note in meal_caps:
        if cap is not None and used >= cap:
            return 0, note
    fen_caps = (
        (caps.fen_per_meal, 0, "每餐补贴额度为零"),
        (caps.fen_per_day, usage.day_fen, "今日补贴额度已用完"),
        (caps.fen_per_week, usage.week_fen, "本周补贴额度已用完"),
        (caps.fen_per_month, usage.month_fen, "本月补贴额度已用完"),
    )
    limits = [(max(0, cap - used), note) for cap, used, note in fen_caps if cap is not None]
    return min(limits, key=lambda limit: limit[0], default=(None, ""))


def _spend_note(eligible: list[Category], spend_fen: int, basis: str) -> str:
    unmet = [c for c in eligible if spend_fen < c.min_spend_fen]
    if not unmet:
        return ""
    category = min(unmet, key=lambda c: c.min_spend_fen)
    when = "折后" if basis == "after_discount" else ""
    return f"{category.name}：{when}消费满{yuan(category.min_spend_fen)}元可享补贴"


def _split(
    scheme: Scheme, category: Category, gross_fen: int, facts: EligibilityFacts, request: PriceRequest
) -> _Grant:
    """Fixed and percentage shares in listed order, the rest to the rest-taker; then shares of funders
    that are not local to where the senior eats are dropped (the senior pays them, nobody else does)."""
    assert scheme.subsidy is not None
    funding = category.funding or scheme.subsidy.funding
    amounts = _allocate(funding, gross_fen)
    kept, dropped = [], []
    for share in funding:
        funder, amount = scheme.funder(share.funder), amounts[share.funder]
        if amount > 0 and not _is_local(funder, facts, request):
            dropped.append(funder)
        elif amount > 0:
            kept.append(SubsidyShare(funder.key, funder.name, amount))
    return _Grant(category, tuple(kept), tuple(dropped))


def _allocate(funding: tuple[FundingShare, ...], gross_fen: int) -> dict[str, int]:
    left, amounts = gross_fen, dict[str, int]()
    for share in funding:
        if share.percent is not None:
            amounts[share.funder] = min(percent_of(gross_fen, share.percent), left)
        elif share.amount_fen is not None:
            amounts[share.funder] = min(share.amount_fen, left)
        left -= amounts.get(share.funder, 0)
    rest = next(share for share in funding if share.is_rest)
    return amounts | {rest.funder: left}


def _is_local(funder: Funder, facts: EligibilityFacts, request: PriceRequest) -> bool:
    """A funder with a local level pays only when the canteen lies in the senior's own area at that level
    (compared by residence: the town is where one lives, 户籍 has no town)."""
    if funder.local_level is None:
        return True
    home = (facts.residence_city, facts.residence_district, facts.residence_town)
    canteen = (request.canteen_city, request.canteen_district, request.canteen_town)
    depth = _LEVELS.index(funder.local_level) + 1
    return home[:depth] == canteen[:depth]


def _grant_note(request: PriceRequest, grant: _Grant) -> str:
    if grant.category is None:
        return grant.note
    note = f"{grant.category.name}，{CHANNEL_NAMES[request.channel]}补贴{yuan(grant.amount_fen)}元"
    for funder in grant.dropped:
        note += f"（在{AREA_LEVEL_NAMES[funder.local_level or 'city']}以外就餐，{funder.name}部分不适用）"
    return note


def _names(channels: frozenset[str], slots: frozenset[str], request: PriceRequest) -> str:
    if request.channel not in channels:
        return "、".join(CHANNEL_NAMES[c] for c in CHANNEL_NAMES if c in channels)
    return "、".join(SLOT_NAMES[s] for s in SLOT_NAMES if s in slots)


def _breakdown(
    scheme: Scheme,
    request: PriceRequest,
    tier: DiscountTier | None,
    discount_fen: int,
    grant: _Grant,
    explanation: str,
) -> PriceBreakdown:
    list_fen = request.food_fen + request.delivery_fee_fen
    subsidy_fen = grant.amount_fen
    funder = scheme.funder(scheme.discount.funder) if tier and scheme.discount else None
    category = grant.category if subsidy_fen else None
    return PriceBreakdown(
        scheme_key=scheme.key,
        scheme_version=scheme.version,
        list_fen=list_fen,
        delivery_fee_fen=request.delivery_fee_fen,
        discount_fen=discount_fen,
        discount_key=tier.key if tier else "",
        discount_name=tier.name if tier else "",
        discount_funder_key=funder.key if funder else "",
        discount_funder_name=funder.name if funder else "",
        shares=grant.shares,
        subsidy_fen=subsidy_fen,
        payable_fen=list_fen - discount_fen - subsidy_fen,
        subsidised_meals=int(subsidy_fen > 0),
        category_key=category.key if category else "",
        category_name=category.name if category else "",
        explanation=explanation,
    )
