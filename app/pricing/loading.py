"""Turn a scheme's JSON into a `Scheme`, rejecting anything doubtful with a message naming the field.

Operators edit schemes in a form, so every message is Chinese, starts with the field's path
(`subsidy.categories[1].benefit.amount_fen`) and says what is expected."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from app.pricing.facts import CHANNELS, DISABILITY_LEVELS, ECONOMIC_STATUSES, SLOTS
from app.pricing.reading import (
    Obj,
    error,
    read_bool,
    read_choices,
    read_date,
    read_fen,
    read_int,
    read_key,
    read_percent,
    read_text,
)
from app.pricing.scheme import (
    AREA_LEVELS,
    BENEFIT_KINDS,
    THRESHOLD_BASES,
    Area,
    Benefit,
    Caps,
    Category,
    Condition,
    Discount,
    DiscountTier,
    Funder,
    FundingShare,
    OperatingSubsidy,
    Scheme,
    Subsidy,
    Voucher,
)


def load_scheme(data: Any) -> Scheme:
    """Validate and build a scheme from parsed JSON; `ValueError` messages are Chinese and name the field."""
    obj = Obj(data, "")
    scheme = Scheme(
        key=read_key(obj, "key"),
        name=read_text(obj, "name"),
        version=read_int(obj, "version", minimum=1, required=True),
        effective_from=read_date(obj, "effective_from", required=True),
        effective_to=read_date(obj, "effective_to"),
        area=_area(obj.get("area", {}), obj.at("area")),
        funders=_funders(obj),
        discount=None,
        subsidy=None,
        notes=str(obj.get("notes", "")),
    )
    if scheme.effective_to is not None and scheme.effective_to < scheme.effective_from:
        raise error("effective_to", "结束日期不能早于生效日期")
    funders = {f.key for f in scheme.funders}
    discount = _discount(obj.get("discount"), "discount", funders)
    subsidy = _subsidy(obj.get("subsidy"), "subsidy", funders)
    voucher = _voucher(obj.get("voucher"), "voucher")
    operating = _operating(obj.get("operating_subsidy"), "operating_subsidy", funders)
    obj.done()
    if discount is None and subsidy is None:
        raise error("", "至少要有 discount（折扣）或 subsidy（补贴）其中之一")
    parts = {"discount": discount, "subsidy": subsidy, "voucher": voucher, "operating": operating}
    return Scheme(**{**_fields(scheme), **parts})


def load_scheme_json(text: str) -> Scheme:
    """Like `load_scheme`, from JSON text (what the admin form posts)."""
    return load_scheme(parse_json(text))


def parse_json(text: str) -> Any:
    """Parse scheme text; a syntax error becomes a ValueError naming the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列附近（{exc.msg}）") from None


def _fields(scheme: Scheme) -> dict[str, Any]:
    names = ("key", "name", "version", "effective_from", "effective_to", "area", "funders", "notes")
    return {name: getattr(scheme, name) for name in names}


def _area(value: Any, path: str) -> Area:
    obj = Obj(value, path)
    names = {}
    for level in AREA_LEVELS:
        text = obj.get(level, "")
        if not isinstance(text, str):
            raise error(obj.at(level), '应为文字（如 "上海"、"普陀"）')
        names[level] = text.strip()
    obj.done()
    return Area(**names)


def _funders(obj: Obj) -> tuple[Funder, ...]:
    items = obj.need("funders")
    if not isinstance(items, list) or not items:
        raise error(obj.at("funders"), "至少需要一个出资方")
    funders = tuple(_funder(item, f"funders[{i}]") for i, item in enumerate(items))
    _unique([f.key for f in funders], "funders")
    return funders


def _funder(value: Any, path: str) -> Funder:
    obj = Obj(value, path)
    level = obj.get("local_level")
    if level is not None and level not in AREA_LEVELS:
        raise error(obj.at("local_level"), f"应为 city、district、town 之一或不填，实际为 {level!r}")
    funder = Funder(key=read_key(obj, "key"), name=read_text(obj, "name"), local_level=level)
    obj.done()
    return funder


def _unique(keys: list[str], path: str) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise error(f"{path}[{i}].key", f"标识 {key!r} 重复")
        seen.add(key)


def _funder_ref(obj: Obj, name: str, funders: set[str]) -> str:
    key = obj.need(name)
    if key not in funders:
        raise error(obj.at(name), f"出资方 {key!r} 未在 funders 中定义")
    return key


def _condition(value: Any, path: str) -> Condition:
    obj = Obj(value, path)
    words = {
        name: read_choices(obj, name, allowed, ()) if obj.value.get(name) is not None else frozenset()
        for name, allowed in _WORD_CONDITIONS.items()
    }
    condition = Condition(
        min_age=read_int(obj, "min_age"),
        max_age=read_int(obj, "max_age"),
        min_care_level=read_int(obj, "min_care_level"),
        lives_alone=read_bool(obj, "lives_alone"),
        all_elderly_household=read_bool(obj, "all_elderly_household"),
        any_of=_any_of(obj),
        **words,
    )
    obj.done()
    _check_condition(condition, obj)
    return condition


_WORD_CONDITIONS: dict[str, tuple[str, ...]] = {
    "hukou_city": (),
    "hukou_district": (),
    "residence_city": (),
    "residence_district": (),
    "residence_town": (),
    "economic_status": tuple(s for s in ECONOMIC_STATUSES if s),
    "disability_level": tuple(s for s in DISABILITY_LEVELS if s),
    "special_groups": (),
}


def _any_of(obj: Obj) -> tuple[Condition, ...]:
    items = obj.get("any_of")
    if items is None:
        return ()
    if not isinstance(items, list) or not items:
        raise error(obj.at("any_of"), "应为非空的条件列表")
    return tuple(_condition(item, obj.at(f"any_of[{i}]")) for i, item in enumerate(items))


def _check_condition(condition: Condition, obj: Obj) -> None:
    low, high = condition.min_age, condition.max_age
    if low is not None and high is not None and high < low:
        raise error(obj.at("max_age"), f"最高年龄 {high} 小于最低年龄 {low}")
    if condition.min_care_level is not None and condition.min_care_level > 6:
        raise error(obj.at("min_care_level"), "照护等级为 0–6 级")


def _voucher(value: Any, path: str) -> Voucher | None:
    if value is None:
        return None
    obj = Obj(value, path)
    allowed = tuple(s for s in DISABILITY_LEVELS if s)
    voucher = Voucher(
        monthly_allowance_fen=read_fen(obj, "monthly_allowance_fen", required=True),
        disability_levels=read_choices(obj, "disability_levels", allowed, ("中", "重", "完全")),
    )
    obj.done()
    if voucher.monthly_allowance_fen <= 0:
        raise error(obj.at("monthly_allowance_fen"), "每月额度应大于 0")
    return voucher


def _operating(value: Any, path: str, funders: set[str]) -> OperatingSubsidy | None:
    if value is None:
        return None
    obj = Obj(value, path)
    operating = OperatingSubsidy(
        funder=_funder_ref(obj, "funder", funders),
        fen_per_diner_day=read_fen(obj, "fen_per_diner_day", required=True),
    )
    obj.done()
    if operating.fen_per_diner_day <= 0:
        raise error(obj.at("fen_per_diner_day"), "每人每天的运营补贴应大于 0")
    return operating


def _discount(value: Any, path: str, funders: set[str]) -> Discount | None:
    if value is None:
        return None
    obj = Obj(value, path)
    items = obj.need("tiers")
    if not isinstance(items, list) or not items:
        raise error(obj.at("tiers"), "至少需要一个折扣档次")
    discount = Discount(
        funder=_funder_ref(obj, "funder", funders),
        channels=read_choices(obj, "channels", CHANNELS, CHANNELS),
        slots=read_choices(obj, "slots", SLOTS, SLOTS),
        tiers=tuple(_tier(item, obj.at(f"tiers[{i}]")) for i, item in enumerate(items)),
    )
    obj.done()
    _unique([t.key for t in discount.tiers], obj.at("tiers"))
    return discount


def _tier(value: Any, path: str) -> DiscountTier:
    obj = Obj(value, path)
    tier = DiscountTier(
        key=read_key(obj, "key"),
        name=read_text(obj, "name"),
        when=_condition(obj.get("when", {}), obj.at("when")),
        pay_percent=read_percent(obj, "pay_percent"),
    )
    obj.done()
    return tier


def _subsidy(value: Any, path: str, funders: set[str]) -> Subsidy | None:
    if value is None:
        return None
    obj = Obj(value, path)
    basis = obj.get("threshold_basis", "after_discount")
    if basis not in THRESHOLD_BASES:
        raise error(obj.at("threshold_basis"), "应为 before_discount（折前）或 after_discount（折后）")
    funding = _funding(obj.need("funding"), obj.at("funding"), funders)
    items = obj.need("categories")
    if not isinstance(items, list) or not items:
        raise error(obj.at("categories"), "至少需要一个补贴类别")
    categories = tuple(_category(item, obj.at(f"categories[{i}]"), funders) for i, item in enumerate(items))
    _unique([c.key for c in categories], obj.at("categories"))
    subsidy = Subsidy(
        channels=read_choices(obj, "channels", CHANNELS, CHANNELS),
        slots=read_choices(obj, "slots", SLOTS, SLOTS),
        threshold_basis=basis,
        covers_delivery_fee=bool(read_bool(obj, "covers_delivery_fee")),
        caps=_caps(obj.get("caps", {}), obj.at("caps")),
        funding=funding,
        categories=categories,
    )
    obj.done()
    return subsidy


def _caps(value: Any, path: str) -> Caps:
    obj = Obj(value, path)
    caps = Caps(
        fen_per_meal=read_fen(obj, "fen_per_meal"),
        meals_per_slot=read_int(obj, "meals_per_slot"),
        meals_per_day=read_int(obj, "meals_per_day"),
        fen_per_day=read_fen(obj, "fen_per_day"),
        meals_per_week=read_int(obj, "meals_per_week"),
        fen_per_week=read_fen(obj, "fen_per_week"),
        meals_per_month=read_int(obj, "meals_per_month"),
        fen_per_month=read_fen(obj, "fen_per_month"),
    )
    obj.done()
    return caps


def _category(value: Any, path: str, funders: set[str]) -> Category:
    obj = Obj(value, path)
    funding = obj.get("funding")
    category = Category(
        key=read_key(obj, "key"),
        name=read_text(obj, "name"),
        when=_condition(obj.get("when", {}), obj.at("when")),
        benefit=_benefit(obj.need("benefit"), obj.at("benefit")),
        min_spend_fen=read_fen(obj, "min_spend_fen") or 0,
        funding=() if funding is None else _funding(funding, obj.at("funding"), funders),
    )
    obj.done()
    return category


_BENEFIT_NEEDS = {
    "fixed": ("amount_fen",),
    "per_day": ("amount_fen",),
    "percent": ("percent",),
    "free": (),
    "pay_fixed": ("pays_fen",),
}


def _benefit(value: Any, path: str) -> Benefit:
    obj = Obj(value, path)
    kind = obj.need("kind")
    if kind not in BENEFIT_KINDS:
        raise error(obj.at("kind"), f"应为 {'、'.join(BENEFIT_KINDS)} 之一，实际为 {kind!r}")
    given = {name for name in ("amount_fen", "percent", "pays_fen") if obj.value.get(name) is not None}
    extra = sorted(given - set(_BENEFIT_NEEDS[kind]))
    if extra:
        raise error(obj.at(extra[0]), f"补贴方式 {kind} 不使用此字段")
    need = _BENEFIT_NEEDS[kind]
    benefit = Benefit(
        kind=kind,
        amount_fen=read_fen(obj, "amount_fen", required="amount_fen" in need) or 0,
        percent=read_percent(obj, "percent") if "percent" in need else Decimal(0),
        pays_fen=read_fen(obj, "pays_fen", required="pays_fen" in need) or 0,
        cap_fen=read_fen(obj, "cap_fen"),
    )
    obj.done()
    return benefit


def _funding(value: Any, path: str, funders: set[str]) -> tuple[FundingShare, ...]:
    """Fixed amounts and percentages are taken in the order listed; exactly one share takes the rest,
    so the split always adds up to the subsidy."""
    if not isinstance(value, list) or not value:
        raise error(path, "至少需要一个出资份额")
    shares = tuple(_share(item, f"{path}[{i}]", funders) for i, item in enumerate(value))
    rests = [i for i, share in enumerate(shares) if share.is_rest]
    if len(rests) != 1:
        raise error(path, "必须恰好有一个出资方承担其余部分（不填 amount_fen 和 percent 的那一项）")
    keys = [share.funder for share in shares]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise error(f"{path}[{i}].funder", f"出资方 {key!r} 重复")
    return shares


def _share(value: Any, path: str, funders: set[str]) -> FundingShare:
    obj = Obj(value, path)
    if obj.value.get("amount_fen") is not None and obj.value.get("percent") is not None:
        raise error(obj.at("percent"), "amount_fen 与 percent 只能填一个")
    has_percent = obj.value.get("percent") is not None
    share = FundingShare(
        funder=_funder_ref(obj, "funder", funders),
        amount_fen=read_fen(obj, "amount_fen"),
        percent=read_percent(obj, "percent") if has_percent else None,
    )
    obj.get("percent")
    obj.done()
    return share
