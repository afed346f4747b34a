"""探访关爱: a driver's wellness check at the door counts as a visit; concerns and alert outcomes are counted."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Alert, DeliveryPlan, DeliveryRoute, DeliveryStop, WellnessCheck, now
from app.planning import care
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_senior, seed_schemes


def test_a_drivers_wellness_check_counts_as_this_weeks_visit_and_its_concern_is_counted(session: Session) -> None:
    seed_schemes(session)
    today = now().date()
    canteen = make_canteen(session)
    (order,) = make_delivery_orders(session, canteen, today, [(0.001, 0.001)], lives_alone=True)
    nobody = make_senior(session, name="没人去过", disability_level="重")
    make_senior(session, name="不在名单")
    _, driver, vehicle = make_driver(session, canteen, today)
    plan = DeliveryPlan(canteen_id=canteen.id or 0, service_date=today, slot="lunch", status="published")
    session.add(plan)
    session.flush()
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id, vehicle_id=vehicle.id)
    session.add(route)
    session.flush()
    stop = DeliveryStop(route_id=route.id or 0, order_id=order.id or 0, seq=1, status="delivered")
    session.add(stop)
    session.flush()
    session.add(WellnessCheck(stop_id=stop.id or 0, senior_id=order.senior_id, result="unwell"))
    session.add(Alert(kind="wellness", status="resolved", senior_id=order.senior_id, canteen_id=canteen.id or 0,
                      message="说头晕"))
    session.commit()

    week = care.care_week(session, "", today)

    lines = {line.senior.id: line for line in week.lines}
    assert set(lines) == {order.senior_id, nobody.id}
    assert lines[order.senior_id].visited_this_week
    assert lines[order.senior_id].last_visit is not None and lines[order.senior_id].last_visit.by == "送餐员"
    assert [line.senior.id for line in week.dispatch] == [nobody.id]
    assert lines[nobody.id].reasons == ["失能"]
    assert sum(w.visits for w in week.quarter_weeks) == 1
    assert sum(w.concerns for w in week.quarter_weeks) == 1
    assert week.outcomes == {"open": 0, "acknowledged": 0, "resolved": 1}
