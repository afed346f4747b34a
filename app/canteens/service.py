"""Canteens, their meal slots and cutoffs, edited through validated forms: every field is checked before anything
is written, and each mistake comes back in words under its own field name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from sqlmodel import Session, col, select

from app import subsidy
from app.core import audit
from app.core import messages as msg
from app.core.errors import Forbidden, NotFound
from app.core.forms import (
    Clock,
    Flag,
    FormModel,
    Number,
    OptionalWholeNumber,
    Phone,
    Problems,
    Text,
    WholeNumber,
    parse_form,
)
from app.core.principal import Principal
from app.models import SLOTS, Canteen, CanteenSlot
from routing.geo import wgs84_to_gcj02

KINDS = {"canteen": "长者食堂", "point": "助餐点", "central_kitchen": "中央厨房"}


class CanteenForm(FormModel):
    name: Text = Field(title="名称", min_length=1, max_length=80)
    kind: Literal["canteen", "point", "central_kitchen"] = Field(title="类型")
    district: Text = Field(title="所在区", min_length=1, max_length=40)
    street: Text = Field(title="街道", min_length=1, max_length=40)
    address: Text = Field(title="地址", min_length=1, max_length=200)
    phone: Phone = Field(title="电话", min_length=1, max_length=30)
    lat: Number = Field(title="纬度", ge=-90.0, le=90.0)
    lng: Number = Field(title="经度", ge=-180.0, le=180.0)
    daily_capacity: WholeNumber = Field(title="每日供餐上限", ge=0, le=100000)
    delivery_radius_m: WholeNumber = Field(title="送餐半径", ge=0, le=20000)
    open_days: str = Field("", title="营业日")
    supplier_id: OptionalWholeNumber = Field(None, title="供餐厨房", ge=1, le=10**9)
    scheme_key: Text = Field("", title="补贴方案", max_length=60)
    active: Flag = False

    @field_validator("open_days")
    @classmethod
    def _days(cls, value: str) -> str:
        days = "".join(d for d in "1234567" if d in value)
        if not days:
            raise ValueError(msg.CANTEEN_OPEN_DAYS)
        return days


class SlotForm(FormModel):
    slot: Literal["breakfast", "lunch", "dinner"] = Field(title="餐次")
    serve_start: Clock = Field(title="开始供餐")
    serve_end: Clock = Field(title="结束供餐")
    cook_finish: Clock = Field(title="出餐（烹饪完成）")
    delivery_start: Clock = Field(title="开始送餐")
    delivery_end: Clock = Field(title="送达截止")
    dine_in_cutoff: Clock = Field(title="堂食/自取截止")
    delivery_cutoff: Clock = Field(title="送餐截止时刻")
    capacity: WholeNumber = Field(title="每餐上限", ge=0, le=10000)
    delivery_cutoff_days_before: WholeNumber = Field(title="送餐提前天数", ge=0, le=7)
    delivers: Flag = False


def allowed_canteens(principal: Principal) -> frozenset[int] | None:
    """The operator's canteen scope; None means every canteen."""
    scope = principal.canteens_for("operator")
    return None if None in scope else frozenset(c for c in scope if c is not None)


def check_canteen(principal: Principal, canteen_id: int) -> None:
    if not principal.may_see_canteen("operator", canteen_id):
        raise Forbidden(msg.CANTEEN_OUT_OF_SCOPE)


def list_canteens(session: Session, allowed: frozenset[int] | None = None) -> list[Canteen]:
    rows = session.exec(select(Canteen).order_by(col(Canteen.district), col(Canteen.id))).all()
    return [c for c in rows if allowed is None or c.id in allowed]


def canteen_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(id, name) of the canteens the operator may manage, for a select box."""
    return [(str(c.id), c.name) for c in list_canteens(session, allowed_canteens(principal))]


def get_canteen(session: Session, canteen_id: int) -> Canteen:
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(msg.CANTEEN_NOT_FOUND)
    return canteen


def canteen_form(c: Canteen | None) -> dict[str, str]:
    if c is None:
        return {"kind": "canteen", "daily_capacity": "300", "delivery_radius_m": "1500", "open_days": "1234567",
                "active": "1"}
    keys = ("name", "kind", "district", "street", "address", "lat", "lng", "phone", "daily_capacity",
            "delivery_radius_m", "open_days", "supplier_id", "scheme_key")
    out = {k: "" if getattr(c, k) is None else str(getattr(c, k)) for k in keys}
    return out | {"active": "1" if c.active else ""}


def save_canteen(session: Session, data: dict[str, str], *, user_id: int | None,
                 canteen_id: int | None = None) -> Canteen:
    form = parse_form(CanteenForm, data)
    problems = Problems()
    same = session.exec(select(Canteen).where(Canteen.name == form.name)).first()
    problems.check(same is None or same.id == canteen_id, "name", msg.MENU_NAME_TAKEN.format(name=form.name))
    supplier = form.supplier_id
    problems.check(supplier is None or (session.get(Canteen, supplier) is not None and supplier != canteen_id),
                   "supplier_id", msg.CANTEEN_NOT_FOUND)
    _check_scheme(session, problems, form)
    problems.done()
    canteen = get_canteen(session, canteen_id) if canteen_id else Canteen(
        name="", district="", street="", address="", lat=0, lng=0, gcj_lat=0, gcj_lng=0, phone="")
    for key, value in form.model_dump().items():
        setattr(canteen, key, value)
    gcj_lat, gcj_lng = wgs84_to_gcj02(canteen.lat, canteen.lng)
    canteen.gcj_lat, canteen.gcj_lng = round(gcj_lat, 6), round(gcj_lng, 6)
    session.add(canteen)
    session.flush()
    audit.record(session, user_id=user_id, action="canteen.save", object_type="canteen", object_id=canteen.id,
                 detail=canteen.name)
    session.commit()
    return canteen


def _check_scheme(session: Session, problems: Problems, form: CanteenForm) -> None:
    """The scheme must exist and cover the canteen's district and street: a canteen outside its scheme's area
    would price every meal in full without anyone noticing (issue 15)."""
    if not form.scheme_key:
        return
    choice = next((c for c in subsidy.scheme_choices(session) if c.key == form.scheme_key), None)
    problems.check(choice is not None, "scheme_key", msg.CANTEEN_SCHEME_UNKNOWN)
    if choice is not None:
        where = "".join(p for p in (choice.area.city, choice.area.district, choice.area.town) if p)
        problems.check(choice.covers(form.district, form.street), "scheme_key",
                       msg.CANTEEN_SCHEME_OUTSIDE.format(name=choice.name, area=where))


def scheme_status(session: Session, canteens: list[Canteen]) -> dict[int, tuple[str, bool]]:
    """Per canteen: the name of its scheme and whether that scheme's area covers it (False: every meal there is
    priced in full, the canteen list flags it)."""
    choices = {c.key: c for c in subsidy.scheme_choices(session)}
    found = {}
    for canteen in canteens:
        choice = choices.get(canteen.scheme_key)
        covered = choice is not None and choice.covers(canteen.district, canteen.street)
        found[canteen.id or 0] = (choice.name if choice else "", covered)
    return found


def scheme_options(session: Session) -> list[tuple[str, str]]:
    """The schemes a canteen may be attached to, for the canteen form's select box."""
    return [("", "不参加补贴方案（按原价）")] + [(c.key, c.name) for c in subsidy.scheme_choices(session)]


def slots_of(session: Session, canteen_id: int) -> list[CanteenSlot]:
    rows = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id)).all()
    return sorted(rows, key=lambda s: SLOTS.index(s.slot))


SLOT_TIMES = {"serve_start": "开始供餐", "serve_end": "结束供餐", "cook_finish": "出餐（烹饪完成）",
              "delivery_start": "开始送餐", "delivery_end": "送达截止", "dine_in_cutoff": "堂食/自取截止",
              "delivery_cutoff": "送餐截止时刻"}


def slot_form(s: CanteenSlot | None) -> dict[str, str]:
    if s is None:
        return {"slot": "lunch", "serve_start": "11:00", "serve_end": "13:00", "cook_finish": "10:45",
                "delivery_start": "11:00", "delivery_end": "12:30", "dine_in_cutoff": "09:30",
                "delivery_cutoff_days_before": "1", "delivery_cutoff": "17:00", "capacity": "200", "delivers": "1"}
    out = {k: f"{getattr(s, k):%H:%M}" for k in SLOT_TIMES}
    return out | {"slot": s.slot, "delivery_cutoff_days_before": str(s.delivery_cutoff_days_before),
                  "capacity": str(s.capacity), "delivers": "1" if s.delivers else ""}


def save_slot(session: Session, canteen_id: int, data: dict[str, str], *, user_id: int | None,
              slot_id: int | None = None) -> CanteenSlot:
    get_canteen(session, canteen_id)
    form = parse_form(SlotForm, data)
    problems = Problems()
    _check_slot_times(problems, form)
    same = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id,
                                                  CanteenSlot.slot == form.slot)).first()
    problems.check(same is None or same.id == slot_id, "slot", msg.SLOT_TWICE)
    problems.done()
    row = session.get(CanteenSlot, slot_id) if slot_id else None
    if slot_id and (row is None or row.canteen_id != canteen_id):
        raise NotFound(msg.NOT_FOUND)
    row = row or CanteenSlot(canteen_id=canteen_id, **form.model_dump())
    for key, value in form.model_dump().items():
        setattr(row, key, value)
    session.add(row)
    audit.record(session, user_id=user_id, action="canteen.slot", object_type="canteen", object_id=canteen_id,
                 detail=f"{form.slot} 堂食截止 {form.dine_in_cutoff} 送餐截止 {form.delivery_cutoff}")
    session.commit()
    return row


def _check_slot_times(problems: Problems, f: SlotForm) -> None:
    problems.check(f.serve_start < f.serve_end, "serve_end", msg.SLOT_END_AFTER_START)
    problems.check(f.cook_finish <= f.serve_start, "cook_finish", msg.SLOT_COOK_BEFORE_SERVE)
    problems.check(f.delivery_start < f.delivery_end, "delivery_end", msg.SLOT_END_AFTER_START)
    problems.check(f.dine_in_cutoff <= f.serve_start, "dine_in_cutoff", msg.SLOT_CUTOFF_BEFORE_SERVE)
