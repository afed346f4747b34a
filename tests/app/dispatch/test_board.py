"""The dispatcher's live board: alerts are closed with what was done (kept in the senior's history), and a stop
unreported 30 minutes past its ETA is flagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlmodel import Session

from app.models import Alert, DeliveryRoute
from tests.app.dispatch.test_driver import published_route
from tests.conftest import csrf
from tests.factories import make_canteen, make_delivery_orders, make_driver, make_user, now

TODAY = now().date()


def world(session: Session) -> dict[str, object]:
    canteen = make_canteen(session)
    _, driver, _ = make_driver(session, canteen, TODAY, name="孙师傅")
    orders = make_delivery_orders(session, canteen, TODAY, [(0.002, 0.0), (0.003, 0.0), (0.004, 0.0)])
    stops = published_route(session, canteen, driver, orders)
    alert = Alert(kind="no_answer", senior_id=orders[0].senior_id, canteen_id=canteen.id or 0, stop_id=stops[0].id,
                  message="无人应答")
    session.add(alert)
    session.commit()
    make_user(session, ("dispatcher", canteen.id), phone="13900000003")
    plan_id = session.get(DeliveryRoute, stops[0].route_id).plan_id
    return {"canteen": canteen, "stops": stops, "orders": orders, "alert": alert, "plan_id": plan_id}


def test_an_alert_is_closed_with_what_was_done_and_stays_in_the_seniors_history(
        session: Session, login: Callable) -> None:
    w = world(session)
    client = login("13900000003")

    closed = client.post(f"/dispatch/alert/{w['alert'].id}/close", data={
        "csrf_token": csrf(client), "plan_id": w["plan_id"], "outcome": "visited", "note": "社工上门，老人在睡觉"},
        follow_redirects=False)
    board = BeautifulSoup(client.get(closed.headers["location"]).text, "html.parser")
    history = BeautifulSoup(client.get(f"/dispatch/senior/{w['orders'][0].senior_id}/alerts").text, "html.parser")

    session.expire_all()
    alert = session.get(Alert, w["alert"].id)
    assert closed.status_code == 303
    assert (alert.status, alert.outcome, alert.handling_note) == ("resolved", "visited", "社工上门，老人在睡觉")
    assert board.select("[data-alert]") == []
    assert "提醒已处理完毕" in board.get_text()
    row = history.select_one(f"[data-history-alert='{alert.id}']")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[1:] == ["无人应答", "无人应答", f"已解决 {cells[3].split(' ')[1]}", "已上门探望", "社工上门，老人在睡觉"]


def test_closing_without_saying_what_was_done_keeps_the_alert_open_with_the_error_next_to_the_choice(
        session: Session, login: Callable) -> None:
    w = world(session)
    client = login("13900000003")

    nothing = client.post(f"/dispatch/alert/{w['alert'].id}/close", data={
        "csrf_token": csrf(client), "plan_id": w["plan_id"], "outcome": "", "note": "打了电话"})
    other = client.post(f"/dispatch/alert/{w['alert'].id}/close", data={
        "csrf_token": csrf(client), "plan_id": w["plan_id"], "outcome": "other", "note": " "})

    session.expire_all()
    first, second = (BeautifulSoup(r.text, "html.parser") for r in (nothing, other))
    assert (nothing.status_code, other.status_code) == (422, 422)
    assert session.get(Alert, w["alert"].id).status == "open"
    form = first.select_one(f"[data-close-form='{w['alert'].id}']")
    assert form.select_one(f"#f-outcome-{w['alert'].id}-err").get_text(strip=True) == "⚠请选择做了什么，再点“处理完毕”。"
    assert form.select_one("textarea").get_text() == "打了电话"
    form = second.select_one(f"[data-close-form='{w['alert'].id}']")
    assert form.select_one(f"#f-note-{w['alert'].id}-err").get_text(strip=True) == "⚠选了“其他”，请写明做了什么（至少2个字）。"
    assert form.select_one("[data-outcome='other']").has_attr("checked")


def test_a_closed_alert_cannot_be_closed_again(session: Session, login: Callable) -> None:
    w = world(session)
    client = login("13900000003")
    data = {"csrf_token": csrf(client), "plan_id": w["plan_id"], "outcome": "hospital", "note": ""}
    client.post(f"/dispatch/alert/{w['alert'].id}/close", data=data)

    again = client.post(f"/dispatch/alert/{w['alert'].id}/close", data={**data, "outcome": "other", "note": "改一下"})

    session.expire_all()
    assert again.status_code == 409
    assert session.get(Alert, w["alert"].id).outcome == "hospital"


def test_a_stop_unreported_30_minutes_past_its_eta_is_flagged_on_the_board(
        session: Session, login: Callable) -> None:
    w = world(session)
    first, second, third = w["stops"]
    at = now()
    for stop, eta in ((first, at - timedelta(minutes=95)), (second, at - timedelta(minutes=20)),
                      (third, at - timedelta(minutes=50))):
        stop.eta = eta
        session.add(stop)
    third.status = "delivered"
    session.commit()
    client = login("13900000003")

    soup = BeautifulSoup(client.get(f"/dispatch/plan/{w['plan_id']}/board").text, "html.parser")

    flagged = {int(li["data-board-stop"]): li["data-overdue"] for li in soup.select("[data-overdue]")}
    assert flagged == {first.id: "95"}
    assert "已超过预计送达 95 分钟，还没有登记" in soup.select_one(f"[data-board-stop='{first.id}']").get_text()
    assert soup.select_one("[data-overdue-count]")["data-overdue-count"] == "1"


def test_the_dispatch_page_flags_the_same_overdue_stop(session: Session, login: Callable) -> None:
    w = world(session)
    first, second, _ = w["stops"]
    first.eta, second.eta = now() - timedelta(minutes=40), now() + timedelta(minutes=5)
    session.add_all([first, second])
    session.commit()
    client = login("13900000003")

    soup = BeautifulSoup(client.get(f"/dispatch?canteen={w['canteen'].id}&day={TODAY}&slot=lunch").text,
                         "html.parser")

    flagged = [int(td.find_parent("tr")["data-stop"]) for td in soup.select("td[data-overdue]")]
    assert first.id in flagged and second.id not in flagged
    assert "超时 40 分钟未登记" in soup.select_one(f"tr[data-stop='{first.id}']").get_text()
