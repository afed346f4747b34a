"""The dispatcher adjusts by hand: moves, locks, re-plans around locks, publishes, and slots in late orders."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import jobs
from app.core import messages as msg
from app.core.errors import Conflict, InvalidInput
from app.core.principal import Principal
from app.core.privacy import mask_name
from app.dispatch import edit
from app.dispatch import service as dispatch
from app.models import AuditEvent, DeliveryPlan, DeliveryRoute, DeliveryStop, Driver, Order, Senior
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_user, now

DAY = now().date()


def run_jobs(engine: Engine) -> None:
    jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)


def dispatcher(session: Session, canteen_id: int) -> Principal:
    user = make_user(session, ("dispatcher", canteen_id))
    return Principal(
        user_id=user.id or 0,
        name="王调度",
        roles={"dispatcher": frozenset({canteen_id})},
        senior_id=None,
        font_size="大",
        session_id=1,
        csrf_token="x",
    )


def route_of(session: Session, driver: Driver) -> DeliveryRoute:
    session.expire_all()
    route = session.exec(select(DeliveryRoute).where(DeliveryRoute.driver_id == driver.id)).one()
    return route


def order_ids(session: Session, route: DeliveryRoute) -> list[int]:
    return [s.order_id for s in dispatch.stops_of(session, route.id or 0)]


def make_two_routes(
    session: Session, engine: Engine, day: date = DAY, capacity: int = 2
) -> tuple[DeliveryPlan, Driver, Driver, Principal]:
    """Two drivers, a cluster of doors north and a cluster south: the planner gives each driver one cluster."""
    canteen = make_canteen(session)
    _, north_driver, _ = make_driver(session, canteen, day, name="甲师傅", capacity=capacity)
    _, south_driver, _ = make_driver(session, canteen, day, name="乙师傅", capacity=capacity)
    make_delivery_orders(session, canteen, day, [(0.004, 0.0), (0.005, 0.0), (-0.004, 0.0), (-0.005, 0.0)])
    plan = dispatch.plan_for(session, canteen.id or 0, day, "lunch")
    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)
    session.refresh(plan)
    return plan, north_driver, south_driver, dispatcher(session, canteen.id or 0)


@pytest.fixture
def two_routes(session: Session, engine: Engine) -> tuple[DeliveryPlan, Driver, Driver, Principal]:
    return make_two_routes(session, engine)


def test_moving_a_stop_to_another_route_renumbers_both_and_retimes(
    session: Session, two_routes: tuple
) -> None:
    plan, a, b, principal = two_routes
    route_a, route_b = route_of(session, a), route_of(session, b)
    moving = dispatch.stops_of(session, route_a.id or 0)[0]
    before_b = order_ids(session, route_b)

    problems = edit.move_stop(session, principal, moving.id or 0, route_b.id or 0, 1)

    session.expire_all()
    assert order_ids(session, route_b) == [moving.order_id, *before_b]
    assert [s.seq for s in dispatch.stops_of(session, route_b.id or 0)] == [1, 2, 3]
    assert [s.seq for s in dispatch.stops_of(session, route_a.id or 0)] == [1]
    # three meals in a two-meal carrier: the validator says so, naming the driver, not a key
    assert any("乙师傅" in p and "超过容量" in p for p in problems)


def test_a_locked_stop_cannot_be_moved(session: Session, two_routes: tuple) -> None:
    plan, a, b, principal = two_routes
    stop = dispatch.stops_of(session, route_of(session, a).id or 0)[0]
    edit.set_lock(session, principal, stop_id=stop.id, locked=True)

    with pytest.raises(Conflict):
        edit.move_stop(session, principal, stop.id or 0, route_of(session, b).id or 0, 1)


def test_replanning_keeps_a_locked_stop_first_on_its_route(
    session: Session, engine: Engine, two_routes: tuple
) -> None:
    plan, a, b, principal = two_routes
    route_a = route_of(session, a)
    last = dispatch.stops_of(session, route_a.id or 0)[-1]
    edit.move_stop(session, principal, last.id or 0, route_a.id or 0, 1)
    edit.set_lock(session, principal, stop_id=last.id, locked=True)

    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)

    session.expire_all()
    first = dispatch.stops_of(session, route_of(session, a).id or 0)[0]
    assert jobs.status(session, plan.id or 0).state == "done"
    assert (first.order_id, first.locked) == (last.order_id, True)


def test_publishing_bumps_the_version_each_time(session: Session, two_routes: tuple) -> None:
    plan, _, _, principal = two_routes

    first = edit.publish(session, principal, plan.id or 0).version
    second = edit.publish(session, principal, plan.id or 0).version

    assert (first, second, plan.status) == (1, 2, "published")


def test_publishing_an_empty_plan_is_refused(session: Session) -> None:
    canteen = make_canteen(session)
    plan = dispatch.plan_for(session, canteen.id or 0, DAY, "lunch")

    with pytest.raises(Conflict):
        edit.publish(session, dispatcher(session, canteen.id or 0), plan.id or 0)


def test_a_late_order_is_slotted_into_the_published_plan_without_reordering_the_rest(
    session: Session, engine: Engine
) -> None:
    plan, a, b, principal = make_two_routes(session, engine, DAY + timedelta(days=1), capacity=3)
    edit.publish(session, principal, plan.id or 0)
    before = {d.id: order_ids(session, route_of(session, d)) for d in (a, b)}
    canteen_id = plan.canteen_id
    from app.models import Canteen

    late = make_delivery_orders(
        session, session.get(Canteen, canteen_id), plan.service_date, [(0.0045, 0.0005)]
    )[0]
    pending = edit.late_orders(session, plan)

    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)

    session.expire_all()
    assert jobs.status(session, plan.id or 0).state == "done", jobs.status(session, plan.id or 0).error
    after = {d.id: order_ids(session, route_of(session, d)) for d in (a, b)}
    placed = [d for d, ids in after.items() if late.id in ids]
    assert [o.id for o, _ in pending] == [late.id]
    assert len(placed) == 1
    for driver_id, ids in after.items():
        assert [i for i in ids if i != late.id] == before[driver_id]
    assert session.get(DeliveryPlan, plan.id).version == 2  # drivers' views show the new version
    assert edit.late_orders(session, plan) == []


def test_continuity_keeps_yesterdays_driver_for_a_senior(session: Session, engine: Engine) -> None:
    canteen = make_canteen(session)
    yesterday = DAY - timedelta(days=1)
    _, first, _ = make_driver(session, canteen, DAY, name="甲师傅", start=time(10, 30))
    _, usual, _ = make_driver(session, canteen, DAY, name="乙师傅", start=time(10, 30))
    old = make_delivery_orders(session, canteen, yesterday, [(0.003, 0.0)])[0]
    old_plan = DeliveryPlan(
        canteen_id=canteen.id or 0, service_date=yesterday, slot="lunch", status="published", version=1
    )
    session.add(old_plan)
    session.flush()
    old_route = DeliveryRoute(plan_id=old_plan.id or 0, driver_id=usual.id or 0, vehicle_id=1)
    session.add(old_route)
    session.flush()
    session.add(DeliveryStop(route_id=old_route.id or 0, order_id=old.id or 0, seq=1))
    session.commit()
    from app.models import Order, Senior

    senior = session.get(Senior, old.senior_id)
    today_order = make_delivery_orders(session, canteen, DAY, [(0.0031, 0.0)])[0]
    today_order.senior_id = senior.id or 0
    session.add(today_order)
    session.commit()
    plan = dispatch.plan_for(session, canteen.id or 0, DAY, "lunch")

    t = dispatch.build_problem(session, plan)
    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)

    stop = session.exec(select(DeliveryStop).where(DeliveryStop.order_id == today_order.id)).one()
    assert t.problem.stops[0].preferred_vehicle == t.problem.vehicles[1].key
    assert session.get(DeliveryRoute, stop.route_id).driver_id == usual.id
    assert session.get(Order, today_order.id) is not None and first.id != usual.id


def test_after_publishing_the_kitchen_packs_in_the_plans_stop_order(session: Session, two_routes: tuple) -> None:
    from app.kitchen import service as kitchen_service

    plan, a, b, principal = two_routes
    kitchen_user = make_user(session, ("kitchen", plan.canteen_id))
    cook = Principal(user_id=kitchen_user.id or 0, name="李厨师长", roles={"kitchen": frozenset({plan.canteen_id})},
                     senior_id=None, font_size="大", session_id=1, csrf_token="x")
    scope = kitchen_service.scope_for(session, cook, plan.canteen_id)
    before, _ = kitchen_service.stop_order_for(session, scope, DAY, "lunch")

    edit.publish(session, principal, plan.id or 0)
    after, routes = kitchen_service.stop_order_for(session, scope, DAY, "lunch")

    expected = {str(s.order_id): (str(s.route_id), s.seq) for s in session.exec(select(DeliveryStop)).all()}
    assert before is None
    assert after == expected
    assert [r.driver for r in routes.values()] == ["甲师傅", "乙师傅"]


def _late_stop(session: Session, plan: DeliveryPlan, ride_s: int = 3871) -> DeliveryStop:
    """As if a hand move had left the first stop 65 minutes from the kitchen (the routes' retimed ride)."""
    route = dispatch.routes_of(session, plan.id or 0)[0]
    stop = dispatch.stops_of(session, route.id or 0)[0]
    stop.ride_s = ride_s
    session.add(stop)
    session.commit()
    return stop


def test_a_plan_with_a_stop_past_the_ride_limit_is_not_published_without_a_written_reason(
    session: Session, two_routes: tuple
) -> None:
    plan, _, _, principal = two_routes
    stop = _late_stop(session, plan)
    senior = session.get_one(Senior, session.get_one(Order, stop.order_id).senior_id)

    with pytest.raises(InvalidInput) as refused:
        edit.publish(session, principal, plan.id or 0, {"reason": "急"})
    session.refresh(plan)

    assert refused.value.errors == {"reason": msg.DISPATCH_SAFETY_REASON_NEEDED}
    assert (plan.status, plan.version) == ("draft", 0)
    assert edit.safety_breaches(session, plan) == [
        f"{mask_name(senior.name)}离开厨房65分钟才送达，超过60分钟的餐食安全时限"
    ]


def test_a_written_reason_publishes_the_late_plan_and_is_kept_on_it_and_in_the_audit_log(
    session: Session, two_routes: tuple
) -> None:
    plan, _, _, principal = two_routes
    _late_stop(session, plan)

    published = edit.publish(session, principal, plan.id or 0, {"reason": "雨天人手不足已电话告知家属"})

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "plan_publish_past_safety_limit")).one()
    assert (published.status, published.safety_reason) == ("published", "雨天人手不足已电话告知家属")
    assert (event.user_id, event.object_id) == (principal.user_id, str(plan.id))
    assert event.detail.startswith("第1版：雨天人手不足已电话告知家属；")


def test_a_plan_within_every_limit_publishes_without_a_reason(session: Session, two_routes: tuple) -> None:
    plan, _, _, principal = two_routes

    published = edit.publish(session, principal, plan.id or 0, {"reason": "不需要"})

    assert (published.status, published.safety_reason) == ("published", "")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "plan_publish_past_safety_limit")).all() == []
