"""The dispatcher's pages: plan in the background, see routes as a map and tables, adjust, publish, live board."""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import jobs
from app.dispatch import service as dispatch
from app.models import DeliveryPlan, DeliveryRoute, DeliveryStop
from tests.conftest import csrf
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_user, now

DAY = now().date()


def run_jobs(engine: Engine) -> None:
    jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)


def setup(session: Session, login: Callable[..., object]) -> tuple[object, object]:
    canteen = make_canteen(session)
    make_driver(session, canteen, DAY, name="孙师傅", capacity=2)
    make_driver(session, canteen, DAY, name="钱师傅", capacity=2)
    make_delivery_orders(session, canteen, DAY, [(0.004, 0.0), (0.005, 0.0), (-0.004, 0.0), (-0.005, 0.0),
                                                 (0.5, 0.0)])
    make_user(session, ("dispatcher", canteen.id), phone="13900000003")
    return login("13900000003"), canteen


def page(client: object, canteen: object) -> BeautifulSoup:
    r = client.get(f"/dispatch?canteen={canteen.id}&day={DAY}&slot=lunch")  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text[-400:]
    return BeautifulSoup(r.text, "html.parser")


def test_before_planning_the_page_lists_orders_and_drivers_on_shift(session: Session, login: Callable) -> None:
    client, canteen = setup(session, login)

    soup = page(client, canteen)

    assert soup.select_one("[data-orders]").get_text() == "5"
    assert len(soup.select("[data-shift]")) == 2
    assert soup.select_one("[data-solve]").get_text(strip=True) == "规划路线"
    assert soup.select("[data-route]") == []


def test_a_second_click_while_the_job_waits_says_so_and_queues_nothing(session: Session, login: Callable) -> None:
    client, canteen = setup(session, login)
    plan = dispatch.plan_for(session, canteen.id, DAY, "lunch")

    first = client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})
    second = client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})
    soup = BeautifulSoup(second.text, "html.parser")
    polled = client.get(f"/dispatch/plan/{plan.id}/job").json()

    assert first.status_code == second.status_code == 200  # followed the 303 back to the page
    assert "路线正在规划中" in soup.select_one(".notice").get_text()
    assert soup.select_one("[data-solve]").has_attr("disabled")
    assert polled["state"] == "queued" and polled["active"] is True


def test_after_the_worker_the_page_draws_routes_tables_and_unassigned_reasons(session: Session, engine: Engine,
                                                                               login: Callable) -> None:
    client, canteen = setup(session, login)
    plan = dispatch.plan_for(session, canteen.id, DAY, "lunch")
    client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})

    run_jobs(engine)
    soup = page(client, canteen)

    routes = soup.select("[data-route]")
    assert len(routes) == 2
    assert [len(r.select("tr[data-stop]")) for r in routes] == [2, 2]
    assert len(soup.select("svg[data-map] polyline")) == 2
    assert len(soup.select("svg[data-map] circle")) == 4
    assert soup.select_one("[data-depot]") is not None
    reasons = [r.get_text() for r in soup.select("[data-unassigned] [data-reason]")]
    assert len(reasons) == 1 and reasons[0].startswith("太远")
    assert "分钟" in routes[0].select_one("[data-ride]").get_text()


def test_moving_a_stop_and_publishing_from_the_page(session: Session, engine: Engine, login: Callable) -> None:
    client, canteen = setup(session, login)
    plan = dispatch.plan_for(session, canteen.id, DAY, "lunch")
    client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})
    run_jobs(engine)
    routes = session.exec(select(DeliveryRoute).order_by(DeliveryRoute.position)).all()
    stop = session.exec(select(DeliveryStop).where(DeliveryStop.route_id == routes[0].id)).first()

    moved = client.post(f"/dispatch/stop/{stop.id}/move",
                        data={"csrf_token": csrf(client), "route_id": routes[1].id, "position": "1"})
    published = client.post(f"/dispatch/plan/{plan.id}/publish", data={"csrf_token": csrf(client)})

    session.expire_all()
    warnings = BeautifulSoup(moved.text, "html.parser").select("[data-warnings] li")
    assert session.get(DeliveryStop, stop.id).route_id == routes[1].id
    assert any("超过容量" in w.get_text() for w in warnings)
    assert "第 1 版" in BeautifulSoup(published.text, "html.parser").select_one(".notice").get_text()
    assert session.get(DeliveryPlan, plan.id).status == "published"


def test_a_bad_continuity_value_is_shown_next_to_the_field(session: Session, login: Callable) -> None:
    client, canteen = setup(session, login)
    plan = dispatch.plan_for(session, canteen.id, DAY, "lunch")

    r = client.post(f"/dispatch/plan/{plan.id}/continuity", data={"csrf_token": csrf(client), "seconds": "很多"})

    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 422
    assert soup.select_one("#f-seconds")["value"] == "很多"
    assert "0 到 3600" in soup.select_one("#f-seconds-err").get_text()


def test_a_dispatcher_of_another_canteen_is_refused(session: Session, login: Callable) -> None:
    client, _ = setup(session, login)
    other = make_canteen(session)

    r = client.get(f"/dispatch?canteen={other.id}&day={DAY}")

    assert r.status_code == 403


def test_the_live_board_puts_alerts_at_the_top(session: Session, engine: Engine, login: Callable) -> None:
    from app.alerts import service as alerts

    client, canteen = setup(session, login)
    plan = dispatch.plan_for(session, canteen.id, DAY, "lunch")
    client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})
    run_jobs(engine)
    client.post(f"/dispatch/plan/{plan.id}/publish", data={"csrf_token": csrf(client)})
    stop = session.exec(select(DeliveryStop)).first()
    from app.models import Order

    alerts.raise_alert(session, kind="no_answer", senior_id=session.get(Order, stop.order_id).senior_id,
                       canteen_id=canteen.id, stop_id=stop.id, message="无人应答，请联系紧急联系人")
    session.commit()

    soup = BeautifulSoup(client.get(f"/dispatch/plan/{plan.id}/board").text, "html.parser")

    first_section = soup.select_one("main section")
    assert first_section.has_attr("data-alerts")
    assert [a["data-alert-kind"] for a in first_section.select("[data-alert]")] == ["no_answer"]
    assert len(soup.select("[data-board-stop]")) == 4


def test_a_late_order_shows_on_the_published_plan_and_is_inserted_by_the_worker(session: Session, engine: Engine,
                                                                                login: Callable) -> None:
    from datetime import timedelta

    tomorrow = DAY + timedelta(days=1)
    canteen = make_canteen(session)
    make_driver(session, canteen, tomorrow, name="孙师傅", capacity=6)
    make_delivery_orders(session, canteen, tomorrow, [(0.004, 0.0), (0.005, 0.0)])
    make_user(session, ("dispatcher", canteen.id), phone="13900000003")
    client = login("13900000003")
    plan = dispatch.plan_for(session, canteen.id, tomorrow, "lunch")
    client.post(f"/dispatch/plan/{plan.id}/solve", data={"csrf_token": csrf(client)})
    run_jobs(engine)
    client.post(f"/dispatch/plan/{plan.id}/publish", data={"csrf_token": csrf(client)})
    late = make_delivery_orders(session, canteen, tomorrow, [(0.0045, 0.0)])[0]

    listed = BeautifulSoup(client.get(f"/dispatch?canteen={canteen.id}&day={tomorrow}").text, "html.parser")
    client.post(f"/dispatch/plan/{plan.id}/late", data={"csrf_token": csrf(client)})
    run_jobs(engine)
    after = BeautifulSoup(client.get(f"/dispatch?canteen={canteen.id}&day={tomorrow}").text, "html.parser")

    assert [int(li["data-late-order"]) for li in listed.select("[data-late-order]")] == [late.id]
    assert after.select("[data-late]") == []
    assert late.id in [int(tr["data-order"]) for tr in after.select("tr[data-stop]")]
    assert after.select_one("[data-plan-status]").get_text() == "已发布 第2版"


def test_before_any_planning_no_order_is_called_late(session: Session, login: Callable) -> None:
    client, canteen = setup(session, login)

    soup = page(client, canteen)

    assert soup.select("[data-late]") == []
