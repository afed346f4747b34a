"""Finding 10 (sessions) and finding 2's proxy part: idle timeouts per kind of account, `__Host-` Secure cookies
by default where they can work, the CSRF token bound to the session and new at every sign-in, and proxy headers
believed only from configured proxies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.settings import get_settings
from app.main import create_app
from app.models import LoginAttempt, UserSession, now
from tests.conftest import csrf
from tests.factories import PASSWORD, PIN, make_canteen, make_senior, make_user


@contextmanager
def _client(monkeypatch: pytest.MonkeyPatch, base_url: str = "http://testserver",
            address: str = "203.0.113.9", **env: str) -> Iterator[TestClient]:
    for key, value in env.items():
        monkeypatch.setenv(f"CANTEEN_{key.upper()}", value)
    get_settings.cache_clear()
    with TestClient(create_app(), base_url=base_url, client=(address, 50000)) as c:
        c.get("/login")
        yield c
    get_settings.cache_clear()


def _session_row(session: Session) -> UserSession:
    session.expire_all()
    return session.exec(select(UserSession).order_by(UserSession.id.desc())).first()  # type: ignore[union-attr]


def _minutes_left(row: UserSession) -> float:
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now().tzinfo)
    return (expires - now()).total_seconds() / 60


# ---------------------------------------------------------------- idle timeouts

def test_a_staff_session_ends_after_thirty_idle_minutes_a_seniors_after_a_week(session: Session, client: Any,
                                                                              login: Any) -> None:
    make_user(session, ("counter", make_canteen(session).id), phone="13900005001")
    login("13900005001")
    staff = _minutes_left(_session_row(session))
    senior = make_senior(session)
    make_user(session, "senior", senior=senior, password=PIN)
    login(card_no=senior.card_no, pin=PIN)
    personal = _minutes_left(_session_row(session))

    assert 29 < staff <= 30
    assert 7 * 24 * 60 - 1 < personal <= 7 * 24 * 60


def test_an_idle_session_is_over_and_the_page_asks_to_sign_in_again(session: Session, client: Any,
                                                                   login: Any) -> None:
    make_user(session, "operator", phone="13900005002")
    login("13900005002")
    row = _session_row(session)
    row.expires_at = now() - timedelta(seconds=1)  # 30 minutes without a request
    session.add(row)
    session.commit()

    r = client.get("/admin/users", follow_redirects=False)

    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_using_a_session_keeps_it_alive_for_another_idle_period(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900005003")
    login("13900005003")
    row = _session_row(session)
    row.expires_at = now() + timedelta(minutes=5)  # 25 minutes since the last request
    session.add(row)
    session.commit()

    r = client.get("/admin/users")

    assert r.status_code == 200
    assert 29 < _minutes_left(_session_row(session)) <= 30


def test_a_busy_staff_session_still_ends_after_twelve_hours(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900005004")
    login("13900005004")
    row = _session_row(session)
    row.created_at = now() - timedelta(hours=12, minutes=1)
    row.expires_at = now() + timedelta(minutes=20)  # used a moment ago
    session.add(row)
    session.commit()

    r = client.get("/admin/users", follow_redirects=False)

    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# ---------------------------------------------------------------- cookies

def test_outside_development_the_cookies_are_secure_host_cookies(session: Session, engine: Engine,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "operator", phone="13900005005")
    with _client(monkeypatch, "https://canteen.example", environment="production",
                 secret_key="a-real-secret-key-for-this-test-0123456789") as c:
        first = c.get("/login").headers.get("set-cookie", "")
        token = c.cookies.get("__Host-canteen_csrf")
        r = c.post("/login/staff", data={"phone": "13900005005", "password": PASSWORD, "csrf_token": token},
                   follow_redirects=False)
        cookies = r.headers.get_list("set-cookie")
        users = c.get("/admin/users")

    session_cookie = next(v for v in cookies if v.startswith("__Host-canteen_session="))
    assert r.status_code == 303
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "Path=/" in session_cookie
    assert "domain" not in session_cookie.lower()
    assert any(v.startswith("__Host-canteen_csrf=") and "Secure" in v for v in cookies)
    assert first == "" or first.startswith("__Host-")
    assert users.status_code == 200


def test_over_https_the_cookies_are_secure_even_in_development(engine: Engine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with _client(monkeypatch, "https://canteen.example") as c:
        c.cookies.clear()
        r = c.get("/")

    assert r.headers["set-cookie"].startswith("__Host-canteen_csrf=") and "Secure" in r.headers["set-cookie"]
    assert "max-age=31536000" in r.headers["strict-transport-security"]


def test_a_plain_cookie_planted_next_to_the_host_cookie_signs_nobody_in(session: Session, engine: Engine,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(session, "operator", phone="13900005006")
    with _client(monkeypatch) as plain:  # a session as seen over http
        plain.post("/login/staff", data={"phone": "13900005006", "password": PASSWORD, "csrf_token": csrf(plain)})
        token = plain.cookies.get("canteen_session")
    with _client(monkeypatch, "https://canteen.example") as c:
        c.cookies.set("canteen_session", token or "")  # a sibling subdomain may set this name, never __Host-
        r = c.get("/admin/users", follow_redirects=False)

    assert token
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_plain_http_development_keeps_working_without_secure_cookies(client: Any) -> None:
    r = client.get("/")

    assert client.cookies.get("canteen_csrf")
    assert "strict-transport-security" not in r.headers


# ---------------------------------------------------------------- CSRF bound to the session

def test_sign_in_rotates_the_csrf_token_and_the_old_one_no_longer_works(session: Session, client: Any,
                                                                        login: Any) -> None:
    make_user(session, "operator", phone="13900005007")
    before = csrf(client)
    login("13900005007")
    after = csrf(client)

    stale = client.post("/admin/users/new", data={"name": "新同事", "phone": "13900005077", "role_helper": "1",
                                                  "csrf_token": before})
    fresh = client.post("/admin/users/new", data={"name": "新同事", "phone": "13900005077", "role_helper": "1",
                                                  "csrf_token": after})

    assert before != after
    assert stale.status_code == 403
    assert fresh.status_code == 200 and "新同事" in fresh.text


def test_a_csrf_token_the_attacker_planted_in_the_cookie_is_refused_when_signed_in(session: Session, client: Any,
                                                                                   login: Any) -> None:
    make_user(session, "operator", phone="13900005008")
    login("13900005008")
    client.cookies.delete("canteen_csrf")
    client.cookies.set("canteen_csrf", "planted-by-a-sibling-subdomain")  # double submit alone would pass

    r = client.post("/admin/users/new", data={"name": "坏人", "phone": "13900005088", "role_helper": "1",
                                              "csrf_token": "planted-by-a-sibling-subdomain"})

    assert r.status_code == 403


def test_pages_of_a_signed_in_user_carry_the_sessions_token(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900005009")
    login("13900005009")
    client.cookies.delete("canteen_csrf")  # the cookie is not what a signed-in form is checked against

    page = client.get("/admin/users/new")

    assert f'content="{_session_row(session).csrf_token}"' in page.text


def test_signing_out_gives_the_next_person_a_new_csrf_token(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900005010")
    login("13900005010")
    signed_in = csrf(client)

    client.post("/logout", data={"csrf_token": signed_in})

    assert csrf(client) and csrf(client) != signed_in
    assert client.cookies.get("canteen_session") is None


# ---------------------------------------------------------------- proxy headers (finding 2, CANTEEN_TRUSTED_PROXIES)

def _wrong_pins(c: TestClient, card_no: str, n: int, forwarded: str = "198.51.100.{i}") -> list[int]:
    codes = []
    for i in range(n):
        headers = {"X-Forwarded-For": forwarded.format(i=i)}
        codes.append(c.post("/login/senior", data={"card_no": card_no, "pin": f"{2000 + i}",
                                                   "csrf_token": csrf(c)}, headers=headers).status_code)
    return codes


def _addresses(session: Session, card_no: str) -> set[str]:
    session.expire_all()
    return {a.address for a in session.exec(select(LoginAttempt).where(LoginAttempt.account_key == f"c:{card_no}"))}


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored_by_the_throttle(
        session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    senior = make_senior(session, card_no="88007001")
    make_user(session, "senior", senior=senior, password="739185")
    with _client(monkeypatch, address="203.0.113.9", trusted_proxies="10.0.0.0/8") as c:
        codes = _wrong_pins(c, "88007001", 7)

    assert _addresses(session, "88007001") == {"203.0.113.9"}
    assert codes[:5] == [422] * 5 and codes[5:] == [429, 429]


def test_with_no_proxy_configured_even_loopback_is_not_believed(session: Session, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    senior = make_senior(session, card_no="88007002")
    make_user(session, "senior", senior=senior, password="739185")
    with _client(monkeypatch, address="127.0.0.1") as c:
        _wrong_pins(c, "88007002", 2)

    assert _addresses(session, "88007002") == {"127.0.0.1"}


def test_a_configured_proxy_names_the_client_and_the_scheme(session: Session, engine: Engine,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    senior = make_senior(session, card_no="88007003")
    make_user(session, "senior", senior=senior, password="739185")
    with _client(monkeypatch, address="10.1.2.3", trusted_proxies="10.0.0.0/8") as c:
        # the client's own (spoofable) first entry, then what the proxy saw: the right-most untrusted one counts
        _wrong_pins(c, "88007003", 1, forwarded="1.1.1.1, 198.51.100.77")
        r = c.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.77"})
        c.cookies.clear()
        fresh = c.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.77"})

    assert _addresses(session, "88007003") == {"198.51.100.77"}
    assert r.status_code == 200
    assert fresh.headers["set-cookie"].startswith("__Host-canteen_csrf=") and "Secure" in fresh.headers["set-cookie"]


def test_a_drivers_session_lasts_the_shift_so_reports_queued_offline_still_arrive(session: Session, client: Any,
                                                                                  login: Any) -> None:
    make_user(session, ("driver", make_canteen(session).id), phone="13900005011")
    login("13900005011")

    assert 12 * 60 - 1 < _minutes_left(_session_row(session)) <= 12 * 60
