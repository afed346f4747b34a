"""An operator sets an imported senior's delivery point by pasting coordinates or an AMap / Baidu share link;
what is stored is WGS-84, and a bad paste changes nothing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from app.seniors.location import PointForm, read_point
from routing import haversine_m, wgs84_to_gcj02
from tests.conftest import csrf
from tests.factories import make_senior, make_user

# 上海 静安 临汾路 — a WGS-84 point and the same place as AMap (GCJ-02) shows it.
WGS = (31.302100, 121.446500)
GCJ = wgs84_to_gcj02(*WGS)


def _bd09(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 -> BD-09, Baidu's published forward formula (the code under test holds only the inverse)."""
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * math.pi * 3000 / 180)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * math.pi * 3000 / 180)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


BD = _bd09(*GCJ)


@pytest.mark.parametrize("pasted, datum", [
    (f"{GCJ[0]:.6f}, {GCJ[1]:.6f}", "gcj02"),
    (f"{GCJ[1]:.6f},{GCJ[0]:.6f}", "gcj02"),  # AMap writes longitude first
    (f"https://uri.amap.com/marker?position={GCJ[1]:.6f},{GCJ[0]:.6f}&name=家", "gcj02"),
    (f"https://api.map.baidu.com/marker?location={GCJ[0]:.6f},{GCJ[1]:.6f}&coord_type=gcj02", "bd09"),
    (f"{WGS[0]:.6f} {WGS[1]:.6f}", "wgs84"),
    (f"https://api.map.baidu.com/marker?location={BD[0]:.6f},{BD[1]:.6f}&title=家", "gcj02"),
    (f"{BD[0]:.6f}，{BD[1]:.6f}", "bd09"),
])
def test_a_pasted_point_or_share_link_is_read_into_wgs84_within_a_metre(pasted: str, datum: str) -> None:
    lat, lng = read_point(PointForm.model_validate({"point": pasted, "datum": datum}))

    assert haversine_m(lat, lng, *WGS) < 1.0


def _operator(session: Session, login: Callable[..., object]) -> Any:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    return login("13900001111")


def test_the_operator_sets_an_imported_seniors_point_from_an_amap_link_and_the_record_shows_it(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", lat=None, lng=None)
    link = f"https://uri.amap.com/marker?position={GCJ[1]:.6f},{GCJ[0]:.6f}"

    page = client.post(f"/admin/seniors/{senior.id}/point", data={"csrf_token": csrf(client), "point": link,
                                                                 "datum": "gcj02"})

    session.refresh(senior)
    assert "已设置王秀英的送餐位置" in page.text
    assert haversine_m(senior.lat or 0, senior.lng or 0, *WGS) < 1.0
    assert BeautifulSoup(page.text, "html.parser").select_one("[data-point]").get_text() == \
        f"{senior.lat:.6f}, {senior.lng:.6f}"


@pytest.mark.parametrize("pasted, error", [
    ("临汾路380弄", "看不懂这个位置"),
    ("12.5, 200.1", "不在中国境内"),
    ("-33.86, 151.21", "不在中国境内"),
    ("https://surl.amap.com/abc123", "高德短链接要联网"),
    ("", "请填写位置"),
])
def test_a_paste_that_is_no_point_is_refused_next_to_the_field_and_changes_nothing(
        session: Session, client: Any, login: Callable[..., object], pasted: str, error: str) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", lat=None, lng=None)

    page = client.post(f"/admin/seniors/{senior.id}/point", data={"csrf_token": csrf(client), "point": pasted,
                                                                 "datum": "gcj02"})

    session.refresh(senior)
    assert page.status_code == 422
    assert error in BeautifulSoup(page.text, "html.parser").select_one("#f-point-err").get_text()
    assert (senior.lat, senior.lng) == (None, None)
