"""The driver's phone page and its JSON endpoint, and the family's status page."""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Canteen, Driver, Order, Senior, StopEvent
from tests.app.dispatch.test_driver import published_route
from tests.conftest import csrf
from tests.factories import link_helper, make_canteen, make_delivery_orders, make_driver, make_user, now

TODAY = now().date()


def setup(session: Session) -> dict[str, object]:
    canteen = make_canteen(session)
    me, my_driver, _ = make_driver(session, canteen, TODAY, name="孙师傅", phone="13900000011")
    _, their_driver, _ = make_driver(session, canteen, TODAY, name="钱师傅", phone="13900000012")
    mine = make_delivery_orders(session, canteen, TODAY, [(0.002, 0.0)], driver_notes="门禁码 1234#", floor=5,
                                has_lift=False)
    alone = make_delivery_orders(session, canteen, TODAY, [(0.003, 0.0)], lives_alone=True)
    theirs = make_delivery_orders(session, canteen, TODAY, [(-0.002, 0.0)])
    stops = published_route(session, canteen, my_driver, mine + alone)
    their_stops = published_route(session, canteen, their_driver, theirs)
    return {"stops": stops, "their_stops": their_stops, "orders": mine + alone, "theirs": theirs}


def test_the_driver_sees_their_own_stops_with_call_and_navigation_but_no_id_numbers(
        session: Session, login: Callable) -> None:
    w = setup(session)
    client = login("13900000011")

    r = client.get("/driver")

    soup = BeautifulSoup(r.text, "html.parser")
    cards = soup.select("[data-stop-card]")
    senior = session.get(Senior, w["orders"][0].senior_id)
    other = session.get(Senior, w["theirs"][0].senior_id)
    call = cards[0].select_one("[data-call]")
    assert [int(c["data-stop-card"]) for c in cards] == [s.id for s in w["stops"]]
    assert call["href"] == f"tel:{senior.phone}" and senior.phone not in call.get_text()
    assert cards[0].select_one("[data-amap]")["href"].startswith("amapuri://route/plan/?")
    assert cards[0].select_one("[data-amap-web]")["href"].startswith("https://uri.amap.com/navigation?to=")
    assert cards[0].select_one("[data-room]").get_text() == senior.room
    assert "门禁码 1234#" in cards[0].get_text() and "无电梯" in cards[0].get_text()
    assert senior.id_number not in r.text and senior.id_number[-4:] not in soup.get_text()
    assert other.name not in r.text
    assert len(cards[1].select("[data-choice^='delivered:']")) == 3  # lives alone: the wellness answers


def test_a_report_posted_twice_by_the_offline_queue_counts_once(session: Session, login: Callable) -> None:
    w = setup(session)
    client = login("13900000011")
    body = {"client_report_id": "0f1e2d3c4b5a69788796a5b4", "stop_id": w["stops"][0].id, "choice": "no_answer",
            "note": ""}
    headers = {"X-CSRF-Token": csrf(client)}

    first = client.post("/api/v1/driver/reports", json=body, headers=headers)
    second = client.post("/api/v1/driver/reports", json=body, headers=headers)

    events = session.exec(select(StopEvent)).all()
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert len(events) == 1


def test_reporting_another_drivers_stop_is_refused_in_words(session: Session, login: Callable) -> None:
    w = setup(session)
    client = login("13900000011")

    r = client.post("/api/v1/driver/reports", json={"client_report_id": "aaaaaaaaaaaa", "choice": "delivered",
                                                    "stop_id": w["their_stops"][0].id},
                    headers={"X-CSRF-Token": csrf(client)})

    assert r.status_code == 403
    assert "不在您今天的路线上" in r.text


def test_the_form_fallback_records_delivery_without_javascript(session: Session, login: Callable) -> None:
    w = setup(session)
    client = login("13900000011")
    stop = w["stops"][0]

    r = client.post(f"/driver/stop/{stop.id}/report", data={"csrf_token": csrf(client), "choice": "delivered",
                                                             "client_report_id": "form-000000001"})

    session.expire_all()
    soup = BeautifulSoup(r.text, "html.parser")
    assert session.get(Order, stop.order_id).status == "delivered"
    assert soup.select_one(f"[data-stop-card='{stop.id}']")["data-status"] == "delivered"


def test_a_helper_sees_on_the_way_and_a_stranger_is_refused(session: Session, login: Callable) -> None:
    w = setup(session)
    senior = session.get(Senior, w["orders"][0].senior_id)
    link_helper(session, make_user(session, "helper", phone="13900000005"), senior)
    make_user(session, "helper", phone="13900000006")

    mine = login("13900000005").get(f"/helper/senior/{senior.id}/today")
    theirs = login("13900000006").get(f"/helper/senior/{senior.id}/today")

    soup = BeautifulSoup(mine.text, "html.parser")
    assert mine.status_code == 200
    assert soup.select_one("[data-meal]")["data-stage"] in ("ordered", "cooking", "on_the_way")
    assert [li["data-step"] for li in soup.select("[data-step]")] == ["ordered", "cooking", "on_the_way",
                                                                      "delivered"]
    assert theirs.status_code == 403


def test_tomorrows_route_shows_once_published_to_look_at_but_not_to_report(
        session: Session, login: Callable) -> None:
    from datetime import timedelta

    w = setup(session)
    tomorrow = TODAY + timedelta(days=1)
    canteen = session.get(Order, w["orders"][0].id).canteen_id
    driver = session.exec(select(Driver).where(Driver.phone == "13900000011")).one()
    ahead = make_delivery_orders(session, session.get(Canteen, canteen), tomorrow, [(0.004, 0.001)], room="602室")
    stops = published_route(session, session.get(Canteen, canteen), driver, ahead, day=tomorrow)
    client = login("13900000011")

    soup = BeautifulSoup(client.get("/driver").text, "html.parser")
    refused = client.post("/api/v1/driver/reports", headers={"X-CSRF-Token": csrf(client)}, json={
        "client_report_id": "tomorrow-0001", "stop_id": stops[0].id, "choice": "delivered", "note": ""})

    section = soup.select_one("[data-tomorrow]")
    assert [int(li["data-tomorrow-stop"]) for li in section.select("[data-tomorrow-stop]")] == [stops[0].id]
    assert section.select_one("[data-room]").get_text() == "602室"
    assert section.select("form") == []
    assert soup.select_one("[data-tomorrow-tab]").get_text(strip=True) == "明天（1 户）"
    assert [int(c["data-stop-card"]) for c in soup.select("[data-stop-card]")] == [s.id for s in w["stops"]]
    assert refused.status_code == 403 and refused.json()["detail"] == "只能登记今天的送餐。"


def test_a_draft_for_tomorrow_is_not_shown(session: Session, login: Callable) -> None:
    from datetime import timedelta

    setup(session)
    tomorrow = TODAY + timedelta(days=1)
    canteen = make_canteen(session)
    driver = session.exec(select(Driver).where(Driver.phone == "13900000011")).one()
    published_route(session, canteen, driver, make_delivery_orders(session, canteen, tomorrow, [(0.004, 0.0)]),
                    day=tomorrow, status="draft")
    client = login("13900000011")

    soup = BeautifulSoup(client.get("/driver").text, "html.parser")

    assert soup.select("[data-tomorrow-stop]") == []
    assert soup.select_one("[data-no-tomorrow]") is not None
    assert soup.select_one("[data-tomorrow-tab]").get_text(strip=True) == "明天（未发布）"
