"""The report page and the dashboard, read as an operator sees them."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.models import AuditEvent, now
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes


def _operator(session: Session, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111")
    login("13900001111")


def test_the_report_shows_totals_a_chart_and_offers_the_same_figures_as_excel(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    seed_schemes(session)
    canteen = make_canteen(session, name="彭浦食堂")
    for day in (date(2026, 10, 5), date(2026, 10, 6)):
        make_priced_order(session, make_senior(session), canteen, day, status="served")

    page = client.get("/admin/reports?start=2026-10-01&end=2026-10-31")
    soup = BeautifulSoup(page.text, "html.parser")
    download = client.get(soup.select_one("[data-download]")["href"])

    assert soup.select_one("[data-total-meals]").get_text() == "2"
    assert soup.select_one('[data-chart="每天的餐数"] svg')["aria-label"].startswith("每天的餐数：1 0，2 0")
    assert len(soup.select('[data-chart="每天的餐数"] rect')) == 31
    assert load_workbook(io.BytesIO(download.content))["餐数"]["D4"].value == 2
    assert session.exec(select(AuditEvent.action).where(AuditEvent.action == "report.export")).one()


def test_a_range_ending_before_it_starts_is_explained_next_to_the_end_date(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)

    page = client.get("/admin/reports?start=2026-10-31&end=2026-10-01")

    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 422
    assert "结束日期不能早于开始日期" in soup.select_one("#f-end-err").get_text()
    assert soup.select_one("#f-start")["value"] == "2026-10-31"


def test_the_dashboard_shows_todays_orders_by_channel_and_links_the_other_operator_pages(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    seed_schemes(session)
    canteen = make_canteen(session, name="彭浦食堂")
    make_priced_order(session, make_senior(session), canteen, now().date(), channel="delivery")

    page = client.get(f"/admin?canteen={canteen.id}")

    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("[data-stat=orders] .stat-value").get_text() == "1"
    assert soup.select_one("[data-stat=delivery] .stat-value").get_text() == "1"
    assert soup.select_one('[data-slot="彭浦食堂-lunch"]').get_text(" ", strip=True).startswith("彭浦食堂 午餐 0 0 1 1")
    nav = [a.get_text() for a in soup.select(".admin-nav a")]
    assert nav[:3] == ["今日概况", "每周菜单", "菜品与套餐"]
    assert "补贴核销" in nav
