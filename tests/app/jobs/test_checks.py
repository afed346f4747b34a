"""The worker's periodic checks, run at a moved clock: a senior who has gone quiet and a stop nobody reported on
raise alerts once each, and the operator's board lists them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app import alerts, jobs
from app.core.settings import TZ
from app.dispatch import service as dispatch
from app.models import Alert, Canteen, DeliveryRoute, DeliveryStop, OrderEvent, now
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
    alert = session.exec(select(Alert).where(Alert.kind == "problem")).one()
    assert (alert.kind, alert.stop_id) == ("problem", stop.id)
    assert alert.message == "预计 11:40 送达，已超过 30 分钟仍未回报送达情况，请联系送餐员。"


def test_a_stop_reported_in_time_raises_nothing(session: Session) -> None:
    stop = _published_stop(session)
    stop.status, stop.reported_at = "delivered", datetime.combine(TODAY, time(11, 45), TZ)
    session.add(stop)
    session.commit()

    result = jobs.run_checks(session, datetime.combine(TODAY, time(13), TZ))

    assert result.overdue == 0
    assert [kind for kind, _ in _alerts(session)] == ["cutoff"]


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


def test_a_check_in_within_the_silent_days_is_news_even_without_a_new_order(session: Session) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    registered = datetime.combine(TODAY - timedelta(days=30), time(9), TZ)
    senior = make_senior(session, name="钱阿婆", default_canteen_id=canteen.id, created_at=registered)
    order = make_priced_order(session, senior, canteen, TODAY - timedelta(days=5))
    morning = datetime.combine(TODAY, time(9), TZ)
    session.add(OrderEvent(order_id=order.id or 0, status="served", at=morning - timedelta(days=1)))
    session.commit()

    result = jobs.run_checks(session, morning)

    assert result.silent == 0
    assert [kind for kind, _ in _alerts(session)] == []


def test_two_checks_at_the_same_instant_raise_the_silence_alert_once(session: Session, engine: Engine) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    registered = datetime.combine(TODAY - timedelta(days=30), time(9), TZ)
    quiet = make_senior(session, name="孙阿婆", default_canteen_id=canteen.id, created_at=registered)
    morning = datetime.combine(TODAY, time(9), TZ)
    senior_id, canteen_id = quiet.id or 0, canteen.id or 0
    barrier = threading.Barrier(2)
    raised: list[bool] = []

    def worker() -> None:
        with Session(engine) as s:  # both insert at once; on PostgreSQL the second waits for the first
            barrier.wait()
            raised.append(alerts.raise_once(s, f"silence:{senior_id}:none", kind="silence", senior_id=senior_id,
                                            canteen_id=canteen_id, message="x"))
            s.commit()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    later = jobs.run_checks(session, morning)

    assert sorted(raised) == [False, True]
    assert later.silent == 0
    assert session.exec(select(func.count()).select_from(Alert).where(Alert.senior_id == senior_id)).one() == 1


def _delivery_tomorrow(session: Session) -> Canteen:
    seed_schemes(session)
    canteen = make_canteen(session, name="彭浦第一长者食堂")
    senior = make_senior(session, name="周老伯", default_canteen_id=canteen.id)
    make_priced_order(session, senior, canteen, TODAY + timedelta(days=1), channel="delivery")
    return canteen


def test_the_delivery_cutoff_raises_one_notice_for_the_dispatcher(session: Session) -> None:
    canteen = _delivery_tomorrow(session)
    cutoff = datetime.combine(TODAY, time(17), TZ)  # the day before at 17:00

    before = jobs.run_checks(session, cutoff - timedelta(minutes=1))
    after = jobs.run_checks(session, cutoff + timedelta(minutes=1))
    again = jobs.run_checks(session, cutoff + timedelta(minutes=6))

    assert (before.cutoff, after.cutoff, again.cutoff) == (0, 1, 0)
    alert = session.exec(select(Alert).where(Alert.kind == "cutoff")).one()
    tomorrow = TODAY + timedelta(days=1)
    assert (alert.canteen_id, alert.senior_id) == (canteen.id, None)
    assert alert.message == (f"{tomorrow.month}月{tomorrow.day}日午餐送餐已截单，共 1 份送餐订单：厨房单据已定稿，"
                             "请调度员规划送餐路线。")


def test_the_dispatch_page_and_the_operators_board_show_the_cutoff_notice(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    canteen = _delivery_tomorrow(session)
    make_user(session, ("dispatcher", canteen.id), phone="13900002222")
    make_user(session, "operator", phone="13900001111")
    jobs.run_checks(session, datetime.combine(TODAY, time(17, 1), TZ))
    tomorrow = (TODAY + timedelta(days=1)).isoformat()

    login("13900002222")
    dispatch_page = BeautifulSoup(client.get(f"/dispatch?canteen={canteen.id}&day={tomorrow}&slot=lunch").text,
                                  "html.parser")
    login("13900001111")
    board = BeautifulSoup(client.get("/admin").text, "html.parser").get_text(" ", strip=True)

    notice = dispatch_page.select_one("[data-cutoff-notice]")
    assert notice is not None
    assert "截单提醒" in notice.get_text() and "请调度员规划送餐路线" in notice.get_text()
    assert "截单提醒" in board and "请调度员规划送餐路线" in board


def test_evidence_ending_within_thirty_days_raises_one_alert(session: Session) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    morning = datetime.combine(TODAY, time(9), TZ)
    ending = make_senior(session, name="吴阿姨", default_canteen_id=canteen.id, economic_status="低保",
                         economic_valid_to=TODAY + timedelta(days=20))
    make_senior(session, name="郑老伯", default_canteen_id=canteen.id, economic_status="低保",
                economic_valid_to=TODAY + timedelta(days=40))

    first, again = jobs.run_checks(session, morning), jobs.run_checks(session, morning + timedelta(days=1))
    ten_days_on = jobs.run_checks(session, morning + timedelta(days=10))

    end = TODAY + timedelta(days=20)
    assert (first.evidence, again.evidence, ten_days_on.evidence) == (1, 0, 1)
    rows = session.exec(select(Alert).where(Alert.kind == "evidence").order_by(col(Alert.id))).all()
    assert [r.senior_id for r in rows][0] == ending.id
    assert rows[0].message == f"低保认定证明将于 {end.year}年{end.month}月{end.day}日 到期，请提醒长者或家属及时续办，以免补贴中断。"
