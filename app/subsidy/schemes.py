"""A district sets up its own scheme: create one (structured form or JSON), add versions, check them, preview
them against the district's seniors and last month's orders, save them, withdraw one not yet in force.

Versions are immutable once saved; an order keeps the snapshot it was priced with whatever happens later."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import pricing
from app.core import audit
from app.core import messages as msg
from app.core.errors import Conflict, InvalidInput, NotFound
from app.models import Canteen, Order, OrderLine, OrderSubsidy, Senior, SubsidySchemeVersion, now
from app.subsidy import service
from app.subsidy.scheme_form import form_to_scheme
from app.subsidy.settlement_report import is_claimed

AGE_RANGE = (50, 120)  # ages a scheme plausibly names; outside it is probably a typing slip (min_age: 200)
SAMPLE_MEAL_FEN = 1500  # the preview's sample meal, about what a set lunch costs


@dataclass(frozen=True)
class Checked:
    """A version that passed every check: its JSON, the engine's reading of it, the warnings to confirm and a
    digest of the JSON, so a save proves the operator saw the preview of exactly this version."""

    body: dict[str, Any]
    scheme: pricing.Scheme
    warnings: list[str]
    digest: str
    backdated: bool


def check_version(
    session: Session, data: Mapping[str, str], *, scheme_key: str | None, today: date
) -> Checked:
    """The structured form checked in full: InvalidInput with every error keyed by form field, else the
    version ready to preview or save. `scheme_key` None creates a new scheme."""
    history = service.scheme_history(session, scheme_key, today) if scheme_key else []
    if scheme_key and not history:
        raise NotFound(msg.SCHEME_NOT_FOUND)
    area = json.loads(history[0].body).get("area", {}) if history else None
    errors: dict[str, str] = {}
    body: dict[str, Any] = {}
    try:
        body = form_to_scheme(data, key=scheme_key, area=area)
    except InvalidInput as e:
        errors |= e.errors
    if scheme_key is None and body.get("key") and _exists(session, body["key"]):
        errors["key"] = msg.SCHEME_KEY_TAKEN.format(key=body["key"])
    note = str(data.get("note", ""))
    live = service.live_history(history)
    start = service._effective_from(str(data.get("effective_from", "")), today, live, errors, reason=note)
    if errors or start is None:
        raise InvalidInput(errors)
    body |= {"version": service.next_version_number(history), "effective_from": start.isoformat()}
    scheme = _load(body)
    return Checked(body, scheme, warnings_for(session, scheme), _digest(body), start <= today)


def _exists(session: Session, key: str) -> bool:
    return session.exec(select(SubsidySchemeVersion.id).where(SubsidySchemeVersion.scheme_key == key)).first() is not None


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


_PATHS = ((re.compile(r"^subsidy\.categories\[(\d+)\]"), "tier{n}_amount"), (re.compile(r"^funders"), "funder1_name"),
          (re.compile(r"^subsidy\.funding"), "funder1_share"), (re.compile(r"^voucher"), "voucher_allowance"),
          (re.compile(r"^operating_subsidy"), "operating_fen"))


def _load(body: dict[str, Any]) -> pricing.Scheme:
    """The engine's own validation as the last word; its message goes next to the nearest form field."""
    try:
        return pricing.load_scheme(body)
    except ValueError as exc:
        text = str(exc)
        for pattern, field in _PATHS:
            found = pattern.match(text)
            if found:
                n = int(found.group(1)) + 1 if found.groups() else 1
                raise InvalidInput({field.format(n=n): text}) from None
        raise InvalidInput({"name": text}) from None


def save_checked(
    session: Session, data: Mapping[str, str], *, scheme_key: str | None, user_id: int, today: date
) -> SubsidySchemeVersion:
    """Save the version posted, only when it was previewed unchanged (`previewed` holds the digest) and its
    warnings were confirmed. Raises InvalidInput (with `previewed` when the preview must be shown first)."""
    checked = check_version(session, data, scheme_key=scheme_key, today=today)
    if data.get("previewed") != checked.digest:
        raise InvalidInput({"previewed": msg.SCHEME_PREVIEW_FIRST})
    if checked.warnings and data.get("confirm_warnings") != "1":
        raise InvalidInput({"confirm_warnings": msg.SCHEME_CONFIRM_WARNINGS})
    note = str(data.get("note", ""))
    return service.save_version(session, checked.body, note, user_id, backdated=checked.backdated)


def withdraw_version(
    session: Session, scheme_key: str, version: int, *, reason: str, user_id: int, today: date
) -> SubsidySchemeVersion:
    """Withdraw a version not yet in force (kept, marked, audited). Raises InvalidInput on `reason`, Conflict
    when the version is in force, past or already withdrawn."""
    row = session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key == scheme_key,
                                                          SubsidySchemeVersion.version == version)).first()
    if row is None:
        raise NotFound(msg.SCHEME_NOT_FOUND)
    if row.withdrawn_at is not None or row.effective_from <= today:
        raise Conflict(msg.SCHEME_WITHDRAW_TOO_LATE)
    if len(reason.strip()) < 2:
        raise InvalidInput({"reason": msg.SCHEME_WITHDRAW_REASON})
    row.withdrawn_at, row.withdrawn_by_id, row.withdraw_reason = now(), user_id, reason.strip()[:300]
    session.add(row)
    audit.record(session, user_id=user_id, action="scheme.version_withdrawn", object_type="subsidy_scheme_version",
                 object_id=row.id, detail=f"{scheme_key} v{version}：{row.withdraw_reason}")
    session.commit()
    return row


# ------------------------------------------------------------------ warnings (confirmed, not refused)


def warnings_for(session: Session, scheme: pricing.Scheme) -> list[str]:
    """What looks doubtful but may be meant: a tier without condition, zero amounts or caps, unlikely ages,
    overlapping tiers, place and hukou names the seniors' records do not use."""
    found: list[str] = []
    categories = scheme.subsidy.categories if scheme.subsidy else ()
    for i, category in enumerate(categories, start=1):
        found += _category_warnings(i, category)
    found += _overlaps(categories)
    if scheme.subsidy is not None:
        caps = scheme.subsidy.caps
        zero = [n for n in ("meals_per_day", "meals_per_week", "meals_per_month") if getattr(caps, n) == 0]
        found += [msg.SCHEME_WARN_ZERO_CAP] if zero else []
    return found + _vocabulary(session, scheme)


def _category_warnings(i: int, category: Any) -> list[str]:
    found = []
    when, benefit = category.when, category.benefit
    if when == type(when)():
        found.append(msg.SCHEME_WARN_NO_CONDITION.format(n=i, name=category.name))
    zero = (benefit.kind == "fixed" and benefit.amount_fen == 0) or benefit.cap_fen == 0
    if zero:
        found.append(msg.SCHEME_WARN_ZERO.format(n=i, name=category.name))
    for age in (when.min_age, when.max_age):
        if age is not None and not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
            found.append(msg.SCHEME_WARN_AGE.format(n=i, name=category.name, age=age))
    return found


def _overlaps(categories: tuple[Any, ...]) -> list[str]:
    """Tiers whose conditions differ only in age, with age ranges that meet: a senior in both gets the larger
    benefit only, which is often a slip in the bands (60–80 and 80+)."""
    found = []
    for i, a in enumerate(categories):
        for j in range(i + 1, len(categories)):
            b = categories[j]
            same_rest = _without_age(a.when) == _without_age(b.when)
            low = max(a.when.min_age or 0, b.when.min_age or 0)
            high = min(a.when.max_age if a.when.max_age is not None else 999,
                       b.when.max_age if b.when.max_age is not None else 999)
            if same_rest and low <= high:
                found.append(msg.SCHEME_WARN_OVERLAP.format(a=i + 1, b=j + 1, low=low, high=high))
    return found


def _without_age(when: Any) -> tuple[Any, ...]:
    fields = ("hukou_city", "hukou_district", "residence_city", "residence_district", "residence_town",
              "economic_status", "min_care_level", "disability_level", "lives_alone", "special_groups", "any_of")
    return tuple(getattr(when, f) for f in fields)


def _vocabulary(session: Session, scheme: pricing.Scheme) -> list[str]:
    """Names the seniors' records never use ("天津市" where they store 天津) match nobody."""
    known = {
        "hukou_city": set(session.exec(select(Senior.hukou_city).distinct()).all()),
        "residence_city": set(session.exec(select(Senior.residence_city).distinct()).all()),
        "residence_district": set(session.exec(select(Senior.residence_district).distinct()).all()),
    }
    found = []
    area = scheme.area
    for level, name in (("residence_city", area.city), ("residence_district", area.district)):
        if name and known[level] and name not in known[level]:
            found.append(msg.SCHEME_WARN_AREA.format(name=name, known="、".join(sorted(known[level])[:8])))
    for i, category in enumerate(scheme.subsidy.categories if scheme.subsidy else (), start=1):
        for value in sorted(category.when.hukou_city - known["hukou_city"]) if known["hukou_city"] else ():
            found.append(msg.SCHEME_WARN_HUKOU.format(n=i, name=value,
                                                      known="、".join(sorted(known["hukou_city"])[:8])))
    return found


# ------------------------------------------------------------------ preview


@dataclass(frozen=True)
class TierCount:
    name: str
    seniors: int


@dataclass(frozen=True)
class FunderCost:
    name: str
    before_fen: int
    after_fen: int


@dataclass(frozen=True)
class Preview:
    """What the version would do: seniors of its area per tier (for a sample meal) and last month's orders
    priced again: who would pay more or less, and what each funder would have paid."""

    seniors: int
    tiers: list[TierCount]
    month: str
    orders: int
    pay_more: int
    pay_less: int
    subsidy_before_fen: int
    subsidy_after_fen: int
    funders: list[FunderCost]

    @property
    def change_fen(self) -> int:
        return self.subsidy_after_fen - self.subsidy_before_fen


def preview(session: Session, scheme: pricing.Scheme, today: date) -> Preview:
    seniors = _area_seniors(session, scheme.area)
    counts: dict[str, int] = defaultdict(int)
    for senior in seniors:
        counts[_sample_category(session, scheme, senior)] += 1
    names = [c.name for c in scheme.subsidy.categories] if scheme.subsidy else []
    tiers = [TierCount(n, counts.get(n, 0)) for n in names] + [TierCount(msg.SCHEME_PREVIEW_NONE, counts.get("", 0))]
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    # Last month priced as if the version had been in force then (the engine prices only dates in force).
    as_then = replace(scheme, effective_from=first, effective_to=None)
    month = _reprice_month(session, as_then, first, today.replace(day=1) - timedelta(days=1))
    return Preview(len(seniors), tiers, f"{first:%Y年%m月}", *month)


def _area_seniors(session: Session, area: pricing.Area) -> list[Senior]:
    query = select(Senior).where(Senior.status == "active")
    if area.city:
        query = query.where(Senior.residence_city == area.city)
    if area.district:
        query = query.where(Senior.residence_district == area.district)
    if area.town:
        query = query.where(Senior.residence_street == area.town)
    return list(session.exec(query.order_by(col(Senior.id))).all())


def _sample_category(session: Session, scheme: pricing.Scheme, senior: Senior) -> str:
    """The tier a senior would get on a sample dine-in lunch at a canteen of the scheme's area."""
    day = scheme.effective_from
    subsidy = scheme.subsidy
    slot = "lunch" if subsidy is None or "lunch" in subsidy.slots else sorted(subsidy.slots)[0]
    channel = "dine_in" if subsidy is None or "dine_in" in subsidy.channels else sorted(subsidy.channels)[0]
    area = scheme.area
    request = pricing.PriceRequest(
        canteen_key="preview", canteen_city=area.city or senior.residence_city,
        canteen_district=area.district or senior.residence_district,
        canteen_town=area.town or senior.residence_street, service_date=day, slot=slot, channel=channel,
        lines=(pricing.Line("sample", "示例套餐", SAMPLE_MEAL_FEN, 1),), delivery_fee_fen=0)
    facts = service.eligibility_facts_for(session, senior, day)
    return pricing.price(facts, request, pricing.Usage(), scheme).category_name if scheme.subsidy else ""


def _scheme_canteens(session: Session, scheme: pricing.Scheme) -> list[Canteen]:
    """The canteens attached to the scheme; for a scheme none is attached to yet, those of its district."""
    attached = session.exec(select(Canteen).where(Canteen.scheme_key == scheme.key)).all()
    if attached or not scheme.area.district:
        return list(attached)
    return list(session.exec(select(Canteen).where(Canteen.district == scheme.area.district)).all())


def _reprice_month(
    session: Session, scheme: pricing.Scheme, first: date, last: date
) -> tuple[int, int, int, int, int, list[FunderCost]]:
    """Last month's claimed orders at the scheme's canteens priced again by `scheme`, in order, each senior's
    caps counted as they fill."""
    canteens = {c.id: c for c in _scheme_canteens(session, scheme)}
    orders = [o for o in session.exec(
        select(Order).where(col(Order.canteen_id).in_(list(canteens)), col(Order.service_date).between(first, last))
        .order_by(col(Order.service_date), col(Order.created_at), col(Order.id))).all()
        if is_claimed(o.status, o.fulfilment)]
    lines = _lines(session, [o.id or 0 for o in orders])
    before: dict[str, int] = defaultdict(int)
    for name, amount in session.exec(select(OrderSubsidy.funder_name, OrderSubsidy.amount_fen)
                                     .where(col(OrderSubsidy.order_id).in_([o.id for o in orders]))).all():
        before[name] += amount
    after: dict[str, int] = defaultdict(int)
    paid: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    used: dict[int, list[pricing.UsageRecord]] = defaultdict(list)
    seniors = {s.id: s for s in session.exec(select(Senior).where(
        col(Senior.id).in_({o.senior_id for o in orders}))).all()}
    for order in orders:
        breakdown = _reprice(session, scheme, order, canteens[order.canteen_id], seniors[order.senior_id],
                             lines.get(order.id or 0, ()), used[order.senior_id])
        used[order.senior_id].append(pricing.UsageRecord(order.service_date, order.slot, breakdown.subsidy_fen,
                                                         breakdown.subsidised_meals))
        for share in breakdown.shares:
            after[share.funder_name] += share.amount_fen
        paid[order.senior_id][0] += order.payable_fen
        paid[order.senior_id][1] += breakdown.payable_fen
    funders = [FunderCost(n, before.get(n, 0), after.get(n, 0)) for n in sorted(set(before) | set(after))]
    more = sum(1 for old, new in paid.values() if new > old)
    less = sum(1 for old, new in paid.values() if new < old)
    return len(orders), more, less, sum(before.values()), sum(after.values()), funders


def _lines(session: Session, order_ids: list[int]) -> dict[int, tuple[pricing.Line, ...]]:
    found: dict[int, list[pricing.Line]] = defaultdict(list)
    for line in session.exec(select(OrderLine).where(col(OrderLine.order_id).in_(order_ids))).all():
        found[line.order_id].append(pricing.Line(str(line.menu_item_id), line.name, line.unit_price_fen,
                                                 line.quantity))
    return {k: tuple(v) for k, v in found.items()}


def _reprice(session: Session, scheme: pricing.Scheme, order: Order, canteen: Canteen, senior: Senior,
             lines: tuple[pricing.Line, ...], records: list[pricing.UsageRecord]) -> pricing.PriceBreakdown:
    request = pricing.PriceRequest(
        canteen_key=str(canteen.id), canteen_city=scheme.area.city or senior.residence_city,
        canteen_district=canteen.district, canteen_town=canteen.street, service_date=order.service_date,
        slot=order.slot, channel=order.fulfilment, lines=lines, delivery_fee_fen=order.delivery_fee_fen)
    facts = service.eligibility_facts_for(session, senior, order.service_date)
    usage = pricing.usage_from(records, order.service_date, order.slot)
    return pricing.price(facts, request, usage, scheme)


def attached_canteens(session: Session, scheme_key: str) -> list[tuple[int, str, str]]:
    """(id, name, district) of the canteens priced by the scheme."""
    rows = session.exec(select(Canteen.id, Canteen.name, Canteen.district).where(Canteen.scheme_key == scheme_key)
                        .order_by(col(Canteen.name))).all()
    return [(cid or 0, name, district) for cid, name, district in rows]


@dataclass(frozen=True)
class SchemeChoice:
    """A scheme as the canteen form offers it: its newest live version's name and area."""

    key: str
    name: str
    area: pricing.Area

    def covers(self, district: str, town: str) -> bool:
        """Whether a canteen in `district` / `town` lies in the scheme's area (canteens record no city)."""
        return self.area.contains(self.area.city, district, town)


def scheme_choices(session: Session) -> list[SchemeChoice]:
    """Every scheme with a live version, for attaching canteens."""
    rows = session.exec(select(SubsidySchemeVersion).where(col(SubsidySchemeVersion.withdrawn_at).is_(None))
                        .order_by(col(SubsidySchemeVersion.scheme_key), col(SubsidySchemeVersion.version))).all()
    newest = {row.scheme_key: row for row in rows}
    return [SchemeChoice(key, row.name, service._parsed(row.body).area) for key, row in sorted(newest.items())]
