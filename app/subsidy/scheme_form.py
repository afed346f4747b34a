"""The structured scheme form: the common shapes of a district's scheme (tiers by age, hukou, 低保 / 低收入 / 特困,
disability and living alone; caps; funder shares; a voucher allowance; an operating subsidy) as plain fields.

Each part is a typed form (`app.core.forms`); rows are read with a prefix (`tier2_amount`), so every error comes
back under the very field the operator typed in. The form becomes scheme JSON, which `app.pricing` validates
once more before anything is saved; schemes of other shapes keep the JSON editor."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from app import pricing
from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.forms import Flag, FormModel, OptionalWholeNumber, Text, parse_form

FUNDER_ROWS = 3
TIER_ROWS = 6
FUNDER_KINDS = {"city": "市级财政", "district": "区级财政", "town": "街道（镇）", "operator": "运营方或其他"}
SHARE_KINDS = {"rest": "承担其余部分", "fixed": "每餐固定金额（元）", "percent": "按比例（%）"}
BENEFIT_NAMES = {"fixed": "每餐补贴（元）", "pay_fixed": "本人每餐只付（元）", "percent": "补贴餐费的比例（%）",
                 "free": "免费"}
ECONOMIC_NAMES = {"": "不限", "低保": "低保", "低收入": "低收入", "特困": "特困"}
# A disability condition reads "this level or worse", the way notices write 中度及以上失能.
DISABILITY_NAMES = {"": "不限", "轻": "轻度及以上失能", "中": "中度及以上失能", "重": "重度及以上失能",
                    "完全": "完全失能"}
DISABILITY_ORDER = ("轻", "中", "重", "完全")
CHANNEL_FIELDS = {f"channel_{c}": c for c in pricing.CHANNELS}
SLOT_FIELDS = {f"slot_{s}": s for s in pricing.SLOTS}
YUAN_RE = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def _to_fen(value: Any) -> Any:
    """元 as typed (5, 5.5, ５.50) into integer fen; a blank is None."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("元")
    if not text:
        return None
    if not YUAN_RE.match(text):
        raise ValueError(msg.SCHEME_FORM_YUAN)
    return int(Decimal(text) * 100)


def _to_percent(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("%")
    if not text:
        return None
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValueError(msg.SCHEME_FORM_PERCENT) from None
    if not percent.is_finite() or not Decimal(0) < percent <= Decimal(100):
        raise ValueError(msg.SCHEME_FORM_PERCENT)
    return percent


Yuan = Annotated[int | None, BeforeValidator(_to_fen)]
Percent = Annotated[Decimal | None, BeforeValidator(_to_percent)]
def _small(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 150:
        raise ValueError(msg.SCHEME_FORM_SMALL_NUMBER)
    return value


Age = Annotated[OptionalWholeNumber, AfterValidator(_small)]


def _key(value: str) -> str:
    if value and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise ValueError(msg.SCHEME_FORM_KEY)
    return value


class HeadForm(FormModel):
    """What a new scheme is called and where it applies (fixed once the scheme exists)."""

    key: Annotated[Text, AfterValidator(_key)] = Field(title="方案标识", min_length=1, max_length=60)
    area_city: Text = Field("", title="城市", max_length=20)
    area_district: Text = Field("", title="区（县）", max_length=20)
    area_town: Text = Field("", title="街道（镇）", max_length=40)


class VersionHeadForm(FormModel):
    name: Text = Field(title="方案名称", min_length=1, max_length=120)
    effective_from: Text = Field("", title="生效日期", max_length=20)
    note: Text = Field("", title="修改说明", max_length=300)
    meals_per_day: Age = Field(None, title="每天最多补贴几餐")
    meals_per_week: Age = Field(None, title="每周最多补贴几餐")
    meals_per_month: Age = Field(None, title="每月最多补贴几餐")
    voucher_allowance: Yuan = Field(None, title="消费券每月额度")
    operating_fen: Yuan = Field(None, title="运营补贴（每人每天）")
    operating_funder: Literal["", "city", "district", "town", "operator"] = Field("", title="运营补贴出资方")
    confirm_warnings: Flag = False


class FunderRow(FormModel):
    kind: Literal["", "city", "district", "town", "operator"] = Field("", title="级别")
    name: Text = Field("", title="出资方名称", max_length=60)
    local: Flag = False
    share: Literal["rest", "fixed", "percent"] = Field("rest", title="承担方式")
    amount: Text = Field("", title="金额或比例", max_length=12)


class TierRow(FormModel):
    name: Text = Field("", title="档次名称", max_length=80)
    min_age: Age = Field(None, title="最低年龄")
    max_age: Age = Field(None, title="最高年龄")
    hukou: Text = Field("", title="户籍", max_length=20)
    economic: Literal["", "低保", "低收入", "特困"] = Field("", title="经济状况")
    disability: Literal["", "轻", "中", "重", "完全"] = Field("", title="失能等级")
    alone: Flag = False
    kind: Literal["fixed", "pay_fixed", "percent", "free"] = Field("fixed", title="补贴方式")
    amount: Text = Field("", title="金额或比例", max_length=12)
    cap: Yuan = Field(None, title="每餐最多补贴")
    min_spend: Yuan = Field(None, title="消费满")


def _rows(data: Mapping[str, str], prefix: str, count: int) -> list[dict[str, str]]:
    return [{k.removeprefix(f"{prefix}{i}_"): v for k, v in data.items() if k.startswith(f"{prefix}{i}_")}
            for i in range(1, count + 1)]


def _parse(model: type[FormModel], data: Mapping[str, str], prefix: str, errors: dict[str, str]) -> Any:
    try:
        return parse_form(model, data)
    except InvalidInput as e:
        errors.update({f"{prefix}{k}": v for k, v in e.errors.items()})
        return None


def _amount(kind: str, text: str, key: str, errors: dict[str, str]) -> tuple[int | None, Decimal | None]:
    """A row's amount read by its kind: 元 for fixed amounts, % for percentages, nothing for the rest."""
    if kind in ("rest", "free"):
        return None, None
    if not text:
        errors[key] = msg.SCHEME_FORM_AMOUNT_REQUIRED
        return None, None
    try:
        return (None, _to_percent(text)) if kind == "percent" else (_to_fen(text), None)
    except ValueError as exc:
        errors[key] = str(exc)
        return None, None


def form_to_scheme(data: Mapping[str, str], *, key: str | None, area: dict[str, str] | None) -> dict[str, Any]:
    """The posted form as scheme JSON (without version and date, which the server sets). `key` and `area` are
    the existing scheme's when adding a version, else read from the form. Raises InvalidInput with every error
    at once, keyed by form field."""
    errors: dict[str, str] = {}
    head = None if key else _parse(HeadForm, data, "", errors)
    version = _parse(VersionHeadForm, data, "", errors)
    funders = _funders(data, errors)
    tiers = _tiers(data, {f["key"] for f in funders}, errors)
    body: dict[str, Any] = {"key": key or (head.key if head else ""), "name": version.name if version else ""}
    body["area"] = area if area is not None else _area(head)
    body["funders"] = [{k: v for k, v in f.items() if k != "share"} for f in funders]
    body["subsidy"] = _subsidy(data, version, funders, tiers, errors)
    if version is not None:
        _extras(body, version, {f["key"] for f in funders}, errors)
    if errors:
        raise InvalidInput(errors)
    return body


def _area(head: HeadForm | None) -> dict[str, str]:
    if head is None:
        return {}
    area = {"city": head.area_city, "district": head.area_district, "town": head.area_town}
    return {k: v for k, v in area.items() if v}


def _funders(data: Mapping[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for i, row_data in enumerate(_rows(data, "funder", FUNDER_ROWS), start=1):
        row = _parse(FunderRow, row_data, f"funder{i}_", errors)
        if row is None or not (row.kind or row.name):
            continue
        if not row.kind or not row.name:
            errors[f"funder{i}_{'name' if row.kind else 'kind'}"] = msg.SCHEME_FORM_FUNDER_HALF
            continue
        if any(f["key"] == row.kind for f in found):
            errors[f"funder{i}_kind"] = msg.SCHEME_FORM_FUNDER_TWICE.format(kind=FUNDER_KINDS[row.kind])
            continue
        fen, percent = _amount(row.share, row.amount, f"funder{i}_amount", errors)
        share: dict[str, Any] = {"funder": row.kind}
        share |= {"amount_fen": fen} if fen is not None else {"percent": str(percent)} if percent else {}
        local = row.kind if row.local and row.kind in pricing.AREA_LEVELS else None
        found.append({"key": row.kind, "name": row.name, "local_level": local, "share": share, "row": i})
    if not found:
        errors["funder1_name"] = msg.SCHEME_FORM_FUNDER_NONE
    elif sum(1 for f in found if len(f["share"]) == 1) != 1:
        errors[f"funder{found[0]['row']}_share"] = msg.SCHEME_FORM_ONE_REST
    for f in found:
        f.pop("row")
    return found


def _tiers(data: Mapping[str, str], funders: set[str], errors: dict[str, str]) -> list[dict[str, Any]]:
    tiers: list[dict[str, Any]] = []
    for i, row_data in enumerate(_rows(data, "tier", TIER_ROWS), start=1):
        row = _parse(TierRow, row_data, f"tier{i}_", errors)
        if row is None or not _tier_filled(row):
            continue
        if not row.name:
            errors[f"tier{i}_name"] = msg.SCHEME_FORM_TIER_NAME
        if row.min_age is not None and row.max_age is not None and row.max_age < row.min_age:
            errors[f"tier{i}_max_age"] = msg.SCHEME_FORM_AGES.format(low=row.min_age, high=row.max_age)
        fen, percent = _amount(row.kind, row.amount, f"tier{i}_amount", errors)
        tiers.append(_tier(i, row, fen, percent))
    if not tiers and "tier1_name" not in errors:
        errors["tier1_name"] = msg.SCHEME_FORM_TIER_NONE
    return tiers


def _tier_filled(row: TierRow) -> bool:
    return bool(row.name or row.amount or row.min_age is not None or row.max_age is not None or row.hukou
                or row.economic or row.disability or row.alone or row.kind == "free")


def _tier(i: int, row: TierRow, fen: int | None, percent: Decimal | None) -> dict[str, Any]:
    when: dict[str, Any] = {}
    when |= {"min_age": row.min_age} if row.min_age is not None else {}
    when |= {"max_age": row.max_age} if row.max_age is not None else {}
    when |= {"hukou_city": [row.hukou]} if row.hukou else {}
    when |= {"economic_status": [row.economic]} if row.economic else {}
    if row.disability:
        when["disability_level"] = list(DISABILITY_ORDER[DISABILITY_ORDER.index(row.disability):])
    when |= {"lives_alone": True} if row.alone else {}
    benefit: dict[str, Any] = {"kind": row.kind}
    if row.kind in ("fixed", "pay_fixed"):
        benefit["amount_fen" if row.kind == "fixed" else "pays_fen"] = fen or 0
    if row.kind == "percent":
        benefit["percent"] = str(percent or 0)
    benefit |= {"cap_fen": row.cap} if row.cap is not None else {}
    tier = {"key": f"tier-{i}", "name": row.name, "when": when, "benefit": benefit}
    return tier | ({"min_spend_fen": row.min_spend} if row.min_spend else {})


def _subsidy(data: Mapping[str, str], version: VersionHeadForm | None, funders: list[dict[str, Any]],
             tiers: list[dict[str, Any]], errors: dict[str, str]) -> dict[str, Any]:
    channels = [c for name, c in CHANNEL_FIELDS.items() if data.get(name)]
    slots = [s for name, s in SLOT_FIELDS.items() if data.get(name)]
    if not channels:
        errors["channel_dine_in"] = msg.SCHEME_FORM_CHANNELS
    if not slots:
        errors["slot_breakfast"] = msg.SCHEME_FORM_SLOTS
    caps: dict[str, int] = {}
    if version is not None:
        names = ("meals_per_day", "meals_per_week", "meals_per_month")
        caps = {n: getattr(version, n) for n in names if getattr(version, n) is not None}
    return {"channels": channels, "slots": slots, "caps": caps, "funding": [f["share"] for f in funders],
            "categories": tiers}


def _extras(body: dict[str, Any], version: VersionHeadForm, funders: set[str], errors: dict[str, str]) -> None:
    if version.voucher_allowance:
        body["voucher"] = {"monthly_allowance_fen": version.voucher_allowance}
    if version.operating_fen:
        if version.operating_funder not in funders:
            errors["operating_funder"] = msg.SCHEME_FORM_OPERATING_FUNDER
        body["operating_subsidy"] = {"funder": version.operating_funder,
                                     "fen_per_diner_day": version.operating_fen}


# ------------------------------------------------------------------ a stored version back into the form


def scheme_to_form(body: dict[str, Any]) -> dict[str, str] | None:
    """A stored version's JSON as the form's fields, or None when the form cannot show it (a discount, more
    rows than the form has, conditions it has no field for): such versions keep the JSON editor."""
    subsidy = body.get("subsidy")
    funders = body.get("funders", [])
    if body.get("discount") or not subsidy or len(funders) > FUNDER_ROWS:
        return None
    categories = subsidy.get("categories", [])
    if len(categories) > TIER_ROWS or any(c.get("funding") for c in categories):
        return None
    if set(subsidy) - {"channels", "slots", "caps", "funding", "categories", "threshold_basis"}:
        return None
    form = _head_fields(body, subsidy)
    try:
        form |= _funder_fields(funders, subsidy.get("funding", []))
        for i, category in enumerate(categories, start=1):
            form |= _tier_fields(i, category)
    except (KeyError, ValueError):
        return None
    return form


def _yuan_text(fen: int | None) -> str:
    return "" if fen is None else pricing.yuan(fen)


def _head_fields(body: dict[str, Any], subsidy: dict[str, Any]) -> dict[str, str]:
    caps = subsidy.get("caps", {})
    form = {"name": str(body.get("name", ""))}
    form |= {n: str(caps[n]) for n in ("meals_per_day", "meals_per_week", "meals_per_month") if n in caps}
    form |= {f"channel_{c}": "1" for c in subsidy.get("channels", pricing.CHANNELS)}
    form |= {f"slot_{s}": "1" for s in subsidy.get("slots", pricing.SLOTS)}
    voucher = body.get("voucher") or {}
    form["voucher_allowance"] = _yuan_text(voucher.get("monthly_allowance_fen"))
    operating = body.get("operating_subsidy") or {}
    form["operating_fen"] = _yuan_text(operating.get("fen_per_diner_day"))
    form["operating_funder"] = str(operating.get("funder", ""))
    return form


def _funder_fields(funders: list[dict[str, Any]], funding: list[dict[str, Any]]) -> dict[str, str]:
    shares = {s["funder"]: s for s in funding}
    form: dict[str, str] = {}
    for i, funder in enumerate(funders, start=1):
        if funder["key"] not in FUNDER_KINDS:
            raise ValueError(funder["key"])
        share = shares.get(funder["key"], {})
        kind = "fixed" if "amount_fen" in share else "percent" if "percent" in share else "rest"
        amount = _yuan_text(share.get("amount_fen")) if kind == "fixed" else str(share.get("percent", ""))
        form |= {f"funder{i}_kind": funder["key"], f"funder{i}_name": funder["name"],
                 f"funder{i}_local": "1" if funder.get("local_level") else "", f"funder{i}_share": kind,
                 f"funder{i}_amount": amount}
    return form


def _tier_fields(i: int, category: dict[str, Any]) -> dict[str, str]:
    when, benefit = category.get("when", {}), category["benefit"]
    if set(when) - {"min_age", "max_age", "hukou_city", "economic_status", "disability_level", "lives_alone"}:
        raise ValueError("condition")
    hukou, economic = when.get("hukou_city", []), when.get("economic_status", [])
    if len(hukou) > 1 or len(economic) > 1 or benefit["kind"] not in BENEFIT_NAMES:
        raise ValueError("condition")
    levels = when.get("disability_level", [])
    disability = min(levels, key=DISABILITY_ORDER.index) if levels else ""
    amount = {"fixed": _yuan_text(benefit.get("amount_fen")), "pay_fixed": _yuan_text(benefit.get("pays_fen")),
              "percent": str(benefit.get("percent", "")), "free": ""}[benefit["kind"]]
    p = f"tier{i}_"
    return {p + "name": category["name"], p + "min_age": str(when.get("min_age", "")),
            p + "max_age": str(when.get("max_age", "")), p + "hukou": hukou[0] if hukou else "",
            p + "economic": economic[0] if economic else "", p + "disability": disability,
            p + "alone": "1" if when.get("lives_alone") else "", p + "kind": benefit["kind"], p + "amount": amount,
            p + "cap": _yuan_text(benefit.get("cap_fen")), p + "min_spend": _yuan_text(category.get("min_spend_fen"))}


def blank_form() -> dict[str, str]:
    """A new scheme: dine-in, lunch and dinner, one subsidised meal a day, the district paying."""
    return {"channel_dine_in": "1", "slot_lunch": "1", "slot_dinner": "1", "meals_per_day": "1",
            "funder1_kind": "district", "funder1_share": "rest", "tier1_kind": "fixed"}
