"""Staff change their own password (old one first, the policy for the new one, audited); the counter unlocks a
card that wrong PINs have slowed or stopped, once the senior has shown who they are (issue 13)."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.accounts.auth import issue_session, verify_secret
from app.core.principal import principal_for_token
from app.models import AuditEvent, LoginAttempt, User
from tests.conftest import csrf
from tests.factories import PASSWORD, PIN, make_canteen, make_senior, make_user

NEW = "green-teapot-7"


def _change(client: Any, old: str, new: str = NEW, again: str = NEW, **kw: Any) -> Any:
    return client.post("/account/password", data={"old_password": old, "password": new, "password2": again,
                                                  "csrf_token": csrf(client)}, **kw)


def _user(session: Session, phone: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.phone == phone)).one()


def _error(r: Any, field: str) -> str:
    found = BeautifulSoup(r.text, "html.parser").select_one(f"#f-{field}-err")
    return found.get_text(strip=True) if found else ""


def test_a_kitchen_worker_changes_their_password_and_other_devices_are_signed_out(session: Session, client: Any,
                                                                                  login: Any) -> None:
    user = make_user(session, ("kitchen", make_canteen(session).id), phone="13900006001")
    other_device = issue_session(session, user)
    login("13900006001")

    r = _change(client, PASSWORD, follow_redirects=False)
    page = client.get(r.headers["location"])
    changed = _user(session, "13900006001")

    assert r.status_code == 303 and r.headers["location"] == "/account/password?done=1"
    assert "密码已修改" in page.text
    assert verify_secret(changed.password_hash, NEW) and not verify_secret(changed.password_hash, PASSWORD)
    assert principal_for_token(session, other_device) is None
    assert client.get("/kitchen").status_code == 200  # this device stays signed in, with a new session
    assert session.exec(select(AuditEvent.action).where(AuditEvent.user_id == user.id,
                                                       AuditEvent.action == "user.password_changed")).all()


def test_a_wrong_old_password_is_said_next_to_it_changes_nothing_and_counts_as_a_failure(
        session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900006002")
    login("13900006002")
    before = _user(session, "13900006002").password_hash

    r = _change(client, "not-my-password")

    assert r.status_code == 422
    assert "原密码不对" in _error(r, "old_password")
    assert _user(session, "13900006002").password_hash == before
    assert [a.success for a in session.exec(select(LoginAttempt).where(
        LoginAttempt.account_key == "p:13900006002").order_by(LoginAttempt.id))] == [True, False]


def test_a_weak_new_password_is_refused_next_to_its_field(session: Session, client: Any, login: Any) -> None:
    make_user(session, "dispatcher", phone="13900006003")
    login("13900006003")
    before = _user(session, "13900006003").password_hash

    short = _change(client, PASSWORD, "short-1", "short-1")
    phone = _change(client, PASSWORD, "me13900006003", "me13900006003")
    mismatch = _change(client, PASSWORD, NEW, NEW + "x")

    assert "至少 12 位" in _error(short, "password")
    assert "手机号" in _error(phone, "password")
    assert "不一样" in _error(mismatch, "password2")
    assert _user(session, "13900006003").password_hash == before


def test_a_seniors_card_account_has_no_password_page(session: Session, client: Any, login: Any) -> None:
    senior = make_senior(session)
    make_user(session, "senior", senior=senior, password=PIN)
    login(card_no=senior.card_no, pin=PIN)

    r = client.get("/account/password")

    assert r.status_code == 403
    assert "卡密码" in r.text


def _wrong_pins(client: Any, card_no: str, n: int) -> list[int]:
    return [client.post("/login/senior", data={"card_no": card_no, "pin": f"{3000 + i}",
                                               "csrf_token": csrf(client)}).status_code for i in range(n)]


def test_the_counter_unlocks_a_slowed_card_and_the_senior_signs_in_at_once(session: Session, client: Any,
                                                                           login: Any) -> None:
    canteen = make_canteen(session)
    make_user(session, ("counter", canteen.id), phone="13900006004")
    senior = make_senior(session, default_canteen_id=canteen.id, card_no="88006004", name="周秀兰")
    make_user(session, "senior", senior=senior, password="739185")
    assert _wrong_pins(client, "88006004", 6)[-1] == 429
    login("13900006004")

    page = client.get(f"/accounts/seniors/{senior.id}/pin")
    r = client.post(f"/accounts/seniors/{senior.id}/unlock", data={"csrf_token": csrf(client)})
    client.post("/logout", data={"csrf_token": csrf(client)})
    signed_in = client.post("/login/senior", data={"card_no": "88006004", "pin": "739185",
                                                   "csrf_token": csrf(client)}, follow_redirects=False)

    assert "输错密码 5 次" in page.text and "解除锁定" in page.text
    assert r.status_code == 200 and "已解除锁定" in r.text and "data-card-locked" not in r.text
    assert signed_in.status_code == 303
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.card_unlocked")).one()
    assert event.detail == "卡号 88****04，清除 5 次错误"


def test_a_counter_of_another_canteen_cannot_unlock_the_card(session: Session, client: Any, login: Any) -> None:
    home, other = make_canteen(session), make_canteen(session, name="别的食堂")
    make_user(session, ("counter", other.id), phone="13900006005")
    senior = make_senior(session, default_canteen_id=home.id, card_no="88006005")
    make_user(session, "senior", senior=senior, password="739185")
    _wrong_pins(client, "88006005", 5)
    login("13900006005")

    r = client.post(f"/accounts/seniors/{senior.id}/unlock", data={"csrf_token": csrf(client)})

    assert r.status_code == 403
    assert len(session.exec(select(LoginAttempt).where(LoginAttempt.account_key == "c:88006005",
                                                       LoginAttempt.success == False)).all()) == 5  # noqa: E712
