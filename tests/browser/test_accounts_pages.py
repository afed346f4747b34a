"""The invitee's set-your-password page, the counter's card-PIN page and the operators' account pages meet
the age-friendly rules in a real Chromium (helpers are often older relatives; counters are busy)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.accounts import service as accounts
from app.models import AuditEvent, LoginAttempt
from tests.browser.agefriendly import check_page
from tests.conftest import screenshot
from tests.factories import PASSWORD, make_canteen, make_senior, make_user, principal_of

pytestmark = pytest.mark.browser


def _sign_in(page: Any, phone: str) -> None:
    page.goto("/login?mode=staff")
    page.fill("#f-phone", phone)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")


def test_an_invitee_sets_a_password_with_a_mistake_explained_next_to_the_field(page: Any, session: Session) -> None:
    op = principal_of(session, make_user(session, "operator"))
    invited = accounts.invite(session, op, name="王海燕", phone="13922220001", form={"role_helper": "1"})

    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"/invite#{invited.token}")
    page.wait_for_selector("#f-password2")
    greeting = page.locator("main").inner_text()
    page.fill("#f-password", "green-teapot-7")
    page.fill("#f-password2", "green-teapot-8")
    page.click("button[type=submit]")
    error = page.locator("#f-password2-err").inner_text()
    problems = check_page(page)
    screenshot(page, "accounts-invitation-error")

    assert "不一样" in error
    assert problems == []
    assert "王海燕" in greeting and "139****0001" in greeting
    assert urls and not [u for u in urls if invited.token in u]  # the token reached no server as a URL
    assert invited.token not in page.url


def test_the_counter_sets_a_card_pin(page: Any, session: Session) -> None:
    canteen = make_canteen(session)
    make_user(session, ("counter", canteen.id), phone="13900002001")
    senior = make_senior(session, default_canteen_id=canteen.id, card_no="88009001", name="周秀兰")
    _sign_in(page, "13900002001")

    page.goto(f"/accounts/seniors/{senior.id}/pin")
    page.fill("#f-pin", "2580")
    page.fill("#f-pin2", "2580")
    page.click("button[type=submit]")
    notice = page.locator("[role=status]").first.inner_text()
    problems = check_page(page)
    screenshot(page, "accounts-senior-pin")

    assert "卡密码已设置" in notice
    assert problems == []


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/helper-links", "/admin/audit"])
def test_the_operators_account_pages_meet_the_rules(path: str, page: Any, session: Session) -> None:
    op = make_user(session, "operator", phone="13900002002", name="陈运营")
    make_canteen(session)
    make_user(session, "helper", phone="13900002003", name="刘志愿")
    session.add(AuditEvent(user_id=op.id, action="user.invite", object_type="user", object_id="3"))
    session.commit()
    _sign_in(page, "13900002002")

    page.goto(path)
    problems = check_page(page)
    screenshot(page, "accounts" + path.replace("/", "-"))

    assert problems == []


def test_a_kitchen_worker_changes_their_password_with_a_mistake_explained(page: Any, session: Session) -> None:
    make_user(session, ("kitchen", make_canteen(session).id), phone="13900002004", name="周厨师")
    _sign_in(page, "13900002004")

    page.goto("/")
    page.click("a.who")
    page.fill("#f-old_password", PASSWORD)
    page.fill("#f-password", "abc12345")
    page.fill("#f-password2", "abc12345")
    page.click("form.form-card button[type=submit]")
    error = page.locator("#f-password-err").inner_text()
    problems = check_page(page)
    screenshot(page, "accounts-password-error")
    page.fill("#f-old_password", PASSWORD)
    page.fill("#f-password", "green-teapot-7")
    page.fill("#f-password2", "green-teapot-7")
    page.click("form.form-card button[type=submit]")
    notice = page.locator("[role=status]").first.inner_text()
    done_problems = check_page(page)
    screenshot(page, "accounts-password-changed")

    assert "至少 12 位" in error
    assert problems == [] and done_problems == []
    assert "密码已修改" in notice


def test_the_counter_sees_a_locked_card_and_unlocks_it(page: Any, session: Session) -> None:
    canteen = make_canteen(session)
    make_user(session, ("counter", canteen.id), phone="13900002005")
    senior = make_senior(session, default_canteen_id=canteen.id, card_no="88009005", name="吴桂英")
    for _ in range(6):
        session.add(LoginAttempt(account_key="c:88009005", address="203.0.113.1", success=False))
    session.commit()
    _sign_in(page, "13900002005")

    page.goto(f"/accounts/seniors/{senior.id}/pin")
    locked = page.locator("[data-card-locked]").inner_text()
    problems = check_page(page)
    screenshot(page, "accounts-card-locked")
    page.click("[data-card-locked] button[type=submit]")
    notice = page.locator("[role=status]").first.inner_text()

    assert "输错密码 6 次" in locked
    assert problems == []
    assert "已解除锁定" in notice and page.locator("[data-card-locked]").count() == 0
