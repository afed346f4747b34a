"""Drivers, vehicles and shifts of a canteen, edited through validated forms (nothing partial is saved)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, TypeVar

from pydantic import Field
from sqlmodel import Session, col, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import NotFound
from app.core.forms import (
    Clock,
    Day,
    Flag,
    FormModel,
    MobilePhone,
    OptionalNumber,
    Problems,
    Text,
    WholeNumber,
    parse_form,
)
from app.core.settings import TZ
from app.models import Canteen, Driver, DriverShift, Vehicle

VEHICLE_KINDS = ("ebike", "car", "foot")
FleetRow = TypeVar("FleetRow", Driver, Vehicle, DriverShift)
Id = Annotated[WholeNumber, Field(ge=1, le=10**9)]


class DriverForm(FormModel):
    name: Text = Field(title="姓名", min_length=1, max_length=40)
    phone: MobilePhone = Field(title="手机号", min_length=1, max_length=20)
    canteen_id: Id = Field(title="所属食堂")
    active: Flag = False


class VehicleForm(FormModel):
    name: Text = Field(title="车辆名称", min_length=1, max_length=40)
    kind: Literal["ebike", "car", "foot"] = Field(title="类型")
    capacity_meals: WholeNumber = Field(title="载餐量", ge=1, le=200)
    speed_kmh: OptionalNumber = Field(None, title="速度", ge=1.0, le=80.0)
    canteen_id: Id = Field(title="所属食堂")
    active: Flag = False


class ShiftForm(FormModel):
    driver_id: Id = Field(title="送餐员")
    vehicle_id: Id = Field(title="车辆")
    service_date: Day = Field(title="日期")
    slot: Literal["breakfast", "lunch", "dinner"] = Field(title="餐次")
    start: Clock = Field(title="开始时间")
    end: Clock = Field(title="结束时间")
    max_trips: WholeNumber = Field(title="最多趟数", ge=1, le=5)


def drivers(session: Session, canteen_ids: list[int] | None = None) -> list[Driver]:
    query = select(Driver).order_by(col(Driver.canteen_id), col(Driver.name))
    if canteen_ids is not None:
        query = query.where(col(Driver.canteen_id).in_(canteen_ids))
    return list(session.exec(query).all())


def vehicles(session: Session, canteen_ids: list[int] | None = None) -> list[Vehicle]:
    query = select(Vehicle).order_by(col(Vehicle.canteen_id), col(Vehicle.name))
    if canteen_ids is not None:
        query = query.where(col(Vehicle.canteen_id).in_(canteen_ids))
    return list(session.exec(query).all())


def _row(session: Session, table: type, row_id: int) -> object:
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(msg.NOT_FOUND)
    return row


def owned(session: Session, table: type[FleetRow], row_id: int, allowed: frozenset[int] | None) -> FleetRow:
    """A row of one of the operator's canteens (allowed None: every canteen); NotFound otherwise, so another
    canteen's staff list cannot be probed."""
    row = session.get(table, row_id)
    if row is None or (allowed is not None and row.canteen_id not in allowed):
        raise NotFound(msg.NOT_FOUND)
    return row


def _check_canteen(session: Session, problems: Problems, canteen_id: int) -> None:
    problems.check(session.get(Canteen, canteen_id) is not None, "canteen_id", msg.CANTEEN_NOT_FOUND)


def driver_form(d: Driver | None) -> dict[str, str]:
    if d is None:
        return {"active": "1"}
    return {"name": d.name, "phone": d.phone, "canteen_id": str(d.canteen_id), "active": "1" if d.active else ""}


def save_driver(session: Session, data: dict[str, str], *, user_id: int | None,
                driver_id: int | None = None) -> Driver:
    form = parse_form(DriverForm, data)
    problems = Problems()
    _check_canteen(session, problems, form.canteen_id)
    problems.done()
    driver = _row(session, Driver, driver_id) if driver_id else Driver(name=form.name, phone=form.phone,
                                                                      canteen_id=form.canteen_id)
    assert isinstance(driver, Driver)
    driver.name, driver.phone, driver.canteen_id, driver.active = form.name, form.phone, form.canteen_id, form.active
    session.add(driver)
    session.flush()
    audit.record(session, user_id=user_id, action="driver.save", object_type="driver", object_id=driver.id,
                 detail=form.name)
    session.commit()
    return driver


def vehicle_form(v: Vehicle | None) -> dict[str, str]:
    if v is None:
        return {"kind": "ebike", "capacity_meals": "16", "active": "1"}
    return {"name": v.name, "kind": v.kind, "capacity_meals": str(v.capacity_meals),
            "speed_kmh": "" if v.speed_kmh is None else f"{v.speed_kmh:g}", "canteen_id": str(v.canteen_id),
            "active": "1" if v.active else ""}


def save_vehicle(session: Session, data: dict[str, str], *, user_id: int | None,
                 vehicle_id: int | None = None) -> Vehicle:
    form = parse_form(VehicleForm, data)
    problems = Problems()
    _check_canteen(session, problems, form.canteen_id)
    problems.done()
    vehicle = _row(session, Vehicle, vehicle_id) if vehicle_id else Vehicle(canteen_id=0, name="")
    assert isinstance(vehicle, Vehicle)
    for key, value in form.model_dump().items():
        setattr(vehicle, key, value)
    session.add(vehicle)
    session.flush()
    audit.record(session, user_id=user_id, action="vehicle.save", object_type="vehicle", object_id=vehicle.id,
                 detail=form.name)
    session.commit()
    return vehicle


def shifts(session: Session, monday: date, canteen_ids: list[int] | None = None) -> list[DriverShift]:
    query = select(DriverShift).where(col(DriverShift.service_date) >= monday,
                                      col(DriverShift.service_date) <= monday + timedelta(days=6))
    if canteen_ids is not None:
        query = query.where(col(DriverShift.canteen_id).in_(canteen_ids))
    return list(session.exec(query.order_by(col(DriverShift.service_date), col(DriverShift.slot))).all())


def save_shift(session: Session, data: dict[str, str], *, user_id: int | None) -> DriverShift:
    """A driver on a vehicle of the same canteen for one date and slot; neither may be booked twice."""
    form = parse_form(ShiftForm, data)
    driver, vehicle = session.get(Driver, form.driver_id), session.get(Vehicle, form.vehicle_id)
    problems = Problems()
    problems.check(driver is not None and driver.active, "driver_id", msg.FLEET_PICK_DRIVER)
    problems.check(vehicle is not None and vehicle.active, "vehicle_id", msg.FLEET_PICK_VEHICLE)
    if driver and vehicle:
        problems.check(driver.canteen_id == vehicle.canteen_id, "vehicle_id", msg.FLEET_OTHER_CANTEEN)
        _check_free(session, problems, form, driver.id or 0, vehicle.id or 0)
    problems.check(form.start < form.end, "end", msg.SLOT_END_AFTER_START)
    problems.done()
    assert driver and vehicle
    day = form.service_date
    shift = DriverShift(canteen_id=driver.canteen_id, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0,
                        service_date=day, slot=form.slot, start_at=datetime.combine(day, form.start, TZ),
                        end_at=datetime.combine(day, form.end, TZ), max_trips=form.max_trips)
    session.add(shift)
    session.flush()
    audit.record(session, user_id=user_id, action="shift.save", object_type="driver_shift", object_id=shift.id,
                 detail=f"{driver.name} {day} {form.slot}")
    session.commit()
    return shift


def _check_free(session: Session, problems: Problems, form: ShiftForm, driver_id: int, vehicle_id: int) -> None:
    taken = session.exec(select(DriverShift).where(DriverShift.service_date == form.service_date,
                                                   DriverShift.slot == form.slot)).all()
    problems.check(all(s.driver_id != driver_id for s in taken), "driver_id", msg.FLEET_DRIVER_BUSY)
    problems.check(all(s.vehicle_id != vehicle_id for s in taken), "vehicle_id", msg.FLEET_VEHICLE_BUSY)


def delete_shift(session: Session, shift_id: int, *, user_id: int | None) -> None:
    shift = _row(session, DriverShift, shift_id)
    audit.record(session, user_id=user_id, action="shift.delete", object_type="driver_shift", object_id=shift_id)
    session.delete(shift)
    session.commit()
