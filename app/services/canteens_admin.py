"""Canteens, their meal slots and cutoffs, edited through validated forms: every field is checked before anything
is written, and each mistake comes back in words under its own field name.

The small parsers here (`Form`) are shared with app.services.fleet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from sqlmodel import Session, col, select

from app import messages as msg
from app.models import SLOTS, Canteen, CanteenSlot
from app.services import audit
from app.services.auth import Principal
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.services.senior_import import PHONE_RE, parse_date
from routing.geo import wgs84_to_gcj02

KINDS = {"canteen": "长者食堂", "point": "助餐点", "central_kitchen": "中央厨房"}
TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
INT_RE = re.compile(r"-?[0-9]{1,9}")


def small_int(text: str | None) -> int | None:
    """A typed whole number, or None. Not `int(x) if x.isdigit()`: isdigit() accepts "²" (int() then raises)
    and 5,000-digit strings, and a 25-digit id overflows the database driver."""
    text = (text or "").strip()
    return int(text) if INT_RE.fullmatch(text) else None


@dataclass
class Form:
    """Reads one posted form, collecting every mistake instead of stopping at the first."""

    data: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, label: str, *, max_len: int, required: bool = True) -> str:
        value = self.data.get(key, "").strip()
        if required and not value:
            self.errors[key] = msg.FORM_REQUIRED.format(label=label)
        elif len(value) > max_len:
            self.errors[key] = msg.FORM_TOO_LONG.format(label=label, max=max_len)
        return value

    def integer(self, key: str, label: str, low: int, high: int, *, blank: int | None = None) -> int | None:
        value = self.data.get(key, "").strip()
        if not value and blank is not None:
            return blank
        number = small_int(value)
        if number is not None and low <= number <= high:
            return number
        self.errors[key] = msg.FORM_INT.format(label=label, low=low, high=high)
        return None

    def number(self, key: str, label: str, low: float, high: float, *, required: bool = True) -> float | None:
        value = self.data.get(key, "").strip()
        if not value and not required:
            return None
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.errors[key] = msg.FORM_NUMBER.format(label=label, low=low, high=high)
            return None
        return number

    def clock(self, key: str, label: str) -> time | None:
        m = TIME_RE.match(self.data.get(key, "").strip())
        if not m:
            self.errors[key] = msg.FORM_TIME.format(label=label)
            return None
        return time(int(m.group(1)), int(m.group(2)))

    def day(self, key: str, label: str) -> date | None:
        try:
            value = parse_date(self.data.get(key, ""))
        except ValueError:
            value = None
        if value is None:
            self.errors[key] = msg.FORM_DATE.format(label=label)
        return value

    def choice(self, key: str, label: str, allowed: object) -> str:
        value = self.data.get(key, "")
        if value not in allowed:  # type: ignore[operator]
            self.errors[key] = msg.FORM_CHOICE.format(label=label)
        return value

    def flag(self, key: str) -> bool:
        return self.data.get(key) == "1"

    def check(self, ok: bool, key: str, message: str) -> None:
        if not ok and key not in self.errors:
            self.errors[key] = message

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


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
            "delivery_radius_m", "open_days", "supplier_id")
    out = {k: "" if getattr(c, k) is None else str(getattr(c, k)) for k in keys}
    return out | {"active": "1" if c.active else ""}


def save_canteen(session: Session, data: dict[str, str], *, user_id: int | None,
                 canteen_id: int | None = None) -> Canteen:
    f = Form(data)
    values: dict[str, object] = {"name": f.text("name", "名称", max_len=80), "kind": f.choice("kind", "类型", KINDS),
              "district": f.text("district", "所在区", max_len=40), "street": f.text("street", "街道", max_len=40),
              "address": f.text("address", "地址", max_len=200), "phone": f.text("phone", "电话", max_len=30),
              "lat": f.number("lat", "纬度", -90, 90), "lng": f.number("lng", "经度", -180, 180),
              "daily_capacity": f.integer("daily_capacity", "每日供餐上限", 0, 100000),
              "delivery_radius_m": f.integer("delivery_radius_m", "送餐半径", 0, 20000),
              "open_days": "".join(d for d in "1234567" if d in data.get("open_days", "")),
              "active": f.flag("active")}
    f.check(PHONE_RE.fullmatch(str(values["phone"])) is not None, "phone", msg.SENIOR_PHONE_INVALID)
    f.check(bool(values["open_days"]), "open_days", msg.CANTEEN_OPEN_DAYS)
    same = session.exec(select(Canteen).where(Canteen.name == values["name"])).first()
    f.check(same is None or same.id == canteen_id, "name", msg.MENU_NAME_TAKEN.format(name=values["name"]))
    supplier = f.integer("supplier_id", "供餐厨房", 1, 10**9, blank=0) or None
    f.check(supplier is None or (session.get(Canteen, supplier) is not None and supplier != canteen_id),
            "supplier_id", msg.CANTEEN_NOT_FOUND)
    f.done()
    canteen = get_canteen(session, canteen_id) if canteen_id else Canteen(
        name="", district="", street="", address="", lat=0, lng=0, gcj_lat=0, gcj_lng=0, phone="")
    for key, value in values.items():
        setattr(canteen, key, value)
    canteen.supplier_id = supplier
    gcj_lat, gcj_lng = wgs84_to_gcj02(canteen.lat, canteen.lng)
    canteen.gcj_lat, canteen.gcj_lng = round(gcj_lat, 6), round(gcj_lng, 6)
    session.add(canteen)
    session.flush()
    audit.record(session, user_id=user_id, action="canteen.save", object_type="canteen", object_id=canteen.id,
                 detail=canteen.name)
    session.commit()
    return canteen


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
    f = Form(data)
    values: dict[str, object] = {k: f.clock(k, label) for k, label in SLOT_TIMES.items()}
    values["slot"] = f.choice("slot", "餐次", SLOTS)
    values["capacity"] = f.integer("capacity", "每餐上限", 0, 10000)
    values["delivery_cutoff_days_before"] = f.integer("delivery_cutoff_days_before", "送餐提前天数", 0, 7)
    values["delivers"] = f.flag("delivers")
    _check_slot_times(f, values)
    same = session.exec(select(CanteenSlot).where(CanteenSlot.canteen_id == canteen_id,
                                                  CanteenSlot.slot == values["slot"])).first()
    f.check(same is None or same.id == slot_id, "slot", msg.SLOT_TWICE)
    f.done()
    row = session.get(CanteenSlot, slot_id) if slot_id else None
    if slot_id and (row is None or row.canteen_id != canteen_id):
        raise NotFound(msg.NOT_FOUND)
    row = row or CanteenSlot(canteen_id=canteen_id, **values)  # type: ignore[arg-type]
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    audit.record(session, user_id=user_id, action="canteen.slot", object_type="canteen", object_id=canteen_id,
                 detail=f"{values['slot']} 堂食截止 {values['dine_in_cutoff']} 送餐截止 {values['delivery_cutoff']}")
    session.commit()
    return row


def _check_slot_times(f: Form, v: dict[str, object]) -> None:
    if any(v[k] is None for k in SLOT_TIMES):
        return
    f.check(v["serve_start"] < v["serve_end"], "serve_end", msg.SLOT_END_AFTER_START)  # type: ignore[operator]
    f.check(v["cook_finish"] <= v["serve_start"], "cook_finish", msg.SLOT_COOK_BEFORE_SERVE)  # type: ignore[operator]
    f.check(v["delivery_start"] < v["delivery_end"], "delivery_end", msg.SLOT_END_AFTER_START)  # type: ignore[operator]
    f.check(v["dine_in_cutoff"] <= v["serve_start"], "dine_in_cutoff", msg.SLOT_CUTOFF_BEFORE_SERVE)  # type: ignore[operator]
