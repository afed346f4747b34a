"""A small, realistic district for the security tests.

Canteen 甲 has every kind of staff account, two seniors with delivery orders today, and a published lunch plan
with two drivers (甲师傅 carries 王秀英, 乙师傅 carries 李桂兰). Canteen 乙 has its own senior, order and kitchen.
Every role's principal owns the "first" object of each kind (王秀英's order, 甲师傅's stop at 甲, the helper's
link to 王秀英), so one set of path parameters is valid for every role that is allowed a route; the second
objects are what the trick tests reach for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.auth import issue_session
from app.dispatch import edit as dispatch_edit
from app.models import (
    Alert,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    DriverShift,
    EmergencyContact,
    HelperLink,
    MenuItem,
    Order,
    Senior,
    User,
    Vehicle,
    now,
)
from tests.factories import (
    PIN,
    link_helper,
    make_canteen,
    make_driver,
    make_menu,
    make_priced_order,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

ROLES = ("senior", "helper", "counter", "kitchen", "dispatcher", "driver", "operator")
ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *ROLES)
# outsider -> the role it holds (see _outsiders)
OUTSIDERS = {"senior_2": "senior", "helper_unlinked": "helper", "counter_b": "counter", "kitchen_b": "kitchen",
             "dispatcher_b": "dispatcher", "driver_2": "driver", "operator_b": "operator"}


@dataclass
class World:
    today: date
    canteen: Any
    other_canteen: Any
    users: dict[str, User]
    tokens: dict[str, str]
    senior: Senior
    other_senior: Senior
    far_senior: Senior
    order: Order
    other_order: Order
    far_order: Order
    plan: DeliveryPlan
    route: DeliveryRoute
    other_route: DeliveryRoute
    stop: DeliveryStop
    other_stop: DeliveryStop
    yesterday_stop: DeliveryStop
    alert: Alert
    link: HelperLink
    bystander: User
    invitation_token: str
    contact_phone: str
    far_plan: DeliveryPlan | None = None
    item_id: int = 0
    open_menu: Any = None
    far_open_menu: Any = None
    open_item_id: int = 0
    far_open_item_id: int = 0
    params: dict[str, str] = field(default_factory=dict)

    @property
    def seniors(self) -> list[Senior]:
        return [self.senior, self.other_senior, self.far_senior]


def _delivery(session: Session, senior: Senior, canteen: Any, day: date, placed_by: User) -> Order:
    order = make_priced_order(session, senior, canteen, day, channel="delivery", placed_by=placed_by)
    order.lat, order.lng, order.address_snapshot = senior.lat, senior.lng, senior.address
    session.add(order)
    session.commit()
    return order


def _route(session: Session, plan: DeliveryPlan, driver: Driver, vehicle: Vehicle, *orders: Order) -> tuple[
        DeliveryRoute, list[DeliveryStop]]:
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0,
                          meals=len(orders))
    session.add(route)
    session.flush()
    stops = [DeliveryStop(route_id=route.id or 0, order_id=o.id or 0, seq=i + 1) for i, o in enumerate(orders)]
    session.add_all(stops)
    session.commit()
    return route, stops


def _first_item(session: Session, menu_id: int) -> int:
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu_id).order_by(col(MenuItem.id))).first()
    assert item is not None
    return item.id or 0


def _plan(session: Session, canteen: Any, day: date, status: str = "draft") -> DeliveryPlan:
    plan = DeliveryPlan(canteen_id=canteen.id or 0, service_date=day, slot="lunch", status=status,
                        version=1 if status == "published" else 0)
    session.add(plan)
    session.commit()
    return plan


def _seniors(session: Session, a: Any, b: Any) -> tuple[Senior, Senior, Senior]:
    common: dict[str, Any] = dict(preferred_fulfilment="delivery", lives_alone=True, driver_notes="门口有台阶")
    s1 = make_senior(session, name="王秀英", default_canteen_id=a.id, card_no="88010001", phone="13611110001",
                     address="上海市普陀区甲小区1号302室", building="甲小区1号", floor=3, room="302室", **common)
    s2 = make_senior(session, name="李桂兰", default_canteen_id=a.id, card_no="88010002", phone="13611110002",
                     address="上海市普陀区甲小区2号501室", building="甲小区2号", floor=5, room="501室", **common)
    s3 = make_senior(session, name="张玉珍", default_canteen_id=b.id, card_no="88010003", phone="13611110003",
                     address="上海市普陀区乙小区3号201室", building="乙小区3号", floor=2, room="201室", **common)
    return s1, s2, s3


def _outsiders(session: Session, b: Any, s2: Senior, driver_2: User) -> dict[str, User]:
    """The right role, the wrong object: another senior, a helper linked to someone else, staff of canteen 乙,
    the other driver. Each must be refused every object of the world's first senior, canteen and route."""
    helper = make_user(session, "helper", name="李志愿", phone="13822220002")
    link_helper(session, helper, s2, relation="志愿者")
    return {
        "senior_2": make_user(session, "senior", senior=s2, name=s2.name, password=PIN),
        "helper_unlinked": helper,
        "counter_b": make_user(session, ("counter", b.id), name="乙窗口", phone="13900000204"),
        "kitchen_b": make_user(session, ("kitchen", b.id), name="乙厨房老李", phone="13900000202"),
        "dispatcher_b": make_user(session, ("dispatcher", b.id), name="乙调度", phone="13900000203"),
        "driver_2": driver_2,
        "operator_b": make_user(session, ("operator", b.id), name="乙街道运营", phone="13900000201"),
    }


def build_world(session: Session) -> World:
    today = now().date()
    seed_schemes(session)
    a, b = make_canteen(session, name="甲长者食堂"), make_canteen(session, name="乙长者食堂")
    s1, s2, s3 = _seniors(session, a, b)
    contact = EmergencyContact(senior_id=s1.id or 0, name="王海燕", relation="女儿", phone="13822220001")
    session.add(contact)
    users = {
        "senior": make_user(session, "senior", senior=s1, name="王秀英", password=PIN),
        "helper": make_user(session, "helper", name="王海燕", phone="13822220001"),
        "counter": make_user(session, ("counter", a.id), name="窗口小陈", phone="13900000104"),
        "kitchen": make_user(session, ("kitchen", a.id), name="厨房老周", phone="13900000102"),
        "dispatcher": make_user(session, ("dispatcher", a.id), name="调度小吴", phone="13900000103"),
        "operator": make_user(session, "operator", name="运营老陈", phone="13900000101"),
    }
    users["driver"], d1, v1 = make_driver(session, a, today, name="甲师傅", phone="13900000111")
    driver_2, d2, v2 = make_driver(session, a, today, name="乙师傅", phone="13900000112")
    link = link_helper(session, users["helper"], s1)
    outsiders = _outsiders(session, b, s2, driver_2)
    counter = users["counter"]
    o1, o2 = _delivery(session, s1, a, today, counter), _delivery(session, s2, a, today, counter)
    o3 = _delivery(session, s3, b, today, make_user(session, ("counter", b.id)))
    plan = _plan(session, a, today)
    r1, (st1,) = _route(session, plan, d1, v1, o1)
    r2, (st2,) = _route(session, plan, d2, v2, o2)
    dispatch_edit.publish(session, principal_of(session, users["dispatcher"]), plan.id or 0)
    far_plan = _plan(session, b, today)
    yesterday = _plan(session, a, today - timedelta(days=1), status="published")
    old = _delivery(session, s1, a, today - timedelta(days=1), counter)
    _, (st_old,) = _route(session, yesterday, d1, v1, old)
    alert = Alert(kind="no_answer", senior_id=s1.id or 0, canteen_id=a.id or 0, stop_id=st1.id,
                  message="王秀英家敲门无人应答")
    session.add(alert)
    session.commit()
    bystander = make_user(session, ("kitchen", b.id), name="乙厨房", phone="13900000199")
    pending = make_user(session, "helper", name="待设置", phone="13900000198")
    token = accounts.reinvite(session, principal_of(session, users["operator"]), pending.id or 0).token
    tokens = {who: issue_session(session, user) for who, user in (users | outsiders).items()}
    world = World(today, a, b, users, tokens, s1, s2, s3, o1, o2, o3, plan, r1, r2, st1, st2, st_old, alert,
                  link, bystander, token, contact.phone, far_plan)
    world.params = {
        "canteen_id": str(a.id), "day": today.isoformat(), "slot": "lunch", "sheet": "prep",
        "scheme_key": "shanghai-putuo", "plan_id": str(plan.id), "route_id": str(r1.id), "stop_id": str(st1.id),
        "alert_id": str(alert.id), "order_id": str(o1.id), "senior_id": str(s1.id), "user_id": str(bystander.id),
        "link_id": str(link.id), "token": token,
    }
    world.item_id = _first_item(session, o1.menu_id)
    # tomorrow's menus are still open, so allowed roles can really order and the tricks really try
    world.open_menu = make_menu(session, a, today + timedelta(days=1))
    world.far_open_menu = make_menu(session, b, today + timedelta(days=1))
    world.open_item_id = _first_item(session, world.open_menu.id or 0)
    world.far_open_item_id = _first_item(session, world.far_open_menu.id or 0)
    shift = session.exec(select(DriverShift).where(DriverShift.driver_id == d1.id)).first()
    world.params |= {"item_id": str(world.item_id), "shift_id": str(shift.id if shift else 0), "kind": "vehicle"}
    return world
