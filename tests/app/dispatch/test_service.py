"""Dispatch: delivery orders become a routing problem, a worker plans it, and the routes are stored in stop order."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import routing
from app import jobs
from app.core.principal import Principal
from app.core.settings import TZ
from app.dispatch import service as dispatch
from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop, UnassignedStop
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_user, now

DAY = now().date()


def _principal(user_id: int, **roles: frozenset[int | None]) -> Principal:
    return Principal(
        user_id=user_id,
        name="调度",
        roles=dict(roles),
        senior_id=None,
        font_size="大",
        session_id=1,
        csrf_token="x",
    )


def run_jobs(engine: Engine) -> None:
    """The worker's loop, run here in the test process until the queue is empty."""
    jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)


def planned(session: Session, canteen_id: int, day: date = DAY) -> DeliveryPlan:
    plan = dispatch.plan_for(session, canteen_id, day, "lunch")
    assert jobs.enqueue(session, plan.id or 0)
    return plan


def test_an_order_becomes_a_stop_with_window_service_time_and_eat_by_from_the_slot(session: Session) -> None:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY, capacity=12, start=time(10, 30), end=time(13, 30), max_trips=2)
    make_delivery_orders(session, canteen, DAY, [(0.002, 0.0)], floor=5, has_lift=False, lives_alone=True)
    plan = dispatch.plan_for(session, canteen.id or 0, DAY, "lunch")

    t = dispatch.build_problem(session, plan)

    stop, vehicle = t.problem.stops[0], t.problem.vehicles[0]
    assert t.start == datetime.combine(DAY, time(10, 45), TZ)  # the slot's cook-finish time is second zero
    assert stop.window == routing.TimeWindow(15 * 60, 105 * 60)  # delivery 11:00–12:30
    assert stop.service_s == 60 + 4 * 25 + 120  # base + four floors on foot + wellness check (lives alone)
    assert stop.eat_by_s == 2 * 3600
    assert t.problem.ride_limit_s == 3600
    assert (vehicle.capacity_meals, vehicle.max_trips, vehicle.kind) == (12, 2, "ebike")
    assert vehicle.shift == routing.TimeWindow(
        0, 165 * 60
    )  # the shift starts before cooking ends: clamp to 0
    assert t.problem.depot.location == routing.LatLng(canteen.lat, canteen.lng)


def test_a_point_supplied_by_a_central_kitchen_dispatches_from_that_kitchen(session: Session) -> None:
    kitchen = make_canteen(session, kind="central_kitchen", lat=31.31, lng=121.45)
    point = make_canteen(session, kind="point", supplier_id=kitchen.id, lat=31.30, lng=121.44)
    make_driver(session, point, DAY)
    plan = dispatch.plan_for(session, point.id or 0, DAY, "lunch")

    t = dispatch.build_problem(session, plan)

    assert t.problem.depot.location == routing.LatLng(31.31, 121.45)


def test_the_worker_plans_three_doors_in_order_inside_their_windows(session: Session, engine: Engine) -> None:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY)
    make_delivery_orders(session, canteen, DAY, [(0.002, 0.0), (0.004, 0.0), (0.006, 0.0)])
    plan = planned(session, canteen.id or 0)

    run_jobs(engine)

    session.expire_all()
    stops = session.exec(select(DeliveryStop).order_by(DeliveryStop.seq)).all()
    t = dispatch.build_problem(session, plan)
    assert jobs.status(session, plan.id or 0).state == "done"
    assert [s.seq for s in stops] == [1, 2, 3]
    ids = [s.order_id for s in stops]
    assert ids in (sorted(ids), sorted(ids, reverse=True))  # doors on one straight street: no zig-zag
    assert all(
        datetime.combine(DAY, time(11), TZ) <= (s.eta or t.start) <= datetime.combine(DAY, time(12, 30), TZ)
        for s in stops
    )
    assert all(s.ride_s <= 3600 for s in stops)


def test_a_door_too_far_away_is_listed_unassigned_with_the_reason_in_words(
    session: Session, engine: Engine
) -> None:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY)
    far = make_delivery_orders(session, canteen, DAY, [(0.002, 0.0), (0.45, 0.0)])[1]
    planned(session, canteen.id or 0)

    run_jobs(engine)

    left = session.exec(select(UnassignedStop)).all()
    assert [u.order_id for u in left] == [far.id]
    assert left[0].reason.startswith("太远")


def test_the_stored_plan_passes_the_routing_validator(session: Session, engine: Engine) -> None:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY, name="甲师傅", capacity=3)
    make_driver(session, canteen, DAY, name="乙师傅", capacity=3)
    make_delivery_orders(
        session,
        canteen,
        DAY,
        [(0.002, 0.001), (0.003, -0.002), (-0.002, 0.003), (-0.004, -0.001), (0.001, 0.004)],
    )
    plan = planned(session, canteen.id or 0)
    run_jobs(engine)
    from app.dispatch import edit as dispatch_edit

    t = dispatch.build_problem(session, plan, with_locks=False)
    report = routing.validate(t.problem, dispatch_edit.current_plan(session, plan, t))

    assert report.violations == ()
    assert len(session.exec(select(DeliveryRoute)).all()) == 2
    assert len(session.exec(select(DeliveryStop)).all()) == 5


def test_a_failing_job_records_the_failure_in_words_and_the_worker_carries_on(
    session: Session, engine: Engine
) -> None:
    canteen = make_canteen(session)
    plan = planned(session, canteen.id or 0)  # nobody on shift: the problem cannot be built

    run_jobs(engine)

    status = jobs.status(session, plan.id or 0)
    assert status.state == "failed"
    assert status.error == "规划没有完成：这一餐还没有排班的送餐员，请先安排送餐员和车辆。"


def test_a_dispatcher_of_another_canteen_may_not_see_the_plan(session: Session) -> None:
    from app.core.errors import Forbidden
    from app.dispatch import views as dispatch_view

    mine, other = make_canteen(session), make_canteen(session)
    user = make_user(session, ("dispatcher", mine.id))
    principal = _principal(user.id or 0, dispatcher=frozenset({mine.id}))

    try:
        dispatch_view.plan_page(session, principal, other.id or 0, DAY, "lunch")
        refused = False
    except Forbidden:
        refused = True

    assert refused


def test_locks_that_cannot_all_be_kept_fail_the_job_with_the_reason_in_words(
    session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY)
    make_delivery_orders(session, canteen, DAY, [(0.002, 0.0)])
    plan = planned(session, canteen.id or 0)

    def refuse(*_args: object, **_kwargs: object) -> routing.RoutePlan:
        raise routing.NoFeasibleRoute("locked trip breaks a window")

    monkeypatch.setattr(dispatch.routing, "solve", refuse)
    run_jobs(engine)

    status = jobs.status(session, plan.id or 0)
    assert status.state == "failed"
    assert status.error == "规划没有完成：锁定的路线或站点无法在时间窗、容量和班次内全部保住，请解除部分锁定后重新规划。"
