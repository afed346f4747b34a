"""Canteens, their meal slots, and the seniors they serve."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

SLOTS = ("breakfast", "lunch", "dinner")
FULFILMENTS = ("dine_in", "pickup", "delivery")
TEXTURES = ("普通", "软食", "碎食", "糊状")
ECONOMIC_STATUSES = ("", "低保", "低收入", "特困")
DISABILITY_LEVELS = ("", "轻", "中", "重", "完全")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Canteen(SQLModel, table=True):
    """A 长者食堂 or 助餐点; a point may be supplied by a central kitchen (中央厨房)."""

    __tablename__ = "canteen"
    __table_args__ = (
        CheckConstraint(_in("kind", ("canteen", "point", "central_kitchen")), name="kind"),
        CheckConstraint("daily_capacity >= 0", name="capacity_nonneg"),
        CheckConstraint("delivery_radius_m >= 0", name="radius_nonneg"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180", name="coords"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    kind: str = Field(default="canteen", max_length=20)
    supplier_id: int | None = Field(default=None, foreign_key="canteen.id")
    district: str = Field(max_length=40)
    street: str = Field(max_length=40)
    address: str = Field(max_length=200)
    lat: float
    lng: float
    gcj_lat: float
    gcj_lng: float
    phone: str = Field(max_length=30)
    daily_capacity: int = 300
    delivery_radius_m: int = 1500
    open_days: str = Field(default="1234567", max_length=7)
    scheme_key: str = Field(default="shanghai-putuo", max_length=60)
    active: bool = True


class CanteenSlot(SQLModel, table=True):
    """One meal a canteen serves, with its cutoff rule (each canteen sets its own; DOMAIN.md defaults)."""

    __tablename__ = "canteen_slot"
    __table_args__ = (
        UniqueConstraint("canteen_id", "slot", name="uq_canteen_slot_canteen_slot"),
        CheckConstraint(_in("slot", SLOTS), name="slot"),
        CheckConstraint("capacity >= 0", name="capacity_nonneg"),
        CheckConstraint("delivery_cutoff_days_before >= 0", name="days_before_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    slot: str = Field(max_length=12)
    serve_start: time
    serve_end: time
    cook_finish: time
    delivery_start: time
    delivery_end: time
    dine_in_cutoff: time
    delivery_cutoff_days_before: int = 1
    delivery_cutoff: time = time(17, 0)
    capacity: int = 200
    delivers: bool = True


class Senior(SQLModel, table=True):
    """A 长者. ID number, phone, address and health needs are personal data: see app.core.privacy."""

    __tablename__ = "senior"
    __table_args__ = (
        CheckConstraint(_in("gender", ("男", "女")), name="gender"),
        CheckConstraint(_in("texture", TEXTURES), name="texture"),
        CheckConstraint(_in("economic_status", ECONOMIC_STATUSES), name="economic_status"),
        CheckConstraint(_in("disability_level", DISABILITY_LEVELS), name="disability_level"),
        CheckConstraint(_in("preferred_fulfilment", FULFILMENTS), name="preferred_fulfilment"),
        CheckConstraint(_in("status", ("active", "paused", "deceased", "moved")), name="status"),
        CheckConstraint("care_level IS NULL OR care_level BETWEEN 0 AND 6", name="care_level"),
        CheckConstraint("floor BETWEEN -3 AND 60", name="floor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, index=True)
    gender: str = Field(max_length=2)
    birth_date: date
    id_number: str = Field(max_length=18, unique=True)
    card_no: str | None = Field(default=None, max_length=20, unique=True)
    phone: str = Field(default="", max_length=20, index=True)
    hukou_city: str = Field(max_length=20)
    hukou_district: str = Field(default="", max_length=20)
    residence_city: str = Field(default="上海", max_length=20)
    residence_district: str = Field(max_length=20)
    residence_street: str = Field(default="", max_length=40)
    address: str = Field(max_length=200)
    building: str = Field(default="", max_length=40)
    unit: str = Field(default="", max_length=20)
    floor: int = 1
    room: str = Field(default="", max_length=20)
    has_lift: bool = False
    lat: float | None = None
    lng: float | None = None
    economic_status: str = Field(default="", max_length=8)
    economic_source: str = Field(default="", max_length=80)
    economic_valid_from: date | None = None
    economic_valid_to: date | None = None
    care_level: int | None = None
    disability_level: str = Field(default="", max_length=4)
    lives_alone: bool = False
    all_elderly_household: bool = False
    special_groups: str = Field(default="", max_length=100)
    texture: str = Field(default="普通", max_length=4)
    diet_restrictions: str = Field(default="", max_length=200)
    allergies: str = Field(default="", max_length=200)
    preferred_fulfilment: str = Field(default="dine_in", max_length=12)
    default_canteen_id: int | None = Field(default=None, foreign_key="canteen.id", index=True)
    driver_notes: str = Field(default="", max_length=300)
    status: str = Field(default="active", max_length=10)
    paused_until: date | None = None
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    # Issue 14: where the map point came from ("manual", "building", "compound", "geocoder"; "" none or older),
    # the building it was matched to, and the fields an operator corrected by hand, as JSON {field: the
    # register's value when corrected}, so a re-import keeps the correction unless the register's value changes.
    point_source: str = Field(default="", max_length=12)
    building_id: int | None = Field(default=None, foreign_key="building.id", index=True, ondelete="SET NULL")
    hand_fields: str = Field(default="{}", max_length=4000)

    @property
    def allergy_list(self) -> list[str]:
        return split_tags(self.allergies)

    @property
    def restriction_list(self) -> list[str]:
        return split_tags(self.diet_restrictions)


class EmergencyContact(SQLModel, table=True):
    __tablename__ = "emergency_contact"

    id: int | None = Field(default=None, primary_key=True)
    senior_id: int = Field(foreign_key="senior.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)
    relation: str = Field(max_length=20)
    phone: str = Field(max_length=20)
    priority: int = 1


def split_tags(text: str) -> list[str]:
    """Tags are stored as one comma-separated string (、，, all accepted) to keep imports and forms simple."""
    return list(_split_tags(text))


@lru_cache(maxsize=4096)
def _split_tags(text: str) -> tuple[str, ...]:
    # a menu page splits the same senior's and dishes' tags hundreds of times per request (issue 21)
    for sep in ("、", "，", ";", "；"):
        text = text.replace(sep, ",")
    return tuple(t.strip() for t in text.split(",") if t.strip())
