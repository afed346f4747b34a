"""Signing in and out, slowing guessers, CSRF and security headers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from app.core import messages as msg
from app.models import LoginAttempt, now
from tests.conftest import csrf
from tests.factories import PASSWORD, PIN, make_senior, make_user


def test_staff_sign_in_with_phone_and_password_opens_a_session(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009999", name="陈运营")

    r = client.post("/login/staff", data={"phone": "13900009999", "password": PASSWORD,
                                          "csrf_token": csrf(client)}, follow_redirects=False)
    home = client.get("/")

    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "陈运营" in home.text


def test_a_wrong_password_is_said_next_to_the_field_and_the_phone_is_kept(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009998")

    r = client.post("/login/staff", data={"phone": "13900009998", "password": "wrong-one",
                                          "csrf_token": csrf(client)})

    assert r.status_code == 422
    assert "手机号或密码不对" in r.text
    assert 'value="13900009998"' in r.text
    assert 'aria-invalid="true"' in r.text


def test_a_senior_signs_in_with_card_and_pin(session: Session, client: Any) -> None:
    senior = make_senior(session, name="王秀英")
    make_user(session, "senior", senior=senior, name="王秀英", password=PIN)

    r = client.post("/login/senior", data={"card_no": senior.card_no, "pin": PIN, "csrf_token": csrf(client)},
                    follow_redirects=False)

    assert r.status_code == 303


def test_repeated_failures_slow_down_further_tries_with_a_clear_message(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009997")
    for _ in range(5):
        client.post("/login/staff", data={"phone": "13900009997", "password": "bad-pass",
                                          "csrf_token": csrf(client)})

    r = client.post("/login/staff", data={"phone": "13900009997", "password": PASSWORD,
                                          "csrf_token": csrf(client)})

    assert r.status_code == 429
    assert "秒后再试" in r.text
    assert int(r.headers["retry-after"]) > 0


def test_failures_from_many_addresses_still_slow_the_card_down(session: Session, client: Any) -> None:
    make_user(session, "senior", senior=make_senior(session, card_no="88009996"), password="739185")
    for i in range(5):
        session.add(LoginAttempt(account_key="c:88009996", address=f"203.0.113.{i}", success=False))
    session.commit()

    r = client.post("/login/senior", data={"card_no": "88009996", "pin": "739185", "csrf_token": csrf(client)},
                    headers={"X-Forwarded-For": "198.51.100.7"}, follow_redirects=False)

    assert r.status_code == 429
    assert "秒后再试" in r.text


def test_a_hundred_failures_in_an_hour_stop_even_the_right_pin(session: Session, client: Any) -> None:
    make_user(session, "senior", senior=make_senior(session, card_no="88009995"), password="739185")
    long_ago = now() - timedelta(minutes=40)
    session.add_all([LoginAttempt(account_key="c:88009995", address=f"10.0.{i // 250}.{i % 250}", at=long_ago,
                                  success=False) for i in range(100)])
    session.commit()

    r = client.post("/login/senior", data={"card_no": "88009995", "pin": "739185", "csrf_token": csrf(client)},
                    follow_redirects=False)

    assert r.status_code == 429
    assert msg.LOGIN_CEILING_REACHED in r.text


def test_a_guesser_behind_the_kiosk_never_locks_out_someone_else_at_the_same_kiosk(
        session: Session, client: Any) -> None:
    user = make_user(session, "operator", phone="13900009996")
    session.add_all([LoginAttempt(account_key=f"c:8800{i:04d}", address="testclient", success=False)
                     for i in range(30)])
    session.commit()

    r = client.post("/login/staff", data={"phone": "13900009996", "password": PASSWORD,
                                          "csrf_token": csrf(client)}, follow_redirects=False)

    assert r.status_code == 303, r.text[-300:]
    assert user.id is not None


def test_a_form_post_without_the_csrf_token_is_refused(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009995")

    r = client.post("/login/staff", data={"phone": "13900009995", "password": PASSWORD})

    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert session.exec(select(LoginAttempt)).all() == []


def test_sign_out_everywhere_ends_every_session(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900009994", name="陈运营")
    login("13900009994")

    client.post("/logout", data={"everywhere": "1", "csrf_token": csrf(client)})
    r = client.get("/", follow_redirects=False)

    assert "陈运营" not in r.text


def test_every_response_carries_the_security_headers(client: Any) -> None:
    r = client.get("/")

    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_an_oversized_body_is_refused_before_it_is_read(client: Any) -> None:
    r = client.post("/login/staff", content=b"x" * (6 * 1024 * 1024),
                    headers={"content-type": "application/x-www-form-urlencoded"})

    assert r.status_code == 413
    assert "太大" in r.json()["detail"]


def test_an_unknown_page_says_so_in_chinese(client: Any) -> None:
    r = client.get("/no-such-page")

    assert r.status_code == 404
    assert "没有找到" in r.text


def test_the_next_parameter_cannot_send_people_off_site(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009993")

    r = client.post("/login/staff", data={"phone": "13900009993", "password": PASSWORD, "next": "//evil.example",
                                          "csrf_token": csrf(client)}, follow_redirects=False)

    assert r.headers["location"] == "/"


def test_pages_seen_while_signed_in_are_not_kept_by_the_browser(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900009992")
    anonymous = client.get("/login")
    login("13900009992")

    page = client.get("/")
    style = client.get("/static/css/app.css")

    assert "cache-control" not in anonymous.headers
    assert page.headers["cache-control"] == "no-store"
    assert "no-store" not in style.headers.get("cache-control", "")


def test_behind_https_browsers_are_told_to_stay_on_https(client: Any, monkeypatch: Any) -> None:
    from app.core.settings import get_settings

    monkeypatch.setenv("CANTEEN_COOKIE_SECURE", "true")
    get_settings.cache_clear()

    r = client.get("/")

    assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_a_malformed_content_length_is_a_400_not_a_crash(client: Any) -> None:
    r = client.post("/login/staff", content=b"phone=1", headers={"content-length": "12x",
                                                                 "content-type": "application/x-www-form-urlencoded"})

    assert r.status_code == 400
    assert "有误" in r.json()["detail"]


def test_a_wrong_phone_takes_as_long_to_refuse_as_a_wrong_password(session: Session, client: Any) -> None:
    """Both run one Argon2 verification, so timing does not tell a guesser which phones have accounts."""
    from unittest import mock

    from app.accounts import auth

    make_user(session, "operator", phone="13900009991")
    with mock.patch.object(auth, "verify_secret", wraps=auth.verify_secret) as verify:
        client.post("/login/staff", data={"phone": "13900009991", "password": "bad-pass-1",
                                          "csrf_token": csrf(client)})
        client.post("/login/staff", data={"phone": "13900000000", "password": "bad-pass-1",
                                          "csrf_token": csrf(client)})

    assert verify.call_count == 2


def test_after_signing_in_people_come_back_to_the_page_they_asked_for(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009990")

    asked = client.get("/admin/audit?action=user.invite&page=2", follow_redirects=False)
    signed_in = client.post("/login/staff", data={"phone": "13900009990", "password": PASSWORD,
                                                  "next": "/admin/audit?action=user.invite&page=2",
                                                  "csrf_token": csrf(client)}, follow_redirects=False)

    assert asked.headers["location"] == "/login?next=/admin/audit%3Faction%3Duser.invite%26page%3D2"
    assert signed_in.headers["location"] == "/admin/audit?action=user.invite&page=2"


def test_a_nul_character_in_the_address_is_refused_in_words(client: Any) -> None:
    r = client.get("/login", params={"next": "/\x00"})

    assert r.status_code == 400
    assert "控制字符" in r.json()["detail"]



def test_backslash_and_control_character_tricks_in_next_stay_on_site(session: Session, client: Any) -> None:
    make_user(session, "operator", phone="13900009992")
    landed = []

    for target in ("/\\evil.example", "/\t/evil.example", "/\\/evil.example"):
        r = client.post("/login/staff", data={"phone": "13900009992", "password": PASSWORD, "next": target,
                                              "csrf_token": csrf(client)}, follow_redirects=False)
        landed.append(r.headers["location"])

    assert landed == ["/", "/", "/"]
