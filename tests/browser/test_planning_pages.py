"""An operator of the demo district (静安区彭浦镇) reads the planning pages; every figure is recomputed here from
the rows, with arithmetic written out again (no planning code is called)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.demo.build import build_demo
from app.models import Canteen, CareVisit, Order, Senior, now
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def _walk_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return round(2 * 6_371_008.8 * math.asin(math.sqrt(h)) * 1.35)


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _sign_in(page: Any) -> None:
    page.goto("/login?mode=staff")
    page.fill("#f-phone", "13900000001")
    page.fill("#f-password", "demo1234")
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _stat(page: Any, key: str) -> str:
    return page.locator(f"[data-stat={key}] .stat-value").inner_text().strip()


def _seniors(session: Session) -> list[Senior]:
    return list(session.exec(select(Senior).where(Senior.status == "active")).all())


def test_the_demo_operator_reads_coverage_and_the_best_next_site(page: Any, session: Session) -> None:
    build_demo(session)
    seniors, today = _seniors(session), now().date()
    sites = session.exec(select(Canteen).where(col(Canteen.kind).in_(["canteen", "point"]))).all()
    nearest = {s.id: min(_walk_m(s.lat or 0, s.lng or 0, c.lat, c.lng) for c in sites) for s in seniors}
    _sign_in(page)

    page.goto("/admin/planning?radius=500&picks=3")
    shown = {k: _stat(page, k) for k in ("beyond-15min", "beyond-1000m", "beyond-500m")}
    first = page.locator("[data-table=openings] tbody tr").first
    first_name, first_gain = first.get_attribute("data-opening"), int(first.locator("[data-gain]").inner_text())
    screenshot(page, "planning-coverage")

    homes = [s for s in seniors if re.sub(r"\d+号$", "", s.building) == first_name]
    centre = (sum(s.lat or 0 for s in homes) / len(homes), sum(s.lng or 0 for s in homes) / len(homes))
    gain = sum(1 for s in seniors if nearest[s.id] > 500 and _walk_m(*centre, s.lat or 0, s.lng or 0) <= 500)
    assert shown == {"beyond-15min": str(sum(1 for m in nearest.values() if round(m / (4.5 / 3.6)) > 900)),
                     "beyond-1000m": str(sum(1 for m in nearest.values() if m > 1000)),
                     "beyond-500m": str(sum(1 for m in nearest.values() if m > 500))}
    assert first_gain == gain
    assert int(shown["beyond-500m"]) > 0 and first_gain > 0
    by_compound: dict[str, int] = defaultdict(int)
    for s in seniors:
        by_compound[re.sub(r"\d+号$", "", s.building)] += 1
    row = page.locator('[data-compound="彭浦新村"] [data-col=seniors]').inner_text()
    assert int(row) == by_compound["彭浦新村"]
    assert today


def test_the_demo_operator_reads_supply_outreach_and_the_weeks_visits(page: Any, session: Session) -> None:
    build_demo(session)
    seniors, today = _seniors(session), now().date()
    alone = next(s for s in seniors if s.lives_alone)
    session.add(CareVisit(senior_id=alone.id or 0, visitor_kind="committee", visitor_name="居委张", result="well"))
    session.commit()
    capacity = sum(c.daily_capacity for c in session.exec(select(Canteen).where(
        col(Canteen.kind).in_(["canteen", "point"]))).all())
    over_65 = sum(1 for s in seniors if s.hukou_city == "上海" and s.hukou_district == s.residence_district
                  and _age(s.birth_date, today) >= 65)
    ordered = set(session.exec(select(Order.senior_id).where(col(Order.status) != "cancelled")).all())
    outreach = sum(1 for s in seniors if (_age(s.birth_date, today) >= 60 and s.id not in ordered) or (
        s.economic_status and (not s.economic_valid_to or s.economic_valid_to <= today + timedelta(days=30))))
    special = [s for s in seniors if s.lives_alone or s.all_elderly_household or s.disability_level in ("中", "重", "完全")
               or (s.care_level or 0) >= 4 or s.economic_status in ("低保", "特困")]
    _sign_in(page)

    page.goto("/admin/planning/supply")
    supply = {k: _stat(page, k) for k in ("seniors-65", "target", "capacity", "ratio")}
    screenshot(page, "planning-supply")
    page.goto("/admin/planning/outreach")
    listed = _stat(page, "outreach-total")
    screenshot(page, "planning-outreach")
    page.goto("/admin/planning/care")
    care = {k: _stat(page, k) for k in ("care-total", "care-visited", "care-not-visited")}
    visited_row = page.locator(f'[data-care="{alone.id}"]').get_attribute("data-visited")
    screenshot(page, "planning-care")

    assert supply == {"seniors-65": str(over_65), "target": str(-(-over_65 // 10)), "capacity": str(capacity),
                      "ratio": f"{capacity * 1000 // over_65 / 10:.1f}%"}
    assert listed == str(outreach)
    assert care == {"care-total": str(len(special)), "care-visited": "1", "care-not-visited": str(len(special) - 1)}
    assert visited_row == "yes"


def test_a_volunteer_records_a_visit_on_the_phone(phone_page: Any, session: Session) -> None:
    from tests.browser.agefriendly import check_page
    from tests.factories import PASSWORD, link_helper, make_senior, make_user

    alone = make_senior(session, name="独居的王阿姨", lives_alone=True)
    helper = make_user(session, "helper", phone="13900002222", name="李志愿")
    link_helper(session, helper, alone, relation="志愿者")
    phone_page.goto("/login?mode=staff")
    phone_page.fill("#f-phone", "13900002222")
    phone_page.fill("#f-password", PASSWORD)
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url("**/")

    phone_page.goto("/planning/visit")
    problems_before = check_page(phone_page)
    phone_page.select_option("#f-senior_id", str(alone.id))
    phone_page.fill("#f-visitor_name", "李志愿")
    phone_page.select_option("#f-result", "unwell")
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_selector("[data-saved]")
    screenshot(phone_page, "planning-visit-phone")

    assert problems_before == []
    assert phone_page.locator("[data-saved]").inner_text() == "已记录探访：独居的王阿姨"
    assert session.exec(select(CareVisit.result).where(CareVisit.senior_id == alone.id)).all() == ["unwell"]
