"""Canteens, slots, drivers, vehicles and shifts through validated forms: errors in Chinese next to the field,
the input kept, and nothing partial saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import CanteenSlot, Driver, DriverShift, Vehicle
from tests.conftest import csrf
from tests.factories import make_canteen, make_user


def _operator(session: Session, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111")
    login("13900001111")


def _errors(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {p["id"].removeprefix("f-").removesuffix("-err"): p.get_text(strip=True).lstrip("⚠").strip()
            for p in soup.select(".error-text")}


def test_a_slot_with_a_cutoff_after_serving_starts_is_refused_and_nothing_is_saved(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    canteen = make_canteen(session)
    form = {"csrf_token": csrf(client), "slot": "breakfast", "serve_start": "07:00", "serve_end": "6:00",
            "cook_finish": "06:45", "delivery_start": "07:00", "delivery_end": "08:00", "dine_in_cutoff": "07:30",
            "delivery_cutoff_days_before": "1", "delivery_cutoff": "25:00", "capacity": "100"}

    page = client.post(f"/admin/canteens/{canteen.id}/slot", data=form)

    assert page.status_code == 422
    assert _errors(page.text) == {"delivery_cutoff": "送餐截止时刻格式应为 时:分，如 09:30。"}
    assert BeautifulSoup(page.text, "html.parser").select_one("#f-serve_end")["value"] == "6:00"
    assert session.exec(select(CanteenSlot).where(CanteenSlot.slot == "breakfast")).all() == []


def test_a_breakfast_slot_is_added_with_its_cutoffs(session: Session, client: Any,
                                                    login: Callable[..., object]) -> None:
    _operator(session, login)
    canteen = make_canteen(session, name="彭浦食堂")
    form = {"csrf_token": csrf(client), "slot": "breakfast", "serve_start": "07:00", "serve_end": "09:00",
            "cook_finish": "06:45", "delivery_start": "07:00", "delivery_end": "08:00", "dine_in_cutoff": "06:00",
            "delivery_cutoff_days_before": "1", "delivery_cutoff": "17:00", "capacity": "100"}

    page = client.post(f"/admin/canteens/{canteen.id}/slot", data=form)

    row = BeautifulSoup(page.text, "html.parser").select_one("[data-canteen=彭浦食堂] [data-slot=breakfast]")
    assert row.get_text(" ", strip=True).startswith("早餐 07:00–09:00 当天 06:00 不送餐")


def test_a_driver_and_vehicle_are_added_and_a_shift_needs_both_from_the_same_canteen(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    a, b = make_canteen(session), make_canteen(session)
    token = csrf(client)
    client.post("/admin/fleet/driver", data={"csrf_token": token, "name": "孙师傅", "phone": "13900000011",
                                             "canteen_id": str(a.id), "active": "1"})
    client.post("/admin/fleet/vehicle", data={"csrf_token": token, "name": "电动车2", "kind": "ebike",
                                              "capacity_meals": "16", "canteen_id": str(b.id), "active": "1"})
    driver, vehicle = session.exec(select(Driver)).one(), session.exec(select(Vehicle)).one()

    page = client.post("/admin/fleet/shifts", data={
        "csrf_token": token, "driver_id": str(driver.id), "vehicle_id": str(vehicle.id),
        "service_date": "2026-12-01", "slot": "lunch", "start": "13:30", "end": "10:30", "max_trips": "2"})

    assert page.status_code == 422
    assert _errors(page.text) == {"vehicle_id": "送餐员和车辆要属于同一个食堂。", "end": "结束时间要晚于开始时间。"}
    assert session.exec(select(DriverShift)).all() == []


def test_a_valid_shift_is_listed_in_its_week(session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    canteen = make_canteen(session)
    driver = Driver(canteen_id=canteen.id or 0, name="孙师傅", phone="13900000011")
    vehicle = Vehicle(canteen_id=canteen.id or 0, name="电动车1")
    session.add_all([driver, vehicle])
    session.commit()

    page = client.post("/admin/fleet/shifts", data={
        "csrf_token": csrf(client), "driver_id": str(driver.id), "vehicle_id": str(vehicle.id),
        "service_date": "2026-12-01", "slot": "lunch", "start": "10:30", "end": "13:30", "max_trips": "2"})

    shift = session.exec(select(DriverShift)).one()
    assert shift.service_date == date(2026, 12, 1)
    assert "孙师傅" in BeautifulSoup(page.text, "html.parser").select_one(f'[data-shift="{shift.id}"]').get_text()


def test_a_driver_with_a_bad_phone_keeps_the_name_typed(session: Session, client: Any,
                                                        login: Callable[..., object]) -> None:
    _operator(session, login)
    canteen = make_canteen(session)

    page = client.post("/admin/fleet/driver", data={"csrf_token": csrf(client), "name": "钱师傅", "phone": "123",
                                                    "canteen_id": str(canteen.id)})

    assert _errors(page.text) == {"phone": "手机号应为 11 位数字，以 1 开头。"}
    assert BeautifulSoup(page.text, "html.parser").select_one("#f-name")["value"] == "钱师傅"
