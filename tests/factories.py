"""Plain builder functions for tests: each makes one believable row, with keyword overrides."""

from __future__ import annotations

import itertools
import json
from datetime import date, time, timedelta
from typing import Any

from sqlmodel import Session

from app.accounts.auth import hash_secret
from app.models import (
    Canteen,
    CanteenSlot,
    Dish,
    HelperLink,
    Menu,
    MenuItem,
    Senior,
    SetMeal,
    SetMealDish,
    SubsidySchemeVersion,
    User,
    UserRole,
    now,
)
from app.pricing import builtin_scheme_data
from app.seniors.identity import make_id_number

_seq = itertools.count(1)
PASSWORD = "secret-pass"
PIN = "2468"
_HASHES: dict[str, str] = {}


def _hash(secret: str) -> str:
    # Argon2 is deliberately slow; tests reuse one hash per secret.
    if secret not in _HASHES:
        _HASHES[secret] = hash_secret(secret)
    return _HASHES[secret]


def make_canteen(session: Session, **kw: Any) -> Canteen:
    n = next(_seq)
    fields: dict[str, Any] = dict(name=f"测试长者食堂{n}", district="静安", street="彭浦镇",
                                  address=f"上海市静安区测试路{n}号", lat=31.3072, lng=121.4486, gcj_lat=31.3052,
                                  gcj_lng=121.4530, phone="021-56600000", scheme_key="shanghai-putuo")
    fields.update(kw)
    canteen = Canteen(**fields)
    session.add(canteen)
    session.flush()
    for slot in ("lunch", "dinner"):
        session.add(make_slot_row(canteen.id or 0, slot))
    session.commit()
    return canteen


def make_slot_row(canteen_id: int, slot: str, **kw: Any) -> CanteenSlot:
    start = 11 if slot == "lunch" else 17 if slot == "dinner" else 7
    fields: dict[str, Any] = dict(canteen_id=canteen_id, slot=slot, serve_start=time(start),
                                  serve_end=time(start + 2), cook_finish=time(start - 1, 45),
                                  delivery_start=time(start), delivery_end=time(start + 1, 30),
                                  dine_in_cutoff=time(9, 30) if slot == "lunch" else time(14, 30),
                                  delivery_cutoff_days_before=1, delivery_cutoff=time(17))
    fields.update(kw)
    return CanteenSlot(**fields)


def make_senior(session: Session, *, age: int = 75, hukou: str = "上海", residence_district: str = "普陀",
                today: date | None = None, **kw: Any) -> Senior:
    n = next(_seq)
    today = today or now().date()
    birth = date(today.year - age, 1, 1) if (today.month, today.day) >= (1, 1) else date(today.year - age - 1, 1, 1)
    male = kw.pop("male", n % 2 == 1)
    fields: dict[str, Any] = dict(
        name=kw.pop("name", f"测试长者{n}"), gender="男" if male else "女", birth_date=birth,
        id_number=make_id_number("310106", birth, n, male), card_no=f"9900{n:04d}", phone=f"139{n:08d}",
        hukou_city=hukou, hukou_district="普陀" if hukou == "上海" else "", residence_district=residence_district,
        address=f"上海市{residence_district}区测试小区{n}号101室", building=f"测试小区{n}号", floor=1, room="101室",
        lat=31.3080, lng=121.4490)
    fields.update(kw)
    senior = Senior(**fields)
    session.add(senior)
    session.commit()
    return senior


def make_user(session: Session, *roles: str | tuple[str, int | None], phone: str | None = None,
              name: str = "测试用户", password: str = PASSWORD, senior: Senior | None = None) -> User:
    """make_user(session, "operator") or make_user(session, ("kitchen", canteen.id), phone=...)."""
    n = next(_seq)
    user = User(name=name, phone=phone if phone is not None else (None if senior else f"137{n:08d}"),
                password_hash=_hash(password), senior_id=senior.id if senior else None)
    session.add(user)
    session.flush()
    for role in roles:
        r, canteen_id = (role, None) if isinstance(role, str) else role
        session.add(UserRole(user_id=user.id or 0, role=r, canteen_id=canteen_id))
    session.commit()
    return user


def link_helper(session: Session, helper: User, senior: Senior, relation: str = "女儿") -> HelperLink:
    link = HelperLink(helper_id=helper.id or 0, senior_id=senior.id or 0, relation=relation,
                      consent_by=senior.name, consent_method="当面", consent_at=now())
    session.add(link)
    session.commit()
    return link


def make_dish(session: Session, canteen: Canteen, **kw: Any) -> Dish:
    n = next(_seq)
    fields: dict[str, Any] = dict(canteen_id=canteen.id, name=f"测试菜{n}", category="荤", price_fen=800,
                                  textures="普通,软食", diet_tags="低盐", allergens="")
    fields.update(kw)
    dish = Dish(**fields)
    session.add(dish)
    session.commit()
    return dish


def make_menu(session: Session, canteen: Canteen, day: date, slot: str = "lunch", *,
              items: list[tuple[str, int]] | None = None, status: str = "published",
              quantity_limit: int | None = None) -> Menu:
    """A menu with one set meal per (name, price_fen) in `items` (default: one 2000-fen 套餐 and a dish)."""
    menu = Menu(canteen_id=canteen.id or 0, service_date=day, slot=slot, status=status,
                published_at=now() if status == "published" else None)
    session.add(menu)
    session.flush()
    for pos, (name, price) in enumerate(items or [("一荤两素一汤", 2000)]):
        dish = make_dish(session, canteen, name=f"{name}主菜{next(_seq)}", price_fen=price)
        meal = SetMeal(canteen_id=canteen.id or 0, name=f"{name}{next(_seq)}", price_fen=price)
        session.add(meal)
        session.flush()
        session.add(SetMealDish(set_meal_id=meal.id or 0, dish_id=dish.id or 0))
        session.add(MenuItem(menu_id=menu.id or 0, kind="set", set_meal_id=meal.id, name=name, price_fen=price,
                             quantity_limit=quantity_limit, position=pos))
    session.commit()
    return menu


def seed_schemes(session: Session, keys: tuple[str, ...] = ("shanghai-putuo",)) -> None:
    for key in keys:
        data = builtin_scheme_data(key)
        session.add(SubsidySchemeVersion(scheme_key=key, name=str(data["name"]), version=int(data["version"]),
                                         effective_from=date.fromisoformat(str(data["effective_from"])),
                                         body=json.dumps(data, ensure_ascii=False)))
    session.commit()


def days_ahead(n: int) -> date:
    return now().date() + timedelta(days=n)


# ---------------------------------------------------------------- subsidy pricing and settlement (issue 4)

def make_priced_order(session: Session, senior: Senior, canteen: Canteen, day: date, slot: str = "lunch", *,
                      price_fen: int = 2000, channel: str = "dine_in", status: str = "placed",
                      delivery_fee_fen: int = 0, placed_by: User | None = None) -> Any:
    """An order priced through `pricing_service.quote` and stored with its snapshot and funder shares, the way
    place_order stores one (menu made on first use)."""
    from sqlmodel import select

    from app.models import Order, OrderLine
    from app.pricing import Line
    from app.subsidy.service import quote, snapshot_fields, subsidy_rows

    menu = session.exec(select(Menu).where(Menu.canteen_id == canteen.id, Menu.service_date == day,
                                           Menu.slot == slot)).first() or make_menu(session, canteen, day, slot)
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).first()
    assert item is not None and senior.id is not None and canteen.id is not None
    breakdown = quote(session, senior.id, canteen.id, day, slot, channel,
                      [Line(str(item.id), item.name, price_fen, 1)], delivery_fee_fen=delivery_fee_fen)
    n = next(_seq)
    order = Order(public_no=f"T{n:08d}", senior_id=senior.id, canteen_id=canteen.id, menu_id=menu.id or 0,
                  service_date=day, slot=slot, fulfilment=channel, status=status,
                  placed_by_id=(placed_by or make_user(session, "counter")).id or 0, placed_via="counter",
                  idempotency_key=f"test-{n}", changeable_until=now(),
                  cancelled_at=now() if status == "cancelled" else None, **snapshot_fields(breakdown))
    session.add(order)
    session.flush()
    session.add(OrderLine(order_id=order.id or 0, menu_id=menu.id or 0, menu_item_id=item.id or 0, name=item.name,
                          unit_price_fen=price_fen))
    session.add_all(subsidy_rows(order.id or 0, breakdown))
    session.commit()
    return order


def id_of(row: Any) -> int:
    """A stored row's id as a plain int (rows type it `int | None` until flushed)."""
    assert row.id is not None
    return int(row.id)


# ---------------------------------------------------------------- ordering (issue 5)

def make_dish_menu(session: Session, canteen: Canteen, day: date, slot: str = "lunch", *,
                   dishes: list[dict[str, Any]], status: str = "published") -> Menu:
    """A menu of single dishes: each dict holds make_dish fields plus optional `quantity_limit`."""
    menu = Menu(canteen_id=canteen.id or 0, service_date=day, slot=slot, status=status,
                published_at=now() if status == "published" else None)
    session.add(menu)
    session.flush()
    for pos, spec in enumerate(dishes):
        spec = dict(spec)
        limit = spec.pop("quantity_limit", None)
        dish = make_dish(session, canteen, **spec)
        session.add(MenuItem(menu_id=menu.id or 0, kind="dish", dish_id=dish.id, name=dish.name,
                             price_fen=dish.price_fen, small_price_fen=dish.small_price_fen,
                             quantity_limit=limit, position=pos))
    session.commit()
    return menu


def principal_of(session: Session, user: User) -> Any:
    """The Principal a signed-in `user` would have, without going through sign-in."""
    from sqlmodel import select

    from app.core.principal import Principal

    roles: dict[str, set[int | None]] = {}
    for r in session.exec(select(UserRole).where(UserRole.user_id == user.id)):
        roles.setdefault(r.role, set()).add(r.canteen_id)
    return Principal(user_id=user.id or 0, name=user.name, roles={k: frozenset(v) for k, v in roles.items()},
                     senior_id=user.senior_id, font_size=user.font_size, session_id=0, csrf_token="")

def make_full_menu(session: Session, canteen: Canteen, day: date, slot: str = "lunch", *,
                   sets: tuple[str, ...] = ("一荤两素一汤", "鱼片软食套餐", "爱心实惠套餐"),
                   dishes: tuple[str, ...] = ("番茄炒蛋", "南瓜泥", "虾仁豆腐", "米饭"),
                   limits: dict[str, int] | None = None) -> Menu:
    """A published menu made of the demo district's real-looking set meals and dishes (shared per canteen)."""
    from sqlmodel import select

    from app.demo import data as demo_data

    known = {d.name: d for d in session.exec(select(Dish).where(Dish.canteen_id == canteen.id))}
    for name, cat, price, tags, textures, allergens, icon in demo_data.DISHES:
        if name not in known:
            known[name] = Dish(canteen_id=canteen.id or 0, name=name, category=cat, price_fen=price, diet_tags=tags,
                               textures=textures, allergens=allergens, icon=icon)
            session.add(known[name])
    session.flush()
    menu = Menu(canteen_id=canteen.id or 0, service_date=day, slot=slot, status="published", published_at=now())
    session.add(menu)
    session.flush()
    meals = {m.name: m for m in session.exec(select(SetMeal).where(SetMeal.canteen_id == canteen.id))}
    for pos, (name, price, low, members) in enumerate(m for m in demo_data.SET_MEALS if m[0] in sets):
        if name not in meals:
            meals[name] = SetMeal(canteen_id=canteen.id or 0, name=name, price_fen=price, low_cost=low)
            session.add(meals[name])
            session.flush()
            session.add_all([SetMealDish(set_meal_id=meals[name].id or 0, dish_id=known[d].id or 0) for d in members])
        session.add(MenuItem(menu_id=menu.id or 0, kind="set", set_meal_id=meals[name].id, name=name, price_fen=price,
                             quantity_limit=(limits or {}).get(name), position=pos))
    for pos, name in enumerate(dishes, start=len(sets)):
        dish = known[name]
        session.add(MenuItem(menu_id=menu.id or 0, kind="dish", dish_id=dish.id, name=name, price_fen=dish.price_fen,
                             quantity_limit=(limits or {}).get(name), position=pos))
    session.commit()
    return menu


# ---------------------------------------------------------------- dispatch and drivers (issue 8)

def make_driver(session: Session, canteen: Canteen, day: date, slot: str = "lunch", *, name: str = "测试师傅",
                capacity: int = 16, kind: str = "ebike", max_trips: int = 1, start: time = time(10, 30),
                end: time = time(13, 30), phone: str | None = None) -> Any:
    """A driver with a sign-in, a vehicle and a shift for canteen × day × slot. Returns (user, driver, vehicle)."""
    from datetime import datetime

    from app.core.settings import TZ
    from app.models import Driver, DriverShift, Vehicle

    user = make_user(session, ("driver", canteen.id), name=name, phone=phone)
    driver = Driver(user_id=user.id, canteen_id=canteen.id or 0, name=name, phone=user.phone or "")
    vehicle = Vehicle(canteen_id=canteen.id or 0, name=f"{name}的车", kind=kind, capacity_meals=capacity)
    session.add(driver)
    session.add(vehicle)
    session.flush()
    session.add(DriverShift(canteen_id=canteen.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0,
                            service_date=day, slot=slot, start_at=datetime.combine(day, start, TZ),
                            end_at=datetime.combine(day, end, TZ), max_trips=max_trips))
    session.commit()
    return user, driver, vehicle


def make_delivery_orders(session: Session, canteen: Canteen, day: date, spots: list[tuple[float, float]],
                         slot: str = "lunch", **senior_kw: Any) -> list[Any]:
    """One delivery order per (lat, lng) offset in metres-ish degrees from the canteen, each for a new senior."""
    from app.models import EmergencyContact

    orders = []
    placed_by = make_user(session, "counter")
    for dlat, dlng in spots:
        senior = make_senior(session, lat=canteen.lat + dlat, lng=canteen.lng + dlng,
                             preferred_fulfilment="delivery", **senior_kw)
        session.add(EmergencyContact(senior_id=senior.id or 0, name=f"{senior.name[0]}海燕", relation="女儿",
                                     phone="13812345678"))
        order = make_priced_order(session, senior, canteen, day, slot, channel="delivery", placed_by=placed_by)
        order.lat, order.lng, order.address_snapshot = senior.lat, senior.lng, senior.address
        session.add(order)
        session.commit()
        orders.append(order)
    return orders
