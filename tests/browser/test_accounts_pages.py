"""The invitee's set-your-password page, the counter's card-PIN page and the operators' account pages meet
the age-friendly rules in a real Chromium (helpers are often older relatives; counters are busy)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.accounts import service as accounts
from app.models import AuditEvent
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

    page.goto(f"/invite/{invited.token}")
    page.fill("#f-password", "green-teapot-7")
    page.fill("#f-password2", "green-teapot-8")
    page.click("button[type=submit]")
    error = page.locator("#f-password2-err").inner_text()
    problems = check_page(page)
    screenshot(page, "accounts-invitation-error")

    assert "不一样" in error
    assert problems == []


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
