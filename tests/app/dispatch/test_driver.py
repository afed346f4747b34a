"""A driver reports at the door: own route, today only; no-answer and concerns reach the operator at once;
a report replayed after a weak connection counts once; a linked helper sees the outcome."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from app.alerts import service as alerts
from app.core.errors import Forbidden, InvalidInput
from app.core.principal import Principal
from app.core.settings import TZ
from app.dispatch import driver as driver_view
from app.family import service as tracking
from app.models import (
    Alert,
    Canteen,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    Order,
    StopEvent,
    User,
    WellnessCheck,
)
from tests.factories import link_helper, make_canteen, make_delivery_orders, make_driver, make_user, now

TODAY = now().date()


def as_principal(user: User, role: str, canteen_id: int | None = None) -> Principal:
    return Principal(user_id=user.id or 0, name=user.name, roles={role: frozenset({canteen_id})}, senior_id=None,
                     font_size="大", session_id=1, csrf_token="x")


def published_route(session: Session, canteen: Canteen, driver: Driver, orders: list[Order], day: date = TODAY,
                    status: str = "published") -> list[DeliveryStop]:
    plan = session.exec(select(DeliveryPlan).where(DeliveryPlan.canteen_id == canteen.id,
                                                   DeliveryPlan.service_date == day)).first()
    plan = plan or DeliveryPlan(canteen_id=canteen.id or 0, service_date=day, slot="lunch", status=status,
                                version=1, dispatch_at=datetime.combine(day, time(10, 45), TZ))
    session.add(plan)
    session.flush()
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=1)
    session.add(route)
    session.flush()
    stops = [DeliveryStop(route_id=route.id or 0, order_id=o.id or 0, seq=i,
                          eta=datetime.combine(day, time(11, i), TZ)) for i, o in enumerate(orders, start=1)]
    session.add_all(stops)
    session.commit()
    return stops


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    canteen = make_canteen(session)
    user, driver, _ = make_driver(session, canteen, TODAY, name="孙师傅")
    other_user, other_driver, _ = make_driver(session, canteen, TODAY, name="钱师傅")
    mine = make_delivery_orders(session, canteen, TODAY, [(0.002, 0.0), (0.003, 0.0)])
    alone = make_delivery_orders(session, canteen, TODAY, [(0.004, 0.0)], lives_alone=True)
    theirs = make_delivery_orders(session, canteen, TODAY, [(-0.002, 0.0)])
    stops = published_route(session, canteen, driver, mine + alone)
    their_stops = published_route(session, canteen, other_driver, theirs)
    return {"canteen": canteen, "me": as_principal(user, "driver", canteen.id), "stops": stops,
            "their_stops": their_stops, "orders": mine + alone, "them": as_principal(other_user, "driver", canteen.id)}


def test_a_driver_sees_only_their_own_stops_in_order_with_navigation_at_gcj02(session: Session, world: dict) -> None:
    routes = driver_view.today_routes(session, world["me"], TODAY)

    stops = routes[0].stops
    assert len(routes) == 1
    assert [s.id for s in stops] == [s.id for s in world["stops"]]
    assert stops[0].nav is not None
    assert stops[0].nav.amap_app.startswith("amapuri://route/plan/?sourceApplication=canteen.delivery&dlat=31.30")
    assert stops[0].nav.amap_app.endswith("&dev=0&t=3")
    assert stops[0].nav.amap_web.startswith("https://uri.amap.com/navigation?to=121.45")
    assert stops[0].nav.baidu_app.startswith("baidumap://map/direction?destination=latlng:31.30")
    assert "coord_type=gcj02" in stops[0].nav.baidu_app and "coord_type=gcj02" in stops[0].nav.baidu_web
    assert stops[0].room == "101室"
    assert stops[0].call is not None and "****" in stops[0].call.shown
    assert not hasattr(stops[0], "id_number")


def test_the_navigation_link_is_shifted_from_wgs84_to_gcj02() -> None:
    nav = driver_view.nav_links(31.3072, 121.4486, "王秀英")

    assert nav is not None
    query = dict(part.split("=") for part in nav.amap_app.split("?")[1].split("&"))
    lng, lat = float(query["dlon"]), float(query["dlat"])
    assert 0.003 < lng - 121.4486 < 0.006  # GCJ-02 lies a few hundred metres east and south in Shanghai
    assert -0.003 < lat - 31.3072 < 0.0


def test_another_drivers_stop_is_refused(session: Session, world: dict) -> None:
    with pytest.raises(Forbidden):
        driver_view.report(session, world["me"], stop_id=world["their_stops"][0].id, kind="delivered",
                           client_report_id="r-000000001", today=TODAY)


def test_yesterdays_route_is_neither_shown_nor_reportable(session: Session, world: dict) -> None:
    yesterday = TODAY - timedelta(days=1)
    old = make_delivery_orders(session, world["canteen"], yesterday, [(0.001, 0.001)])
    driver = session.exec(select(Driver).where(Driver.user_id == world["me"].user_id)).one()
    old_stop = published_route(session, world["canteen"], driver, old, day=yesterday)[0]

    routes = driver_view.today_routes(session, world["me"], TODAY)
    with pytest.raises(Forbidden):
        driver_view.report(session, world["me"], stop_id=old_stop.id or 0, kind="delivered",
                           client_report_id="r-000000002", today=TODAY)

    todays_plan = session.get(DeliveryRoute, world["stops"][0].route_id).plan_id
    assert [r.plan_id for r in routes] == [todays_plan]
    assert [s.id for s in routes[0].stops] == [s.id for s in world["stops"]]


def test_a_draft_plan_is_not_shown_to_the_driver(session: Session) -> None:
    canteen = make_canteen(session)
    user, driver, _ = make_driver(session, canteen, TODAY)
    published_route(session, canteen, driver, make_delivery_orders(session, canteen, TODAY, [(0.001, 0.0)]),
                    status="draft")

    routes = driver_view.today_routes(session, as_principal(user, "driver", canteen.id), TODAY)

    assert routes == []


def test_a_report_replayed_twice_counts_once(session: Session, world: dict) -> None:
    stop = world["stops"][0]

    first = driver_view.report(session, world["me"], stop_id=stop.id, kind="delivered",
                               client_report_id="offline-report-1", today=TODAY)
    second = driver_view.report(session, world["me"], stop_id=stop.id, kind="delivered",
                                client_report_id="offline-report-1", today=TODAY)

    events = session.exec(select(StopEvent).where(StopEvent.stop_id == stop.id)).all()
    assert (first.duplicate, second.duplicate) == (False, True)
    assert len(events) == 1
    assert session.get(Order, stop.order_id).status == "delivered"


def test_no_answer_raises_an_alert_at_once_with_the_emergency_contact(session: Session, world: dict) -> None:
    stop = world["stops"][1]

    driver_view.report(session, world["me"], stop_id=stop.id, kind="no_answer", client_report_id="na-00000001",
                       today=TODAY)
    driver_view.report(session, world["me"], stop_id=stop.id, kind="step", step="knock_again",
                       client_report_id="na-00000002", today=TODAY)
    driver_view.report(session, world["me"], stop_id=stop.id, kind="step", step="call_contact",
                       client_report_id="na-00000003", today=TODAY)

    open_now = alerts.open_alerts(session, [world["canteen"].id])
    kinds = [e.kind for e in session.exec(select(StopEvent).where(StopEvent.stop_id == stop.id)
                                          .order_by(StopEvent.id)).all()]
    assert [a.kind for a in open_now] == ["no_answer"]
    assert "13812345678" in open_now[0].message
    assert kinds == ["no_answer", "step:knock_again", "step:call_contact"]
    assert session.get(Order, stop.order_id).status == "no_answer"


def test_delivering_to_a_senior_living_alone_needs_the_wellness_answer(session: Session, world: dict) -> None:
    stop = world["stops"][2]

    with pytest.raises(InvalidInput):
        driver_view.report(session, world["me"], stop_id=stop.id, kind="delivered", client_report_id="w-0000001",
                           today=TODAY)


def test_a_wellness_concern_raises_an_alert_and_is_recorded(session: Session, world: dict) -> None:
    stop = world["stops"][2]

    driver_view.report(session, world["me"], stop_id=stop.id, kind="delivered", wellness="unwell",
                       note="说头晕", client_report_id="w-0000002", today=TODAY)

    check = session.exec(select(WellnessCheck)).one()
    alert = session.exec(select(Alert)).one()
    assert (check.result, check.note) == ("unwell", "说头晕")
    assert alert.kind == "wellness" and "看起来不太好" in alert.message and "说头晕" in alert.message


def test_a_well_senior_raises_no_alert(session: Session, world: dict) -> None:
    driver_view.report(session, world["me"], stop_id=world["stops"][2].id, kind="delivered", wellness="well",
                       client_report_id="w-0000003", today=TODAY)

    assert session.exec(select(Alert)).all() == []


def test_a_linked_helper_sees_delivered_and_the_wellness_result(session: Session, world: dict) -> None:
    stop = world["stops"][2]
    order = session.get(Order, stop.order_id)
    helper = make_user(session, "helper")
    from app.models import Senior

    link_helper(session, helper, session.get(Senior, order.senior_id))
    driver_view.report(session, world["me"], stop_id=stop.id, kind="delivered", wellness="well",
                       client_report_id="w-0000004", today=TODAY)

    view = tracking.family_status(session, as_principal(helper, "helper"), order.senior_id, now())

    meal = view.meals[0]
    assert (meal.stage, meal.wellness_name) == ("delivered", "见到本人，状态良好")
    assert [s.state for s in meal.steps] == ["done", "done", "done", "done"]


def test_a_helper_without_a_link_is_refused(session: Session, world: dict) -> None:
    order = world["orders"][0]
    stranger = make_user(session, "helper")

    with pytest.raises(Forbidden):
        tracking.family_status(session, as_principal(stranger, "helper"), order.senior_id, now())


def test_a_revoked_link_no_longer_shows_the_senior(session: Session, world: dict) -> None:
    from app.models import Senior

    order = world["orders"][0]
    helper = make_user(session, "helper")
    link = link_helper(session, helper, session.get(Senior, order.senior_id))
    link.revoked_at = now()
    session.add(link)
    session.commit()

    with pytest.raises(Forbidden):
        tracking.family_status(session, as_principal(helper, "helper"), order.senior_id, now())
