"""A scheme in plain Chinese, so an operator can check what the JSON they typed actually says."""

from __future__ import annotations

from app.pricing.facts import CHANNEL_NAMES, CHANNELS, SLOT_NAMES, SLOTS
from app.pricing.money import discount_label, yuan
from app.pricing.scheme import AREA_LEVEL_NAMES, Benefit, Caps, Category, Condition, FundingShare, Scheme

_CAP_WORDS = (
    ("fen_per_meal", "每餐最多补贴{}元"),
    ("meals_per_slot", "每餐次最多{}次"),
    ("meals_per_day", "每天最多{}次"),
    ("fen_per_day", "每天最多{}元"),
    ("meals_per_week", "每周最多{}次"),
    ("fen_per_week", "每周最多{}元"),
    ("meals_per_month", "每月最多{}次"),
    ("fen_per_month", "每月最多{}元"),
)


def describe(scheme: Scheme) -> list[str]:
    """One sentence per rule: where it applies, the discount tiers, the subsidy categories, caps, funders."""
    place = "".join(p for p in (scheme.area.city, scheme.area.district, scheme.area.town) if p)
    return [
        f"适用范围：{place or '不限'}", *_discount_lines(scheme), *_subsidy_lines(scheme), *_extra_lines(scheme)
    ]


def _extra_lines(scheme: Scheme) -> list[str]:
    lines = []
    if scheme.operating is not None:
        funder = scheme.funder(scheme.operating.funder).name
        lines.append(f"运营补贴：每位就餐老人每天{yuan(scheme.operating.fen_per_diner_day)}元，由{funder}拨给食堂")
    if scheme.voucher is not None:
        names = {"轻": "轻度", "中": "中度", "重": "重度", "完全": "完全"}
        levels = "、".join(n for lv, n in names.items() if lv in scheme.voucher.disability_levels)
        lines.append(
            f"养老服务消费券：{levels}失能老人每月最多抵扣{yuan(scheme.voucher.monthly_allowance_fen)}元"
        )
    return lines


def _discount_lines(scheme: Scheme) -> list[str]:
    discount = scheme.discount
    if discount is None:
        return []
    head = f"折扣（{scheme.funder(discount.funder).name}承担，{_where(discount.channels, discount.slots)}）："
    return [
        head,
        *(f"· {t.name}{_condition(t.when)}：{discount_label(t.pay_percent)}" for t in discount.tiers),
    ]


def _subsidy_lines(scheme: Scheme) -> list[str]:
    subsidy = scheme.subsidy
    if subsidy is None:
        return []
    basis = "折后" if subsidy.threshold_basis == "after_discount" else "折前"
    where = _where(subsidy.channels, subsidy.slots)
    lines = [f"补贴（{where}；{_caps(subsidy.caps)}；多个类别取最优惠的一个）："]
    lines += [f"· {c.name}{_condition(c.when)}：{_category(c, basis)}" for c in subsidy.categories]
    lines.append(f"出资：{_funding(scheme, subsidy.funding)}")
    lines += [f"· {c.name}的出资：{_funding(scheme, c.funding)}" for c in subsidy.categories if c.funding]
    return lines + ([] if subsidy.covers_delivery_fee else ["送餐费不补贴"])


def _condition(condition: Condition) -> str:
    """The facts a tier or category really checks, shown next to its name so a mismatch is visible."""
    words = _condition_words(condition)
    return f"（{'，'.join(words)}）" if words else ""


def _condition_words(c: Condition) -> list[str]:
    words = []
    if c.min_age is not None or c.max_age is not None:
        words.append(
            f"{c.min_age or 0}至{c.max_age}周岁" if c.max_age is not None else f"{c.min_age}周岁及以上"
        )
    for label, values in (
        ("户籍", c.hukou_city),
        ("户籍区", c.hukou_district),
        ("居住", c.residence_city),
        ("居住区", c.residence_district),
        ("居住街镇", c.residence_town),
        ("经济状况", c.economic_status),
        ("失能等级", c.disability_level),
        ("特殊群体", c.special_groups),
    ):
        if values:
            words.append(f"{label}{'或'.join(sorted(values))}")
    if c.min_care_level is not None:
        words.append(f"照护等级{c.min_care_level}级及以上")
    words += [w for flag, w in ((c.lives_alone, "独居"), (c.all_elderly_household, "纯老家庭")) if flag]
    if c.any_of:
        words.append("满足其一：" + "；或".join("，".join(_condition_words(a)) for a in c.any_of))
    return words


def _where(channels: frozenset[str], slots: frozenset[str]) -> str:
    how = "、".join(CHANNEL_NAMES[c] for c in CHANNELS if c in channels)
    when = "、".join(SLOT_NAMES[s] for s in SLOTS if s in slots)
    return f"{how}；{when}" if len(slots) < len(SLOTS) else how


def _caps(caps: Caps) -> str:
    words = []
    for name, pattern in _CAP_WORDS:
        value = getattr(caps, name)
        if value is not None:
            words.append(pattern.format(yuan(value) if name.startswith("fen") else value))
    return "，".join(words) or "不限次数"


def _category(category: Category, basis: str) -> str:
    spend = f"{basis}消费满{yuan(category.min_spend_fen)}元，" if category.min_spend_fen else ""
    return spend + _benefit(category.benefit)


def _benefit(benefit: Benefit) -> str:
    cap = f"（每餐最多{yuan(benefit.cap_fen)}元）" if benefit.cap_fen is not None else ""
    words = {
        "fixed": f"每餐补贴{yuan(benefit.amount_fen)}元",
        "per_day": f"每天补贴{yuan(benefit.amount_fen)}元",
        "percent": f"补贴餐费的{benefit.percent.normalize():f}%",
        "free": "免费",
        "pay_fixed": f"本人每餐付{yuan(benefit.pays_fen)}元，其余补贴",
    }
    return words[benefit.kind] + cap


def _funding(scheme: Scheme, funding: tuple[FundingShare, ...]) -> str:
    if len(funding) == 1:
        return f"{scheme.funder(funding[0].funder).name}全额承担"
    parts = []
    for share in funding:
        funder = scheme.funder(share.funder)
        amount = (
            "承担其余"
            if share.is_rest
            else f"{share.percent.normalize():f}%"
            if share.percent is not None
            else f"{yuan(share.amount_fen or 0)}元"
        )
        local = f"（仅限在{AREA_LEVEL_NAMES[funder.local_level]}就餐）" if funder.local_level else ""
        parts.append(f"{funder.name}{amount}{local}")
    return "、".join(parts)
