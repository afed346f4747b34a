"""An operator reads the planning pages; a volunteer records a visit. Numbers are worked out by hand here."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import CareVisit, OutreachCase, now
from tests.conftest import csrf
from tests.factories import link_helper, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

NORTH_1200 = 1200 / 1.35 / 111_195  # degrees of latitude for a 1,200 m walk


def _operator(session: Session, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111")
    login("13900001111")


def test_a_compound_1200_m_away_is_a_blind_spot_and_the_best_next_site(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    make_canteen(session, name="彭浦食堂", lat=31.3, lng=121.45)
    for n in range(3):
        make_senior(session, building=f"远景小区{n + 1}号", lat=31.3 + NORTH_1200, lng=121.45)
    make_senior(session, building="近邻小区1号", lat=31.3, lng=121.45)

    soup = BeautifulSoup(client.get("/admin/planning?radius=1000&picks=1").text, "html.parser")
    workbook = load_workbook(io.BytesIO(client.get(soup.select_one("[data-download]")["href"]).content))

    assert soup.select_one("[data-stat=beyond-15min] .stat-value").get_text() == "3"
    assert soup.select_one('[data-blind-spot="远景小区"]').get_text(" ", strip=True).startswith("1")
    assert soup.select_one('[data-opening="远景小区"] [data-gain]').get_text() == "3"
    assert len(soup.select("[data-map] circle.home")) == 4
    assert [[c.value for c in row][1:] for row in workbook.active.iter_rows(min_row=3)] == [
        ["近邻小区", 1, 0, 0, 0], ["远景小区", 3, 3, 3, 3]]


def test_supply_counts_only_local_hukou_seniors_aged_65_and_over(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    make_canteen(session, name="彭浦食堂", daily_capacity=2, district="普陀", street="长征镇")
    for age in (64, 65, 80):
        make_senior(session, age=age, residence_street="长征镇")
    make_senior(session, age=70, hukou="苏州", residence_street="长征镇")

    soup = BeautifulSoup(client.get("/admin/planning/supply").text, "html.parser")
    row = soup.select_one('[data-street="长征镇"]')

    assert row.select_one("[data-col=seniors-65]").get_text() == "2"
    assert row.select_one("[data-col=target]").get_text() == "1"
    assert row.select_one("[data-col=ratio]").get_text() == "100.0%"


def test_the_outreach_list_names_lapsed_evidence_and_tracks_the_committee_progress(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    seed_schemes(session)
    today = now().date()
    lapsed = make_senior(session, name="过期长者", economic_status="低保", economic_source="民政",
                         economic_valid_from=today - timedelta(days=400), economic_valid_to=today - timedelta(days=1))
    eater = make_senior(session, name="常来长者")
    make_priced_order(session, eater, make_canteen(session), today, status="served")

    page = BeautifulSoup(client.get("/admin/planning/outreach").text, "html.parser")
    saved = client.post("/admin/planning/outreach", data={"senior_id": str(lapsed.id), "status": "contacted",
                                                          "note": "已电话", "csrf_token": csrf(client)},
                        follow_redirects=False)
    wrong = client.post("/admin/planning/outreach", data={"senior_id": str(lapsed.id), "status": "随便",
                                                          "csrf_token": csrf(client)})

    assert page.select_one(f'[data-outreach="{lapsed.id}"] [data-col=reasons]').get_text() == "低保证明已过期、从未用餐"
    assert page.select_one(f'[data-outreach="{eater.id}"]') is None
    assert saved.status_code == 303
    assert session.exec(select(OutreachCase.status)).one() == "contacted"
    assert wrong.status_code == 422 and "进展" in wrong.text


def test_a_volunteer_records_a_visit_for_a_linked_senior_living_alone_and_it_counts_this_week(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    alone = make_senior(session, name="独居长者", lives_alone=True)
    other = make_senior(session, name="别人家长者", lives_alone=True)
    helper = make_user(session, "helper", phone="13900002222")
    link_helper(session, helper, alone, relation="志愿者")
    make_user(session, "operator", phone="13900001111")
    login("13900002222")

    missing_name = client.post("/planning/visit", data={"senior_id": str(alone.id), "visitor_kind": "volunteer",
                                                        "visitor_name": "", "result": "well",
                                                        "csrf_token": csrf(client)})
    not_theirs = client.post("/planning/visit", data={"senior_id": str(other.id), "visitor_kind": "volunteer",
                                                      "visitor_name": "李志愿", "result": "well",
                                                      "csrf_token": csrf(client)})
    saved = client.post("/planning/visit", data={"senior_id": str(alone.id), "visitor_kind": "volunteer",
                                                 "visitor_name": "李志愿", "result": "well", "in_person": "1",
                                                 "csrf_token": csrf(client)}, follow_redirects=False)
    client.post("/logout", data={"csrf_token": csrf(client)})
    login("13900001111")
    care = BeautifulSoup(client.get("/admin/planning/care").text, "html.parser")

    assert missing_name.status_code == 422 and "探访人姓名" in missing_name.text
    assert not_theirs.status_code == 403 and "不在您的探访名单上" in not_theirs.text
    assert saved.status_code == 303
    assert session.exec(select(CareVisit.visitor_name)).all() == ["李志愿"]
    assert care.select_one(f'[data-care="{alone.id}"]')["data-visited"] == "yes"
    assert care.select_one(f'[data-care="{other.id}"]')["data-visited"] == "no"
    assert care.select_one(f'[data-dispatch="{other.id}"]') is not None


def test_an_operator_enters_a_candidate_site_and_sees_its_gain_and_a_bad_latitude_is_explained(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    make_canteen(session, name="彭浦食堂", lat=31.3, lng=121.45)
    for n in range(2):
        make_senior(session, building=f"远景小区{n + 1}号", lat=31.3 + NORTH_1200, lng=121.45)

    bad = client.post("/admin/planning/sites?radius=500&picks=1", data={
        "name": "社区中心", "lat": "北纬31", "lng": "121.45", "csrf_token": csrf(client)})
    saved = client.post("/admin/planning/sites?radius=500&picks=1", data={
        "name": "社区中心", "lat": str(31.3 + NORTH_1200), "lng": "121.45", "csrf_token": csrf(client)},
        follow_redirects=False)
    soup = BeautifulSoup(client.get("/admin/planning?radius=500&picks=2&source=site").text, "html.parser")

    bad_soup = BeautifulSoup(bad.text, "html.parser")
    assert bad.status_code == 422
    assert "纬度" in bad_soup.select_one("#f-lat-err").get_text()
    assert bad_soup.select_one("#f-name")["value"] == "社区中心"
    assert saved.status_code == 303
    assert soup.select_one('[data-opening="社区中心"] [data-gain]').get_text() == "2"
