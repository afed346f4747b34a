"""Drivers, vehicles and shifts of a canteen, edited through validated forms (nothing partial is saved)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, col, select

from app import messages as msg
from app.models import SLOTS, Canteen, Driver, DriverShift, Vehicle
from app.services import audit
from app.services.canteens_admin import Form
from app.services.errors import NotFound
from app.services.senior_import import PHONE_RE
from app.settings import TZ

VEHICLE_KINDS = ("ebike", "car", "foot")
FleetRow = TypeVar("FleetRow", Driver, Vehicle, DriverShift)


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


def _canteen(session: Session, f: Form) -> int | None:
    canteen_id = f.integer("canteen_id", "所属食堂", 1, 10**9)
    f.check(canteen_id is None or session.get(Canteen, canteen_id) is not None, "canteen_id", msg.CANTEEN_NOT_FOUND)
    return canteen_id


def driver_form(d: Driver | None) -> dict[str, str]:
    if d is None:
        return {"active": "1"}
    return {"name": d.name, "phone": d.phone, "canteen_id": str(d.canteen_id), "active": "1" if d.active else ""}


def save_driver(session: Session, data: dict[str, str], *, user_id: int | None,
                driver_id: int | None = None) -> Driver:
    f = Form(data)
    name, phone = f.text("name", "姓名", max_len=40), f.text("phone", "手机号", max_len=20)
    f.check(PHONE_RE.fullmatch(phone) is not None and phone.startswith("1"), "phone", msg.PHONE_INVALID)
    canteen_id = _canteen(session, f)
    f.done()
    driver = _row(session, Driver, driver_id) if driver_id else Driver(name=name, phone=phone,
                                                                      canteen_id=canteen_id or 0)
    assert isinstance(driver, Driver)
    driver.name, driver.phone, driver.canteen_id, driver.active = name, phone, canteen_id or 0, f.flag("active")
    session.add(driver)
    session.flush()
    audit.record(session, user_id=user_id, action="driver.save", object_type="driver", object_id=driver.id,
                 detail=name)
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
    f = Form(data)
    values: dict[str, object] = {"name": f.text("name", "车辆名称", max_len=40), "kind": f.choice("kind", "类型", VEHICLE_KINDS),
              "capacity_meals": f.integer("capacity_meals", "载餐量", 1, 200),
              "speed_kmh": f.number("speed_kmh", "速度", 1, 80, required=False), "canteen_id": _canteen(session, f),
              "active": f.flag("active")}
    f.done()
    vehicle = _row(session, Vehicle, vehicle_id) if vehicle_id else Vehicle(canteen_id=0, name="")
    assert isinstance(vehicle, Vehicle)
    for key, value in values.items():
        setattr(vehicle, key, value)
    session.add(vehicle)
    session.flush()
    audit.record(session, user_id=user_id, action="vehicle.save", object_type="vehicle", object_id=vehicle.id,
                 detail=str(values["name"]))
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
    f = Form(data)
    driver_id = f.integer("driver_id", "送餐员", 1, 10**9)
    vehicle_id = f.integer("vehicle_id", "车辆", 1, 10**9)
    day, slot = f.day("service_date", "日期"), f.choice("slot", "餐次", SLOTS)
    start, end = f.clock("start", "开始时间"), f.clock("end", "结束时间")
    max_trips = f.integer("max_trips", "最多趟数", 1, 5)
    driver = session.get(Driver, driver_id) if driver_id else None
    vehicle = session.get(Vehicle, vehicle_id) if vehicle_id else None
    f.check(driver is not None and driver.active, "driver_id", msg.FLEET_PICK_DRIVER)
    f.check(vehicle is not None and vehicle.active, "vehicle_id", msg.FLEET_PICK_VEHICLE)
    if driver and vehicle:
        f.check(driver.canteen_id == vehicle.canteen_id, "vehicle_id", msg.FLEET_OTHER_CANTEEN)
    if start and end:
        f.check(start < end, "end", msg.SLOT_END_AFTER_START)
    if day and driver and vehicle:
        _check_free(session, f, driver.id or 0, vehicle.id or 0, day, slot)
    f.done()
    assert driver and vehicle and day and start and end
    shift = DriverShift(canteen_id=driver.canteen_id, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0,
                        service_date=day, slot=slot, start_at=datetime.combine(day, start, TZ),
                        end_at=datetime.combine(day, end, TZ), max_trips=max_trips or 1)
    session.add(shift)
    session.flush()
    audit.record(session, user_id=user_id, action="shift.save", object_type="driver_shift", object_id=shift.id,
                 detail=f"{driver.name} {day} {slot}")
    session.commit()
    return shift


def _check_free(session: Session, f: Form, driver_id: int, vehicle_id: int, day: date, slot: str) -> None:
    taken = session.exec(select(DriverShift).where(DriverShift.service_date == day, DriverShift.slot == slot)).all()
    f.check(all(s.driver_id != driver_id for s in taken), "driver_id", msg.FLEET_DRIVER_BUSY)
    f.check(all(s.vehicle_id != vehicle_id for s in taken), "vehicle_id", msg.FLEET_VEHICLE_BUSY)


def delete_shift(session: Session, shift_id: int, *, user_id: int | None) -> None:
    shift = _row(session, DriverShift, shift_id)
    audit.record(session, user_id=user_id, action="shift.delete", object_type="driver_shift", object_id=shift_id)
    session.delete(shift)
    session.commit()
