"""A city district has hundreds of staff and helper accounts: the operator pages through all of them, each once,
in name order, and the address bar carries only the last row's id."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session

from app.accounts.views import PAGE_SIZE
from app.models import User, UserRole
from tests.factories import make_user

ACCOUNTS = 2 * PAGE_SIZE + 30


def _helpers(session: Session, n: int) -> None:
    for i in range(n):
        user = User(name=f"志愿者{i % 40:02d}", phone=f"137{i:08d}", password_hash="x")
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id or 0, role="helper"))
    session.commit()


def _page(client: Any, url: str) -> tuple[list[str], str | None]:
    soup = BeautifulSoup(client.get(url).text, "html.parser")
    ids = [str(row["data-user"]) for row in soup.select("[data-user]")]
    more = soup.select_one("[data-next-page]")
    return ids, str(more["href"]) if more else None


def test_the_operator_pages_through_every_account_once(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900001001", name="陈运营")
    _helpers(session, ACCOUNTS)
    login("13900001001")

    seen: list[str] = []
    url: str | None = "/admin/users"
    pages = 0
    while url:
        ids, url = _page(client, url)
        seen += ids
        pages += 1
        if url:
            assert "after=" in url and "志愿者" not in url and "137" not in url.split("after=")[1]

    assert pages == 3
    assert len(seen) == ACCOUNTS + 1 and len(set(seen)) == len(seen)
    names = [session.get(User, int(i)).name for i in seen]  # type: ignore[union-attr]
    assert names == sorted(names)


def test_a_short_list_has_no_next_page(session: Session, client: Any, login: Any) -> None:
    make_user(session, "operator", phone="13900001001", name="陈运营")
    _helpers(session, 3)
    login("13900001001")

    ids, more = _page(client, "/admin/users")

    assert len(ids) == 4 and more is None


def test_the_audit_log_pages_back_in_time_and_a_new_event_shifts_nothing(session: Session, client: Any,
                                                                         login: Any) -> None:
    from datetime import timedelta

    from app.accounts.audit_log import PAGE_SIZE as AUDIT_PAGE
    from app.models import AuditEvent, now

    op = make_user(session, "operator", phone="13900001001", name="陈运营")
    at = now()
    # Several events share a second, as a bulk card issue writes them: the order must still be total.
    session.add_all([AuditEvent(user_id=op.id, action="user.invite", object_type="user", object_id=str(i),
                                at=at - timedelta(seconds=i // 7)) for i in range(2 * AUDIT_PAGE + 5)])
    session.commit()
    login("13900001001")
    seen: list[str] = []
    url: str | None = "/admin/audit?action=user.invite"
    pages = 0
    while url:
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        seen += [str(row["data-event"]) for row in soup.select("[data-event]")]
        more = soup.select_one("[data-next-page]")
        url = str(more["href"]) if more else None
        pages += 1
        if pages == 1:  # someone invites a colleague while the operator reads the first page
            session.add(AuditEvent(user_id=op.id, action="user.invite", object_type="user", object_id="new", at=now()))
            session.commit()

    assert pages == 3
    assert len(seen) == 2 * AUDIT_PAGE + 5 and len(set(seen)) == len(seen)
    times = [session.get(AuditEvent, int(i)).at for i in seen]  # type: ignore[union-attr]
    assert times == sorted(times, reverse=True)
