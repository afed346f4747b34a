"""A street's building register places seniors on the map without the internet: addresses written every which way
find their building, a point set by hand stays, and what matches nothing is listed with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from app.core import messages as msg
from app.core.errors import InvalidInput
from app.models import AuditEvent, Building
from app.seniors import address, buildings, locate
from routing import haversine_m, wgs84_to_gcj02
from tests.conftest import csrf
from tests.data.buildings import LINFEN_2, ROWS, WENXI_9, building_csv, building_register
from tests.factories import make_senior, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("written", [
    "上海市静安区临汾路街道临汾路380弄2号301室",
    "静安区临汾路３８０弄２幢３０１室",
    "临汾路三百八十弄二号楼3单元301室",
    "上海 静安区 临汾路 380弄 2-301",
    "临汾路380弄2栋",
])
def test_the_ways_registers_write_one_building_fold_to_one_road_key(written: str) -> None:
    assert address.address_key(written).road_key == "临汾路380弄2号"


def test_a_compound_address_keeps_its_compound_and_building_number() -> None:
    key = address.address_key("上海市静安区临汾路街道闻喜居委闻喜小区9号楼201室")

    assert (key.text, key.road_key, key.number) == ("闻喜小区9号楼", "", "9")
    assert address.number_after("闻喜小区", key) == "9"


def _import(session: Session, data: bytes | None = None, name: str = "楼栋.xlsx") -> buildings.BuildingOutcome:
    return buildings.import_buildings(session, data or building_register(), name, district="静安区",
                                      datum="gcj02", user_id=None)


def test_the_building_register_is_stored_in_wgs84_and_a_second_upload_updates_it(session: Session) -> None:
    first = _import(session)
    again = _import(session)

    stored = {b.number: b for b in session.exec(select(Building)).all()}
    assert (first.created, first.updated, again.created, again.updated) == (3, 0, 0, 3)
    assert haversine_m(stored["2"].lat, stored["2"].lng, *LINFEN_2) < 1.0
    assert (stored["2"].district, stored["2"].road_key, stored["2"].floors, stored["2"].has_lift) == \
        ("静安", "临汾路380弄2号", 6, False)
    assert (stored["5"].road_key, stored["5"].has_lift, stored["9"].floors, stored["9"].has_lift) == \
        ("共康路118弄5号", True, 6, None)


@pytest.mark.parametrize("row, problem", [
    (["临汾小区", "", "临汾路380弄", "3号", "三十一点三", "121.45", "", ""],
     msg.BUILDING_ROW_COORD.format(row=5, lat="三十一点三", lng="121.45")),
    (["临汾小区", "", "临汾路380弄", "3号", "121.45", "31.30", "", ""],
     msg.BUILDING_ROW_SWAPPED.format(row=5, lat="121.45", lng="31.30")),
    (["临汾小区", "", "临汾路380弄", "3号", "0", "0", "", ""], msg.BUILDING_ROW_OUTSIDE.format(row=5, lat="0", lng="0")),
    (["临汾小区", "", "临汾路380弄", "2号", "31.3", "121.45", "", ""],
     msg.BUILDING_ROW_TWICE.format(row=5, compound="临汾小区", number="2", first=2)),
    (["临汾小区", "", "", "3号", "31.3", "121.45", "七", ""], msg.BUILDING_ROW_FLOORS.format(row=5, value="七")),
])
def test_a_building_file_with_one_bad_row_is_refused_whole_with_the_row_and_reason(
        session: Session, row: list[Any], problem: str) -> None:
    data = building_csv([*ROWS, row])

    with pytest.raises(buildings.BuildingFileRefused) as refused:
        _import(session, data, "楼栋.csv")

    assert refused.value.problems == [problem]
    assert session.exec(select(func.count()).select_from(Building)).one() == 0


def test_a_file_without_building_columns_or_unreadable_is_refused_in_words(session: Session) -> None:
    with pytest.raises(InvalidInput) as no_coords:
        _import(session, building_register(rows=[["临汾小区", "2号"]], header=["小区", "楼号"]))
    with pytest.raises(InvalidInput) as broken:
        _import(session, b"PK\x03\x04 not really a workbook")

    assert no_coords.value.errors == {"file": msg.BUILDING_COLUMN_REQUIRED.format(label="纬度”“经度")}
    assert broken.value.errors == {"file": msg.IMPORT_FILE_UNREADABLE}
    assert session.exec(select(func.count()).select_from(Building)).one() == 0


def test_seniors_are_placed_by_road_or_compound_and_the_rest_listed_with_reasons(session: Session) -> None:
    _import(session)
    road = make_senior(session, name="王秀英", address="上海市静安区临汾路３８０弄２号３０１室", lat=None, lng=None,
                       has_lift=True)
    alias = make_senior(session, name="李桂英", address="静安区临汾路街道闻喜新苑9号楼101室", lat=None, lng=None)
    no_such = make_senior(session, name="张建国", address="静安区共康四村7号502室", lat=None, lng=None)
    nowhere = make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)
    by_hand = make_senior(session, name="钱美华", address="静安区临汾路380弄2号501室", lat=31.0, lng=121.0,
                          point_source="manual")

    report = locate.locate_seniors(session, allowed=None, user_id=None)

    assert [(r.name, r.source, r.place) for r in report.located] == [
        ("王秀英", "building", "临汾小区 2 号"), ("李桂英", "compound", "闻喜苑 9 号")]
    assert [(r.name, r.reason) for r in report.unmatched] == [
        ("张建国", msg.MATCH_NO_BUILDING.format(compound="共康四村", number="7")), ("赵德明", msg.MATCH_NOTHING)]
    for senior in (road, alias, no_such, nowhere, by_hand):
        session.refresh(senior)
    assert haversine_m(road.lat or 0, road.lng or 0, *LINFEN_2) < 1.0
    assert haversine_m(alias.lat or 0, alias.lng or 0, *WENXI_9) < 1.0
    assert (road.has_lift, road.building, road.building_id is not None) == (False, "临汾小区2号", True)
    assert (no_such.lat, nowhere.lat, by_hand.lat, by_hand.point_source) == (None, None, 31.0, "manual")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "senior.locate")).one().detail == \
        "按地址匹配位置：2 位已设置，2 位未匹配"


def _operator(session: Session, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")


def test_the_operator_uploads_the_register_places_seniors_and_the_record_says_where_from(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", address="上海市静安区临汾路380弄2号301室", lat=None, lng=None)
    make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)

    uploaded = client.post("/admin/buildings", data={"csrf_token": csrf(client), "district": "静安", "datum": "gcj02"},
                           files={"file": ("楼栋.xlsx", building_register(), XLSX)})
    before = BeautifulSoup(uploaded.text, "html.parser")
    located = client.post("/admin/buildings/locate", data={"csrf_token": csrf(client)})
    after = BeautifulSoup(located.text, "html.parser")
    record = BeautifulSoup(client.get(f"/admin/seniors/{senior.id}").text, "html.parser")

    assert before.select_one("[data-building-count]").text == "3"
    assert before.select_one("[data-unmatched='王秀英'] [data-reason]").text == msg.MATCH_NOT_RUN
    assert after.select_one("[data-located='王秀英'] [data-source]").text == msg.POINT_SOURCE_NAMES["building"]
    assert after.select_one("[data-unmatched='赵德明'] [data-reason]").text == msg.MATCH_NOTHING
    assert after.select_one("[data-unmatched='王秀英']") is None
    assert record.select_one("[data-point-source]").text == msg.POINT_SOURCE_NAMES["building"]


def test_a_building_file_with_bad_coordinates_shows_each_row_and_changes_nothing(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    bad = building_csv([*ROWS, ["临汾小区", "", "临汾路380弄", "3号", "121.45", "31.30", "", ""]])

    page = client.post("/admin/buildings", data={"csrf_token": csrf(client), "district": "静安", "datum": "gcj02"},
                       files={"file": ("楼栋.csv", bad, "text/csv")})
    soup = BeautifulSoup(page.text, "html.parser")

    assert page.status_code == 422
    assert [li.text for li in soup.select("[data-building-problems] li")] == [
        msg.BUILDING_ROW_SWAPPED.format(row=5, lat="121.45", lng="31.30")]
    assert soup.select_one("#f-file-err").text.strip() == "⚠ " + msg.BUILDING_FILE_REFUSED.format(count=1)
    assert soup.select_one("[data-building-count]").text == "0"
    assert session.exec(select(func.count()).select_from(Building)).one() == 0


def test_the_operator_adds_a_missing_building_by_hand_and_the_senior_then_matches(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)
    gcj = wgs84_to_gcj02(31.291200, 121.452300)
    form = {"csrf_token": csrf(client), "b_district": "静安", "b_compound": "平型关小区", "b_road": "平型关路",
            "b_number": "88号", "b_point": f"https://uri.amap.com/marker?position={gcj[1]:.6f},{gcj[0]:.6f}",
            "b_datum": "gcj02", "b_floors": "6", "b_lift": "无"}

    wrong = client.post("/admin/buildings/one", data=form | {"b_point": "不知道", "b_number": "五楼"})
    saved = client.post("/admin/buildings/one", data=form)
    client.post("/admin/buildings/locate", data={"csrf_token": csrf(client)})

    errors = BeautifulSoup(wrong.text, "html.parser")
    session.refresh(senior)
    assert wrong.status_code == 422
    assert errors.select_one("#f-b_point-err").get_text().strip() == "⚠ " + msg.POINT_UNREADABLE
    assert errors.select_one("#f-b_number-err").get_text().strip() == "⚠ " + msg.BUILDING_NUMBER_INVALID
    assert errors.select_one("#f-b_compound")["value"] == "平型关小区"
    assert saved.status_code == 200
    assert BeautifulSoup(saved.text, "html.parser").select_one("[data-building='平型关小区88号']") is not None
    assert (senior.point_source, senior.has_lift) == ("building", False)
    assert haversine_m(senior.lat or 0, senior.lng or 0, 31.291200, 121.452300) < 1.0
