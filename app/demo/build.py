"""The demo district: 静安区彭浦镇, three canteens, two weeks of menus, ~300 seniors, staff, drivers, orders.

Deterministic for a given day (one seeded random generator), invented names and door numbers only.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from app.accounts import hash_secret
from app.core.settings import TZ
from app.demo import data as D
from app.demo.orders import build_demo_orders
from app.models import (
    Canteen,
    CanteenSlot,
    Dish,
    Driver,
    DriverShift,
    EmergencyContact,
    HelperLink,
    Menu,
    MenuItem,
    Senior,
    SetMeal,
    SetMealDish,
    SubsidySchemeVersion,
    User,
    UserRole,
    Vehicle,
    now,
)
from app.pricing import BUILTIN_SCHEME_KEYS, builtin_scheme_data, load_scheme
from app.seniors import make_id_number
from routing.geo import wgs84_to_gcj02

DEMO_PASSWORD = "demo1234"
DEMO_PIN = "1234"
DEMO_SCHEME_KEY = "shanghai-jingan-demo"
# (role, phone, name, canteen index, indices, or None for every canteen)
STAFF = [
    ("operator", "13900000001", "陈运营", None),
    ("kitchen", "13900000002", "李厨师长", 0),
    ("dispatcher", "13900000003", "王调度", (0, 2)),
    ("counter", "13900000004", "赵窗口", 0),
    ("kitchen", "13900000006", "周厨师长", 1),
    ("dispatcher", "13900000007", "吴调度", 1),
]
DRIVERS = [("13900000011", "孙师傅", 0), ("13900000012", "钱师傅", 0), ("13900000013", "郑师傅", 0),
           ("13900000014", "冯师傅", 1), ("13900000015", "褚师傅", 1), ("13900000016", "卫师傅", 2)]
HELPER = ("13900000005", "刘女儿")


@dataclass(frozen=True)
class DemoSummary:
    staff: list[tuple[str, str, str]]
    senior_cards: list[tuple[str, str]]
    helper: tuple[str, str, list[str]]


def build_demo(session: Session, *, seniors: int = 300, today: date | None = None,
               progress: Callable[[str], None] = lambda _s: None) -> DemoSummary:
    """Fill an empty database. Returns a summary of the demo logins for the README and `make run`."""
    today = today or now().date()
    rng = random.Random(20261122)
    password_hash, pin_hash = hash_secret(DEMO_PASSWORD), hash_secret(DEMO_PIN)
    progress("补贴方案")
    _schemes(session)
    progress("食堂")
    canteens = _canteens(session)
    progress("菜品与菜单")
    for c in canteens:
        if c.kind != "point":
            _menus(session, c, today, rng)
    # The 助餐点 gets its meals from the first canteen's kitchen but publishes its own menu of them.
    _menus(session, canteens[2], today, rng)
    progress("长者")
    people = [_senior(session, i, canteens, today, rng) for i in range(seniors)]
    session.flush()
    for s in people:
        _contacts(session, s, rng)
    progress("账号")
    logins = _staff(session, canteens, password_hash)
    card_users = _senior_accounts(session, people, pin_hash)
    helper = _helper(session, people, password_hash)
    progress("送餐员与车辆")
    _drivers(session, canteens, today, password_hash)
    session.commit()
    build_demo_orders(session, canteens, people, today, progress)
    return DemoSummary(staff=logins, senior_cards=card_users, helper=helper)


def _schemes(session: Session) -> None:
    for key in BUILTIN_SCHEME_KEYS:
        data = builtin_scheme_data(key)
        session.add(_version_row(data))
    session.add(_version_row(_jingan_demo_scheme()))


def _jingan_demo_scheme() -> dict[str, object]:
    """The demo district reuses the 普陀 rules as its own scheme: configuration, not code."""
    text = json.dumps(builtin_scheme_data("shanghai-putuo"), ensure_ascii=False).replace("普陀", "静安")
    data = json.loads(text)
    data.update(key=DEMO_SCHEME_KEY, name="静安区长者助餐折扣与堂食补贴（演示方案，规则同普陀区）",
                effective_from="2026-01-01")
    load_scheme(data)  # validated like any operator-entered version
    return data


def _version_row(data: dict[str, object]) -> SubsidySchemeVersion:
    return SubsidySchemeVersion(scheme_key=str(data["key"]), name=str(data["name"]), version=int(str(data["version"])),
                                effective_from=date.fromisoformat(str(data["effective_from"])),
                                body=json.dumps(data, ensure_ascii=False), note="系统内置")


def _canteens(session: Session) -> list[Canteen]:
    rows = []
    for name, kind, address, lat, lng, phone in D.CANTEENS:
        glat, glng = wgs84_to_gcj02(lat, lng)
        c = Canteen(name=name, kind=kind, district="静安", street="彭浦镇", address=address, lat=lat, lng=lng,
                    gcj_lat=round(glat, 6), gcj_lng=round(glng, 6), phone=phone, scheme_key=DEMO_SCHEME_KEY,
                    daily_capacity=400 if kind == "canteen" else 150)
        session.add(c)
        rows.append(c)
    session.flush()
    rows[2].supplier_id = rows[0].id
    for c in rows:
        assert c.id is not None
        slots = ("breakfast", "lunch", "dinner") if c is rows[0] else ("lunch", "dinner")
        for slot in slots:
            session.add(_slot(c.id, slot))
    return rows


def _slot(canteen_id: int, slot: str) -> CanteenSlot:
    hours = {"breakfast": (7, 9, 6), "lunch": (11, 13, 10), "dinner": (17, 18, 16)}[slot]
    start, end, cook = hours
    return CanteenSlot(canteen_id=canteen_id, slot=slot, serve_start=time(start), serve_end=time(end),
                       cook_finish=time(cook, 45), delivery_start=time(start, 0), delivery_end=time(start + 1, 30),
                       dine_in_cutoff={"breakfast": time(6, 0), "lunch": time(9, 30), "dinner": time(14, 30)}[slot],
                       delivery_cutoff_days_before=1, delivery_cutoff=time(17, 0),
                       capacity=250, delivers=slot != "breakfast")


def _menus(session: Session, canteen: Canteen, today: date, rng: random.Random) -> None:
    assert canteen.id is not None
    dishes = {}
    for name, cat, price, tags, textures, allergens, icon in D.DISHES:
        d = Dish(canteen_id=canteen.id, name=name, category=cat, price_fen=price, diet_tags=tags,
                 textures=textures, allergens=allergens, icon=icon,
                 small_price_fen=price * 6 // 10 if cat in ("荤", "素") else None)
        session.add(d)
        dishes[name] = d
    session.flush()
    sets = []
    for name, price, low, members in D.SET_MEALS:
        s = SetMeal(canteen_id=canteen.id, name=name, price_fen=price, low_cost=low)
        session.add(s)
        session.flush()
        for m in members:
            dish_id = dishes[m].id
            assert s.id is not None and dish_id is not None
            session.add(SetMealDish(set_meal_id=s.id, dish_id=dish_id))
        sets.append(s)
    monday = today - timedelta(days=today.weekday())
    slots = ("breakfast", "lunch", "dinner") if canteen.name == D.CANTEENS[0][0] else ("lunch", "dinner")
    for offset in range(14):
        day = monday + timedelta(days=offset)
        for slot in slots:
            _menu(session, canteen.id, day, slot, sets, list(dishes.values()), rng)


def _menu(session: Session, canteen_id: int, day: date, slot: str, sets: list[SetMeal], dishes: list[Dish],
          rng: random.Random) -> None:
    menu = Menu(canteen_id=canteen_id, service_date=day, slot=slot, status="published",
                published_at=datetime.combine(day - timedelta(days=7), time(10), TZ))
    session.add(menu)
    session.flush()
    assert menu.id is not None
    if slot == "breakfast":
        chosen_sets = [s for s in sets if s.name == "早餐粥点"]
        chosen_dishes = [d for d in dishes if d.category in ("点心", "主食")][:4]
    else:
        lunchy = [s for s in sets if s.name != "早餐粥点"]
        chosen_sets = sorted(rng.sample(lunchy, 4), key=lambda s: s.price_fen)
        if not any(s.low_cost for s in chosen_sets):
            chosen_sets[0] = next(s for s in lunchy if s.low_cost)
        chosen_dishes = rng.sample([d for d in dishes if d.category in ("荤", "素")], 6)
        chosen_dishes += [d for d in dishes if d.name in ("米饭", "番茄蛋汤")]
    pos = 0
    for s in chosen_sets:
        limit = 40 if s.low_cost else None
        session.add(MenuItem(menu_id=menu.id, kind="set", set_meal_id=s.id, name=s.name, price_fen=s.price_fen,
                             quantity_limit=limit, position=pos))
        pos += 1
    for d in chosen_dishes:
        session.add(MenuItem(menu_id=menu.id, kind="dish", dish_id=d.id, name=d.name, price_fen=d.price_fen,
                             small_price_fen=d.small_price_fen, position=pos))
        pos += 1


def _senior(session: Session, i: int, canteens: list[Canteen], today: date, rng: random.Random) -> Senior:
    female = rng.random() < 0.58
    age = min(100, 60 + int(rng.triangular(0, 40, 18)))
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    if birth > today.replace(year=today.year - age):
        birth = birth.replace(year=birth.year - 1) if age < 100 else birth.replace(year=birth.year)
    name = rng.choice(D.SURNAMES) + rng.choice(D.GIVEN_F if female else D.GIVEN_M)
    home = canteens[i % 3]
    lat = home.lat + rng.uniform(-0.009, 0.009)
    lng = home.lng + rng.uniform(-0.011, 0.011)
    old_block = rng.random() < 0.42  # 老公房: six storeys, no lift
    floor = rng.randint(1, 6) if old_block else rng.randint(1, 18)
    hood = rng.choice(D.NEIGHBOURHOODS)
    building, room = f"{rng.randint(1, 120)}号", f"{floor}{rng.randint(1, 4):02d}室"
    local = rng.random() < 0.86
    province, city = ("上海", "上海") if local else rng.choice(D.HUKOU_ELSEWHERE)
    econ = rng.choices(["", "低保", "低收入", "特困"], [85, 8, 5, 2])[0]
    texture = rng.choices(["普通", "软食", "碎食", "糊状"], [62, 25, 9, 4])[0] if age > 75 else "普通"
    allergies = ",".join(rng.sample(D.ALLERGIES, 1)) if rng.random() < 0.12 else ""
    restrictions = ",".join(rng.sample(D.RESTRICTIONS[:3], rng.randint(1, 2))) if rng.random() < 0.3 else ""
    fulfilment = "delivery" if (age > 80 or (old_block and floor >= 4)) and rng.random() < 0.7 else \
        rng.choice(["dine_in", "dine_in", "pickup"])
    s = Senior(name=name, gender="女" if female else "男", birth_date=birth,
               id_number=make_id_number("310106" if local else "320501", birth, 100 + i, not female),
               card_no=f"8800{i + 1:04d}", phone=f"139{rng.randint(10000000, 99999999)}",
               hukou_city=city, hukou_district="静安" if local else "", residence_district="静安",
               residence_street="彭浦镇", address=f"上海市静安区{hood}{building}{room}（示例地址）",
               building=f"{hood}{building}", unit=f"{rng.randint(1, 4)}单元" if not old_block else "",
               floor=floor, room=room, has_lift=not old_block and floor > 1 and rng.random() < 0.95,
               lat=round(lat, 6), lng=round(lng, 6), economic_status=econ,
               economic_source="区民政局社会救助平台" if econ else "",
               economic_valid_from=_reviewed(today, i) if econ else None,
               economic_valid_to=_reviewed(today, i).replace(year=_reviewed(today, i).year + 1) - timedelta(days=1)
               if econ else None,
               care_level=rng.choice([None, None, 1, 2, 3, 4]) if age > 75 else None,
               disability_level=rng.choices(["", "轻", "中", "重"], [80, 10, 7, 3])[0],
               lives_alone=rng.random() < 0.33, texture=texture, allergies=allergies,
               diet_restrictions=restrictions, preferred_fulfilment=fulfilment, default_canteen_id=home.id,
               driver_notes=rng.choice(D.DRIVER_NOTES))
    session.add(s)
    return s


def _contacts(session: Session, senior: Senior, rng: random.Random) -> None:
    assert senior.id is not None
    relation = rng.choice(["女儿", "儿子", "侄女", "邻居", "居委干部"])
    session.add(EmergencyContact(senior_id=senior.id, name=senior.name[0] + rng.choice(["海燕", "晓东", "丽"]),
                                 relation=relation, phone=f"138{rng.randint(10000000, 99999999)}"))


def _user(session: Session, name: str, phone: str | None, password_hash: str, roles: list[tuple[str, int | None]],
          senior_id: int | None = None) -> User:
    u = User(name=name, phone=phone, password_hash=password_hash, senior_id=senior_id)
    session.add(u)
    session.flush()
    assert u.id is not None
    for role, canteen_id in roles:
        session.add(UserRole(user_id=u.id, role=role, canteen_id=canteen_id))
    return u


def _staff(session: Session, canteens: list[Canteen], password_hash: str) -> list[tuple[str, str, str]]:
    out = []
    for role, phone, name, idx in STAFF:
        scope = [None] if idx is None else [idx] if isinstance(idx, int) else list(idx)
        _user(session, name, phone, password_hash,
              [(role, canteens[i].id if i is not None else None) for i in scope])
        out.append((role, phone, name))
    return out


def _senior_accounts(session: Session, people: list[Senior], pin_hash: str) -> list[tuple[str, str]]:
    """The first 30 seniors have card + PIN sign-in; the rest are ordered for by helpers and the counter."""
    out = []
    for s in people[:30]:
        _user(session, s.name, None, pin_hash, [("senior", None)], senior_id=s.id)
        out.append((s.card_no or "", s.name))
    return out


def _helper(session: Session, people: list[Senior], password_hash: str) -> tuple[str, str, list[str]]:
    phone, name = HELPER
    u = _user(session, name, phone, password_hash, [("helper", None)])
    assert u.id is not None
    linked = [people[3], people[4], people[7]]
    for s in linked:
        assert s.id is not None
        session.add(HelperLink(helper_id=u.id, senior_id=s.id, relation="女儿" if s is people[3] else "志愿者",
                               consent_by=s.name, consent_method="当面", consent_at=now(), recorded_by_id=None))
    return phone, name, [s.name for s in linked]


def _drivers(session: Session, canteens: list[Canteen], today: date, password_hash: str) -> None:
    for phone, name, idx in DRIVERS:
        c = canteens[idx]
        assert c.id is not None
        u = _user(session, name, phone, password_hash, [("driver", c.id)])
        d = Driver(user_id=u.id, canteen_id=c.id, name=name, phone=phone)
        v = Vehicle(canteen_id=c.id, name=f"{name[0]}师傅的电动车", kind="ebike", capacity_meals=16)
        session.add(d)
        session.add(v)
        session.flush()
        assert d.id is not None and v.id is not None
        for offset in range(7):
            day = today + timedelta(days=offset)
            for slot, (start, end) in {"lunch": (time(10, 30), time(13, 30)),
                                       "dinner": (time(16, 30), time(19, 0))}.items():
                session.add(DriverShift(canteen_id=c.id, driver_id=d.id, vehicle_id=v.id, service_date=day,
                                        slot=slot, start_at=datetime.combine(day, start, TZ),
                                        end_at=datetime.combine(day, end, TZ), max_trips=2))


def database_is_empty(session: Session) -> bool:
    return session.exec(select(Canteen.id).limit(1)).first() is None


def _reviewed(today: date, i: int) -> date:
    """When a senior's 低保/低收入 status was last confirmed: a month start in the past year, spread over the
    months as a real register's reviews are, so only about one in twelve falls due in any month."""
    back = (i * 7) % 12
    month = (today.month - 1 - back) % 12 + 1
    return date(today.year - (1 if month > today.month else 0), month, 1)
