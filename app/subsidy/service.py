"""Pricing use-cases: rows in, `app.pricing` dataclasses through the engine, snapshots and shares back out.

`quote` is what ordering calls inside `place_order`, after locking the senior row (`lock_senior`): it reads the
senior's standing orders in the same transaction, so two concurrent orders cannot both take a capped subsidy.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import pricing
from app.core import audit, revision
from app.core import messages as msg
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.principal import Principal
from app.models import (
    Canteen,
    Order,
    OrderSubsidy,
    Senior,
    SubsidySchemeVersion,
    User,
    split_tags,
)

# Orders that no longer hold their subsidy: a cancellation or refund releases the cap slot.
RELEASED_STATUSES = ("cancelled", "refunded")


def lock_senior(session: Session, senior_id: int) -> Senior:
    """Take the senior's row lock (SELECT … FOR UPDATE; SQLite serialises writers anyway) before `quote`."""
    senior = session.exec(select(Senior).where(Senior.id == senior_id).with_for_update()).first()
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    return senior


def eligibility_facts_for(session: Session, senior: Senior, day: date) -> pricing.EligibilityFacts:
    """The senior's facts as the engine sees them on `day` (the engine applies status validity dates)."""
    return pricing.EligibilityFacts(
        birth_date=senior.birth_date,
        hukou_city=senior.hukou_city,
        hukou_district=senior.hukou_district,
        residence_city=senior.residence_city,
        residence_district=senior.residence_district,
        residence_town=senior.residence_street,
        economic_status=senior.economic_status,
        economic_status_valid_from=senior.economic_valid_from,
        economic_status_valid_to=senior.economic_valid_to,
        care_level=senior.care_level,
        disability_level=senior.disability_level,
        lives_alone=senior.lives_alone,
        all_elderly_household=senior.all_elderly_household,
        special_groups=frozenset(split_tags(senior.special_groups)),
    )


def usage_for(
    session: Session,
    senior_id: int,
    scheme_key: str,
    day: date,
    slot: str = "",
    *,
    exclude_order_id: int | None = None,
) -> pricing.Usage:
    """Subsidy the senior holds under `scheme_key` in the slot, day, ISO week and month of `day`, summed from
    the snapshots of standing orders. `exclude_order_id` leaves out an order being changed."""
    first = min(day.replace(day=1), day - timedelta(days=day.weekday()))
    last = max(_month_end(day), day + timedelta(days=6 - day.weekday()))
    params = {"senior_id": senior_id, "scheme_key": scheme_key, "first": first, "last": last}
    if exclude_order_id is None:
        rows = session.execute(_USAGE, params).all()
    else:
        rows = session.execute(_USAGE_EXCEPT, {**params, "order_id": exclude_order_id}).all()
    return pricing.usage_from([pricing.UsageRecord(*row) for row in rows], day, slot)


# Read for every order priced: built once, so only its compiled form is looked up (issue 21).
_USAGE = select(col(Order.service_date), col(Order.slot), col(Order.subsidy_fen),
                col(Order.subsidised_meals)).where(
    col(Order.senior_id) == bindparam("senior_id"),
    col(Order.scheme_key) == bindparam("scheme_key"),
    col(Order.subsidised_meals) > 0,
    col(Order.status).not_in(RELEASED_STATUSES),
    col(Order.service_date).between(bindparam("first"), bindparam("last")),
)
_USAGE_EXCEPT = _USAGE.where(col(Order.id) != bindparam("order_id"))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def scheme_versions(session: Session, scheme_key: str) -> list[pricing.Scheme]:
    """The scheme's versions in force, parsed. Kept per process under the catalogue stamp, which every new or
    withdrawn version moves in its own transaction: pricing an order reads no scheme text (issue 21)."""
    return list(revision.kept(session, ("scheme_versions", scheme_key), lambda: tuple(
        _parsed(body) for body in session.exec(_VERSIONS_IN_FORCE, params={"scheme_key": scheme_key}).all())))


_VERSIONS_IN_FORCE = select(SubsidySchemeVersion.body).where(
    col(SubsidySchemeVersion.scheme_key) == bindparam("scheme_key"), col(SubsidySchemeVersion.withdrawn_at).is_(None))


@lru_cache(maxsize=256)
def _parsed(body: str) -> pricing.Scheme:
    """A scheme version's JSON parsed once per process. Keyed by the text itself, so an edited or new version is
    parsed afresh and no edit anywhere needs to invalidate anything; `pricing.Scheme` is immutable."""
    return pricing.load_scheme(json.loads(body))


def scheme_for(session: Session, scheme_key: str, day: date) -> pricing.Scheme | None:
    return pricing.scheme_in_force(scheme_versions(session, scheme_key), day)


def quote(
    session: Session,
    senior_id: int,
    canteen_id: int,
    day: date,
    slot: str,
    channel: str,
    lines: Iterable[pricing.Line],
    *,
    delivery_fee_fen: int = 0,
    exclude_order_id: int | None = None,
    canteen_row: Canteen | None = None,
) -> pricing.PriceBreakdown:
    """Price one order by the scheme of the canteen in force on `day`. Raises NotFound for an unknown senior or
    canteen and ValueError for malformed lines; an order no scheme covers is priced in full. A caller that
    already holds the canteen's row (ordering keeps a read-only copy per process) passes it as `canteen_row`,
    saving a query per order."""
    senior = session.get(Senior, senior_id)
    canteen = canteen_row if canteen_row is not None and canteen_row.id == canteen_id \
        else session.get(Canteen, canteen_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    if canteen is None:
        raise NotFound(msg.CANTEEN_NOT_FOUND)
    scheme = scheme_for(session, canteen.scheme_key, day)
    request = _request(canteen, senior, scheme, day, slot, channel, tuple(lines), delivery_fee_fen)
    if scheme is None:
        return pricing.full_price(request, msg.NO_SCHEME_IN_FORCE)
    usage = usage_for(session, senior_id, scheme.key, day, slot, exclude_order_id=exclude_order_id)
    return pricing.price(eligibility_facts_for(session, senior, day), request, usage, scheme)


def _request(
    canteen: Canteen,
    senior: Senior,
    scheme: pricing.Scheme | None,
    day: date,
    slot: str,
    channel: str,
    lines: tuple[pricing.Line, ...],
    delivery_fee_fen: int,
) -> pricing.PriceRequest:
    # Canteens record district and street, not the city: a canteen lies in its scheme's city (or, for a
    # scheme without one, the senior's).
    city = scheme.area.city if scheme is not None and scheme.area.city else senior.residence_city
    return pricing.PriceRequest(
        canteen_key=str(canteen.id),
        canteen_city=city,
        canteen_district=canteen.district,
        canteen_town=canteen.street,
        service_date=day,
        slot=slot,
        channel=channel,
        lines=lines,
        delivery_fee_fen=delivery_fee_fen,
    )


def snapshot_fields(breakdown: pricing.PriceBreakdown) -> dict[str, Any]:
    """The price snapshot as `Order` columns: `Order(**snapshot_fields(b), ...)` or `order.sqlmodel_update(...)`."""
    return {
        "list_fen": breakdown.list_fen,
        "discount_fen": breakdown.discount_fen,
        "subsidy_fen": breakdown.subsidy_fen,
        "payable_fen": breakdown.payable_fen,
        "delivery_fee_fen": breakdown.delivery_fee_fen,
        "subsidised_meals": breakdown.subsidised_meals,
        "scheme_key": breakdown.scheme_key,
        "scheme_version": breakdown.scheme_version,
        "category_key": breakdown.category_key,
        "category_name": breakdown.category_name,
        "explanation": breakdown.explanation,
        "price_detail": json.dumps(breakdown.to_dict(), ensure_ascii=False),
    }


def subsidy_day_for(session: Session, breakdown: pricing.PriceBreakdown, day: date) -> date | None:
    """`day` when this order takes the one subsidised meal a day its scheme allows (the `Order.subsidy_day`
    the database keeps unique per senior), else None."""
    if breakdown.subsidised_meals < 1 or not breakdown.scheme_key:
        return None
    scheme = scheme_for(session, breakdown.scheme_key, day)
    if scheme is None or scheme.subsidy is None or scheme.subsidy.caps.meals_per_day != 1:
        return None
    return day


def subsidy_rows(order_id: int, breakdown: pricing.PriceBreakdown) -> list[OrderSubsidy]:
    """One `OrderSubsidy` per funder share; they sum to the order's subsidy_fen."""
    return [
        OrderSubsidy(
            order_id=order_id,
            funder_key=share.funder_key,
            funder_name=share.funder_name,
            category_key=breakdown.category_key,
            amount_fen=share.amount_fen,
        )
        for share in breakdown.shares
    ]


def breakdown_of(order: Order) -> pricing.PriceBreakdown:
    """The snapshot stored with an order, as the engine's dataclass (for receipts and the ordering pages)."""
    return pricing.PriceBreakdown.from_dict(json.loads(order.price_detail))


# ------------------------------------------------------------------ scheme versions (operators)


def require_scheme_editor(principal: Principal) -> None:
    """A scheme prices every canteen it covers, so only a district operator (every canteen) may change it."""
    if None not in principal.canteens_for("operator"):
        raise Forbidden(msg.SCHEME_DISTRICT_ONLY)


@dataclass(frozen=True)
class SchemeVersionView:
    """One stored version, as the operator pages list it."""

    id: int
    scheme_key: str
    name: str
    version: int
    effective_from: date
    effective_to: date | None
    note: str
    created_by: str
    created_at: datetime
    in_force: bool
    body: str
    withdrawn_at: datetime | None = None
    withdraw_reason: str = ""

    @property
    def rules(self) -> list[str]:
        """The version in plain Chinese (stored versions were validated when saved)."""
        return pricing.describe(pricing.load_scheme(json.loads(self.body)))

    @property
    def pretty_body(self) -> str:
        """The rules indented for reading and editing (seeds store them on one line)."""
        return json.dumps(json.loads(self.body), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class SchemeOverview:
    """A scheme on the operators' list: the version in force today and those already scheduled."""

    scheme_key: str
    name: str
    in_force: SchemeVersionView | None
    upcoming: list[SchemeVersionView]
    versions: int


def scheme_overview(session: Session, day: date) -> list[SchemeOverview]:
    keys = session.exec(select(SubsidySchemeVersion.scheme_key).distinct()).all()
    found = []
    for key in sorted(keys):
        history = scheme_history(session, key, day)
        in_force = next((v for v in history if v.in_force), None)
        upcoming = sorted((v for v in history if v.effective_from > day), key=lambda v: v.effective_from)
        found.append(SchemeOverview(key, (in_force or history[0]).name, in_force, upcoming, len(history)))
    return found


def scheme_history(session: Session, scheme_key: str, day: date) -> list[SchemeVersionView]:
    """Every version of a scheme, newest first, marking the one in force on `day`."""
    query = (
        select(SubsidySchemeVersion, User.name)
        .join(User, col(User.id) == SubsidySchemeVersion.created_by_id, isouter=True)
        .where(SubsidySchemeVersion.scheme_key == scheme_key)
        .order_by(col(SubsidySchemeVersion.version).desc())
    )
    rows = session.exec(query).all()
    schemes = {row.version: pricing.load_scheme(json.loads(row.body)) for row, _ in rows if row.withdrawn_at is None}
    current = pricing.scheme_in_force(schemes.values(), day)
    return [_view(row, who, current is not None and row.version == current.version) for row, who in rows]


def live_history(history: list[SchemeVersionView]) -> list[SchemeVersionView]:
    """The versions not withdrawn, newest first (what a new version follows)."""
    return [v for v in history if v.withdrawn_at is None]


def latest_version(session: Session, scheme_key: str, day: date) -> SchemeVersionView:
    """The newest stored version (what a new version starts from). Raises NotFound for an unknown scheme."""
    history = live_history(scheme_history(session, scheme_key, day)) or scheme_history(session, scheme_key, day)
    if not history:
        raise NotFound(msg.SCHEME_NOT_FOUND)
    return history[0]


def _view(row: SubsidySchemeVersion, who: str | None, in_force: bool) -> SchemeVersionView:
    return SchemeVersionView(
        id=row.id or 0,
        scheme_key=row.scheme_key,
        name=row.name,
        version=row.version,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        note=row.note,
        created_by=who or "系统",
        created_at=row.created_at,
        in_force=in_force,
        body=row.body,
        withdrawn_at=row.withdrawn_at,
        withdraw_reason=row.withdraw_reason,
    )


def add_scheme_version(
    session: Session, scheme_key: str, *, body: str, effective_from: str, note: str, user_id: int, today: date,
    warn: Callable[[pricing.Scheme], list[str]] | None = None, confirmed: bool = False,
) -> SubsidySchemeVersion:
    """Validate and store the next version of `scheme_key`, effective from a future date, and audit it. The
    server numbers the version and sets its date, so the body cannot contradict them. Raises InvalidInput with
    a Chinese message per form field (`body`, `effective_from`); nothing is saved then."""
    history = scheme_history(session, scheme_key, today)
    errors: dict[str, str] = {}
    start = _effective_from(effective_from, today, live_history(history), errors, reason=note)
    data = _body(body, scheme_key, errors)
    if data is not None and start is not None:
        data |= {"version": next_version_number(history), "effective_from": start.isoformat()}
        try:
            scheme = pricing.load_scheme(data)
            warnings = warn(scheme) if warn is not None else []
        except ValueError as exc:
            errors["body"] = str(exc)
        else:
            if warnings and not confirmed:
                errors["confirm_warnings"] = "；".join(warnings)
    if errors or data is None or start is None:
        raise InvalidInput(errors)
    return save_version(session, data, note, user_id, backdated=start <= today)


def next_version_number(history: list[SchemeVersionView]) -> int:
    """Numbers are never reused, not even a withdrawn version's."""
    return max((v.version for v in history), default=0) + 1


def _effective_from(
    text: str, today: date, history: list[SchemeVersionView], errors: dict[str, str], *, reason: str = ""
) -> date | None:
    """The start date as typed. Today or earlier only with a written reason (a backdated version is audited
    with it); never before the latest live version's start, so versions in force are never rewritten."""
    if not text.strip():
        errors["effective_from"] = msg.SCHEME_DATE_REQUIRED
        return None
    try:
        start = date.fromisoformat(text.strip())
    except ValueError:
        errors["effective_from"] = msg.SCHEME_DATE_INVALID
        return None
    if start <= today and len(reason.strip()) < 4:
        errors["effective_from"] = msg.SCHEME_DATE_NEEDS_REASON.format(day=today + timedelta(days=1))
    elif history and start < history[0].effective_from:
        errors["effective_from"] = msg.SCHEME_DATE_BEFORE_LATEST.format(
            version=history[0].version, day=history[0].effective_from
        )
    return start


def _body(text: str, scheme_key: str, errors: dict[str, str]) -> dict[str, Any] | None:
    if not text.strip():
        errors["body"] = msg.SCHEME_BODY_REQUIRED
        return None
    try:
        data = pricing.parse_json(text)
    except ValueError as exc:
        errors["body"] = str(exc)
        return None
    if not isinstance(data, dict):
        errors["body"] = msg.SCHEME_BODY_NOT_OBJECT
        return None
    if data.get("key", scheme_key) != scheme_key:
        errors["body"] = msg.SCHEME_KEY_FIXED.format(key=scheme_key, given=data.get("key"))
        return None
    return {"key": scheme_key} | data


def save_version(
    session: Session, data: dict[str, Any], note: str, user_id: int, *, backdated: bool = False
) -> SubsidySchemeVersion:
    scheme = pricing.load_scheme(data)
    row = SubsidySchemeVersion(
        scheme_key=scheme.key,
        name=scheme.name,
        version=scheme.version,
        effective_from=scheme.effective_from,
        effective_to=scheme.effective_to,
        body=json.dumps(data, ensure_ascii=False, indent=2),
        note=note.strip()[:300],
        created_by_id=user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # Another operator saved the same version number a moment earlier.
        session.rollback()
        raise Conflict(msg.SCHEME_VERSION_TAKEN) from None
    audit.record(
        session,
        user_id=user_id,
        action="scheme.version_backdated" if backdated else "scheme.version_added",
        object_type="subsidy_scheme_version",
        object_id=row.id,
        detail=f"{scheme.key} v{scheme.version} 自 {scheme.effective_from} 起生效；{row.note}",
    )
    session.commit()
    return row
