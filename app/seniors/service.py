"""Operators keep seniors' records: eligibility evidence with validity dates (audited), pauses for a hospital stay,
and marking a senior deceased or moved away, which withdraws their future orders."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, and_, col, or_, select

from app import accounts, ordering
from app.core import allergens, audit
from app.core import messages as msg
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.forms import parse_date, parse_form
from app.core.principal import Principal
from app.core.privacy import mask_id_number
from app.models import (
    Canteen,
    EmergencyContact,
    HelperLink,
    Order,
    Senior,
    User,
    now,
)
from app.seniors import reimport
from app.seniors.location import PointForm, read_point
from app.seniors.record_form import SeniorForm

PAGE_SIZE = 50
STATUS_NAMES = {"active": "正常", "paused": "暂停送餐", "deceased": "已故", "moved": "已迁出"}
# Fields whose change alters what a senior pays: each change is written to the audit log with old and new values.
ELIGIBILITY = ("economic_status", "economic_source", "economic_valid_from", "economic_valid_to", "care_level",
               "disability_level", "lives_alone", "all_elderly_household", "special_groups", "hukou_city",
               "hukou_district", "residence_city", "residence_district")  # discounts follow residence


@dataclass(frozen=True)
class SeniorRow:
    id: int
    name: str
    masked_id: str
    age: int
    phone: str
    address: str
    status: str
    paused_until: date | None
    lives_alone: bool
    economic_status: str


@dataclass(frozen=True)
class StatusChange:
    cancelled: list[str]  # order numbers withdrawn
    kept: list[str]  # order numbers past their change window: the kitchen and drivers must be told


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def list_seniors(session: Session, *, q: str = "", canteen_id: int | None = None, status: str = "",
                 today: date, limit: int = PAGE_SIZE, allowed: frozenset[int] | None = None,
                 after: int | None = None) -> list[SeniorRow]:
    """Search by name, phone or the last digits of the ID number (the part a masked number still shows).

    `allowed` is an operator's canteen scope (None: every canteen): seniors of other canteens never show.
    Pages are keyset pages in (name, id) order: `after` is the last row's id (never a name in the address bar),
    so page 400 of a city costs what page 1 does."""
    query = select(Senior)
    last = session.get(Senior, after) if after else None
    if last is not None:
        query = query.where(or_(col(Senior.name) > last.name,
                                and_(col(Senior.name) == last.name, col(Senior.id) > last.id)))
    if allowed is not None:
        query = query.where(col(Senior.default_canteen_id).in_(allowed))
    q = q.strip()
    if q:
        query = query.where(or_(col(Senior.name).contains(q, autoescape=True),
                                col(Senior.phone).contains(q, autoescape=True),
                                col(Senior.id_number).endswith(q.upper(), autoescape=True)))
    if canteen_id:
        query = query.where(Senior.default_canteen_id == canteen_id)
    if status in STATUS_NAMES:
        query = query.where(Senior.status == status)
    rows = session.exec(query.order_by(col(Senior.name), col(Senior.id)).limit(limit)).all()
    return [SeniorRow(s.id or 0, s.name, mask_id_number(s.id_number), age_on(s.birth_date, today), s.phone,
                      s.address, s.status, s.paused_until, s.lives_alone, s.economic_status) for s in rows]


def without_card(session: Session, allowed: frozenset[int] | None) -> list[int]:
    """Seniors still served (active or paused) who have no 助餐卡 yet, within an operator's canteen scope."""
    query = select(Senior.id).where(col(Senior.card_no).is_(None), col(Senior.status).in_(("active", "paused")))
    if allowed is not None:
        query = query.where(col(Senior.default_canteen_id).in_(allowed))
    return [i for i in session.exec(query.order_by(col(Senior.id))).all() if i is not None]


def set_point(session: Session, senior_id: int, data: dict[str, str], *, user_id: int | None) -> Senior:
    """The delivery point from pasted coordinates or a map link, stored in WGS-84. Bad input changes nothing."""
    form = parse_form(PointForm, data)
    try:
        lat, lng = read_point(form)
    except ValueError as e:
        raise InvalidInput({"point": str(e)}) from None
    senior = get_senior(session, senior_id)
    senior.lat, senior.lng, senior.updated_at = round(lat, 6), round(lng, 6), now()
    senior.point_source, senior.building_id = "manual", None  # a matching run never replaces it
    session.add(senior)
    audit.record(session, user_id=user_id, action="senior.point", object_type="senior", object_id=senior_id,
                 detail=f"送餐位置（{form.datum}）已设置")
    session.commit()
    return senior


def get_senior(session: Session, senior_id: int) -> Senior:
    senior = session.get(Senior, senior_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    return senior


def check_scope(session: Session, principal: Principal, senior_id: int) -> Senior:
    """An operator of some canteens reaches only the seniors whose canteen is among them."""
    senior = get_senior(session, senior_id)
    scope = principal.canteens_for("operator")
    if None not in scope and senior.default_canteen_id not in scope:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    return senior


def open_record(session: Session, senior_id: int, *, user_id: int | None, address: str = "") -> Senior:
    """A senior's full record (phone, address, contacts, eligibility) is a sensitive read: it is audited."""
    senior = get_senior(session, senior_id)
    audit.record(session, user_id=user_id, action="senior.view", object_type="senior", object_id=senior_id,
                 address=address)
    session.commit()
    return senior


def record_upload(session: Session, *, user_id: int | None, address: str, rows: int, size: int) -> None:
    """A register upload puts a whole street's personal data on the server: it is audited (review #13, 13)."""
    audit.record(session, user_id=user_id, action="senior.import_upload", object_type="senior",
                 detail=f"上传名册：{rows} 行，{size} 字节", address=address)
    session.commit()


def record_preview(session: Session, *, user_id: int | None, address: str, rows: int, invalid: int) -> None:
    """The preview shows names, phones and addresses of every row: a sensitive read, audited."""
    audit.record(session, user_id=user_id, action="senior.import_preview", object_type="senior",
                 detail=f"预览名册：{rows} 行，不符合要求 {invalid} 行", address=address)
    session.commit()


def contacts(session: Session, senior_id: int) -> list[EmergencyContact]:
    return list(session.exec(select(EmergencyContact).where(EmergencyContact.senior_id == senior_id)
                             .order_by(col(EmergencyContact.priority))).all())


def form_of(senior: Senior) -> dict[str, str]:
    """The edit form's values as text, the way the form posts them back."""
    def text(v: object) -> str:
        return "" if v is None else ("1" if v is True else "" if v is False else str(v))
    return {k: text(getattr(senior, k)) for k in EDITABLE}


EDITABLE = ("phone", "address", "floor", "has_lift", "texture", "allergies", "diet_restrictions",
            "preferred_fulfilment", "default_canteen_id", "driver_notes", "residence_street", *ELIGIBILITY)


def update_senior(session: Session, senior_id: int, form: dict[str, str], *, user_id: int | None) -> Senior:
    """Validate every field first (nothing partial is saved), then write and audit the changes."""
    senior = get_senior(session, senior_id)
    values = _parse(session, form)
    changed = {k: (getattr(senior, k), v) for k, v in values.items() if getattr(senior, k) != v}
    for key, (_old, new) in changed.items():
        setattr(senior, key, new)
    if changed:
        reimport.remember_hand(senior, changed)
        senior.updated_at = now()
        session.add(senior)
        detail = "；".join(f"{k}: {old} → {new}" if k in ELIGIBILITY else k for k, (old, new) in changed.items())
        action = "senior.eligibility" if set(changed) & set(ELIGIBILITY) else "senior.update"
        audit.record(session, user_id=user_id, action=action, object_type="senior", object_id=senior_id,
                     detail=detail)
    session.commit()
    return senior


def _parse(session: Session, form: dict[str, str]) -> dict[str, object]:
    """The typed form (every field checked at once), then what needs the database: the canteen exists."""
    errors: dict[str, str] = {}
    try:
        values = parse_form(SeniorForm, form).model_dump()
    except InvalidInput as e:
        errors, values = dict(e.errors), {}
    canteen_id = values.get("default_canteen_id")
    if canteen_id is not None and session.get(Canteen, canteen_id) is None:
        errors["default_canteen_id"] = msg.CANTEEN_NOT_FOUND
    if errors:
        raise InvalidInput(errors)
    return values


# ---------------------------------------------------------------- pauses and leaving


def pause(session: Session, principal: Principal, senior_id: int, resume_text: str, reason: str, *,
          today: date) -> StatusChange:
    """A hospital stay: no deliveries until the resume date (the last paused day is the day before it)."""
    senior = get_senior(session, senior_id)
    try:
        resume = parse_date(resume_text)
    except ValueError:
        resume = None
    if resume is None or resume <= today:
        raise InvalidInput({"resume": msg.SENIOR_RESUME_INVALID})
    senior.status, senior.paused_until, senior.updated_at = "paused", resume - timedelta(days=1), now()
    session.add(senior)
    audit.record(session, user_id=principal.user_id, action="senior.pause", object_type="senior",
                 object_id=senior_id, detail=f"暂停至 {senior.paused_until}，{resume} 恢复。{reason.strip()[:200]}")
    session.commit()
    return _withdraw(session, principal, senior_id, today, senior.paused_until)


def resume(session: Session, senior_id: int, *, user_id: int | None) -> Senior:
    senior = get_senior(session, senior_id)
    if senior.status == "paused":
        senior.status, senior.paused_until, senior.updated_at = "active", None, now()
        session.add(senior)
        audit.record(session, user_id=user_id, action="senior.resume", object_type="senior", object_id=senior_id)
        session.commit()
    return senior


def resume_due(session: Session, today: date) -> int:
    """Pauses whose last day has passed end by themselves (housekeeping, idempotent)."""
    due = session.exec(select(Senior).where(Senior.status == "paused", col(Senior.paused_until) < today)).all()
    for senior in due:
        senior.status, senior.paused_until = "active", None
        session.add(senior)
    if due:
        session.commit()
    return len(due)


def mark_gone(session: Session, principal: Principal, senior_id: int, status: str, note: str, *,
              today: date) -> StatusChange:
    """Deceased or moved away: the record stays (the ledger refers to it), future orders are withdrawn."""
    if status not in ("deceased", "moved"):
        raise InvalidInput({"status": msg.SENIOR_CHOICE_INVALID})
    senior = get_senior(session, senior_id)
    senior.status, senior.paused_until, senior.updated_at = status, None, now()
    session.add(senior)
    audit.record(session, user_id=principal.user_id, action=f"senior.{status}", object_type="senior",
                 object_id=senior_id, detail=note.strip()[:300])
    session.commit()
    return _withdraw(session, principal, senior_id, today, None)


def _withdraw(session: Session, principal: Principal, senior_id: int, start: date, end: date | None
              ) -> StatusChange:
    """Cancel standing orders from `start` (to `end`) through ordering's own cancel_order, so portions and the
    subsidy slot are released the one way. The operator acts as counter staff of every canteen for this; an
    order past its change window is left standing and reported, because the kitchen may already be cooking."""
    query = select(Order).where(Order.senior_id == senior_id, Order.status == "placed",
                                col(Order.service_date) >= start)
    if end is not None:
        query = query.where(col(Order.service_date) <= end)
    orders = session.exec(query.order_by(col(Order.service_date))).all()
    acting = dataclasses.replace(principal, roles={**principal.roles, "counter": frozenset({None})})
    cancelled, kept = [], []
    for order in orders:
        try:
            ordering.cancel_order(session, acting, order.id or 0)
            cancelled.append(order.public_no)
        except AppError:
            kept.append(order.public_no)
    return StatusChange(cancelled, kept)


# ---------------------------------------------------------------- helpers linked from the record (issue 14)

CONSENT_METHODS = accounts.CONSENT_METHODS
ALLERGENS = allergens.ALLERGENS
HELPER_FIELDS = ("helper_phone", "relation", "consent_by", "consent_method", "consent_date")


@dataclass(frozen=True)
class HelperRow:
    name: str
    phone: str
    relation: str
    consent: str


def link_helper(session: Session, principal: Principal, senior_id: int, data: dict[str, str], *, today: date,
                address: str = "") -> None:
    """The family link made on the senior's record: accounts' own rule (consent recorded, helper role checked,
    audited), with the senior given by the record instead of a typed card number."""
    fields = {k: data.get(k, "").strip()[:100] for k in HELPER_FIELDS}
    accounts.link_helper(session, principal, accounts.LinkForm(**fields, senior_id=str(senior_id)), today, address)


def helpers_of(session: Session, senior_id: int) -> list[HelperRow]:
    rows = session.exec(select(HelperLink, User).join(User, col(User.id) == col(HelperLink.helper_id))
                        .where(HelperLink.senior_id == senior_id, col(HelperLink.revoked_at).is_(None))
                        .order_by(col(HelperLink.id))).all()
    return [HelperRow(u.name, u.phone or "", link.relation, f"{link.consent_by}{link.consent_method}同意")
            for link, u in rows]
