"""The worker's periodic checks, run at a moved clock: a senior who has gone quiet and a stop nobody reported on
raise alerts once each, and the operator's board lists them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, col, select

from app import jobs
from app.core.settings import TZ
from app.dispatch import service as dispatch
from app.models import Alert, DeliveryRoute, DeliveryStop, now
from tests.factories import make_canteen, make_driver, make_priced_order, make_senior, make_user, seed_schemes

TODAY = now().date()


def _alerts(session: Session) -> list[tuple[str, str]]:
    return [(a.kind, a.message) for a in session.exec(select(Alert).order_by(col(Alert.id))).all()]


def test_a_senior_with_no_order_for_three_days_raises_one_silence_alert(session: Session) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    registered = datetime.combine(TODAY - timedelta(days=30), time(9), TZ)
    quiet = make_senior(session, name="王阿婆", default_canteen_id=canteen.id, created_at=registered)
    eating = make_senior(session, name="李老伯", default_canteen_id=canteen.id, created_at=registered)
    make_priced_order(session, quiet, canteen, TODAY - timedelta(days=3))
    make_priced_order(session, eating, canteen, TODAY + timedelta(days=1))
    morning = datetime.combine(TODAY, time(9), TZ)

    on_day_two = jobs.run_checks(session, morning - timedelta(days=1))
    on_day_three = jobs.run_checks(session, morning)
    again = jobs.run_checks(session, morning + timedelta(hours=1))

    assert (on_day_two.silent, on_day_three.silent, again.silent) == (0, 1, 0)
    alert = session.exec(select(Alert)).one()
    assert (alert.kind, alert.senior_id, alert.canteen_id) == ("silence", quiet.id, canteen.id)
    assert alert.message == "已连续 3 天没有订餐，请打电话或上门问候。"


def _published_stop(session: Session) -> DeliveryStop:
    seed_schemes(session)
    canteen = make_canteen(session)
    _user, driver, vehicle = make_driver(session, canteen, TODAY)
    senior = make_senior(session, name="赵阿姨", default_canteen_id=canteen.id)
    order = make_priced_order(session, senior, canteen, TODAY, channel="delivery")
    plan = dispatch.plan_for(session, canteen.id or 0, TODAY, "lunch")
    plan.status = "published"
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0)
    session.add(plan)
    session.add(route)
    session.flush()
    stop = DeliveryStop(route_id=route.id or 0, order_id=order.id or 0, seq=1,
                        eta=datetime.combine(TODAY, time(11, 40), TZ))
    session.add(stop)
    session.commit()
    return stop


def test_a_stop_still_pending_thirty_minutes_after_its_eta_raises_one_alert(session: Session) -> None:
    stop = _published_stop(session)
    eta = datetime.combine(TODAY, time(11, 40), TZ)

    at_29 = jobs.run_checks(session, eta + timedelta(minutes=29))
    at_31 = jobs.run_checks(session, eta + timedelta(minutes=31))
    at_60 = jobs.run_checks(session, eta + timedelta(minutes=60))

    assert (at_29.overdue, at_31.overdue, at_60.overdue) == (0, 1, 0)
    alert = session.exec(select(Alert)).one()
    assert (alert.kind, alert.stop_id) == ("problem", stop.id)
    assert alert.message == "预计 11:40 送达，已超过 30 分钟仍未回报送达情况，请联系送餐员。"


def test_a_stop_reported_in_time_raises_nothing(session: Session) -> None:
    stop = _published_stop(session)
    stop.status, stop.reported_at = "delivered", datetime.combine(TODAY, time(11, 45), TZ)
    session.add(stop)
    session.commit()

    result = jobs.run_checks(session, datetime.combine(TODAY, time(13), TZ))

    assert result.overdue == 0
    assert _alerts(session) == []


def test_the_operators_board_shows_the_alerts_the_checks_raised(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _published_stop(session)
    make_user(session, "operator", phone="13900001111")
    login("13900001111")
    jobs.run_checks(session, datetime.combine(TODAY, time(12, 30), TZ))

    soup = BeautifulSoup(client.get("/admin").text, "html.parser")

    text = soup.get_text(" ", strip=True)
    assert "预计 11:40 送达，已超过 30 分钟仍未回报送达情况，请联系送餐员。" in text
    assert "赵阿姨" in text
