"""The optional online geocoder fills only what the building register does not place, against a real HTTP server
started here (never the internet): a door-precise answer places the senior, a road-level one or a failing
server leaves them listed for a person."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from app.core import messages as msg
from app.core.settings import Settings, get_settings
from app.seniors import buildings, geocoder, locate
from routing import haversine_m, wgs84_to_gcj02
from tests.conftest import csrf
from tests.data.buildings import building_register
from tests.factories import make_senior, make_user

PINGXINGGUAN = (31.291200, 121.452300)  # WGS-84 of 平型关路88号
ANSWERS = {
    "静安区平型关路88号201室": {"status": "1", "geocodes": [{
        "location": "{1:.6f},{0:.6f}".format(*wgs84_to_gcj02(*PINGXINGGUAN)), "level": "门牌号",
        "formatted_address": "上海市静安区平型关路88号"}]},
    "静安区大统路": {"status": "1", "geocodes": [{"location": "121.455,31.255", "level": "道路",
                                                  "formatted_address": "上海市静安区大统路"}]},
}


class _Provider(BaseHTTPRequestHandler):
    asked: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        type(self).asked.append(query)
        if query.get("key") != "test-key":
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps(ANSWERS.get(query.get("address", ""), {"status": "1", "geocodes": []})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def provider_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Provider.asked = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v3/geocode/geo"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_geocoder_is_off_unless_a_url_is_configured(provider_url: str) -> None:
    assert geocoder.from_settings(Settings()) is None
    assert geocoder.from_settings(Settings(geocoder_url=provider_url, geocoder_key="k")) == \
        geocoder.Geocoder(provider_url, "k", "上海", "gcj02")


def test_only_addresses_the_register_misses_are_asked_and_only_door_precise_answers_place(
        session: Session, provider_url: str) -> None:
    buildings.import_buildings(session, building_register(), "楼栋.xlsx", district="静安", datum="gcj02",
                               user_id=None)
    make_senior(session, name="王秀英", address="上海市静安区临汾路380弄2号301室", lat=None, lng=None)
    door = make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)
    make_senior(session, name="孙福根", address="静安区大统路", lat=None, lng=None)

    report = locate.locate_seniors(session, allowed=None, user_id=None,
                                   provider=geocoder.Geocoder(provider_url, "test-key"))

    session.refresh(door)
    assert [(r.name, r.source, r.place) for r in report.located] == [
        ("王秀英", "building", "临汾小区 2 号"), ("赵德明", "geocoder", "上海市静安区平型关路88号")]
    assert [(r.name, r.reason) for r in report.unmatched] == [("孙福根", msg.MATCH_NO_NUMBER)]
    assert haversine_m(door.lat or 0, door.lng or 0, *PINGXINGGUAN) < 1.0
    assert (door.point_source, door.building_id) == ("geocoder", None)
    assert [q["address"] for q in _Provider.asked] == ["静安区平型关路88号201室", "静安区大统路"]
    assert {q["city"] for q in _Provider.asked} == {"上海"}


def test_a_refusing_or_absent_provider_leaves_the_senior_for_a_person(session: Session, provider_url: str) -> None:
    senior = make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)

    wrong_key = locate.locate_seniors(session, allowed=None, user_id=None,
                                      provider=geocoder.Geocoder(provider_url, "wrong"))
    gone = locate.locate_seniors(session, allowed=None, user_id=None,
                                 provider=geocoder.Geocoder("http://127.0.0.1:9/geo", "test-key", timeout_s=2))

    session.refresh(senior)
    assert [r.name for r in wrong_key.unmatched] == [r.name for r in gone.unmatched] == ["赵德明"]
    assert (senior.lat, senior.point_source) == (None, "")


@pytest.fixture
def geocoder_on(provider_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The instance configured with the local provider (CANTEEN_GEOCODER_URL / _KEY), for this test only."""
    monkeypatch.setenv("CANTEEN_GEOCODER_URL", provider_url)
    monkeypatch.setenv("CANTEEN_GEOCODER_KEY", "test-key")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("geocoder_on")
def test_the_buildings_page_uses_the_configured_provider_and_says_the_point_needs_checking(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    make_senior(session, name="赵德明", address="静安区平型关路88号201室", lat=None, lng=None)

    page = client.post("/admin/buildings/locate", data={"csrf_token": csrf(client)})

    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("[data-located='赵德明'] [data-source]").text == msg.POINT_SOURCE_NAMES["geocoder"]
    assert [q["address"] for q in _Provider.asked] == ["静安区平型关路88号201室"]
