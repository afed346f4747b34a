"""Finding 9: a name, phone or card number searched for on the accounts pages travels in a POST body (with the
CSRF token), never in the URL, where access logs, browser history and Referer headers would keep it."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from tests.conftest import csrf
from tests.factories import link_helper, make_senior, make_user


@pytest.fixture
def operator(session: Session, login: Any) -> Any:
    make_user(session, "operator", phone="13900007001")
    helper = make_user(session, "helper", name="刘志愿", phone="13822227001")
    link_helper(session, helper, make_senior(session, name="孙桂兰"))
    make_user(session, "helper", name="赵志愿", phone="13822227002")
    return login("13900007001")


@pytest.mark.parametrize(("page", "search"), [("/admin/users", "/admin/users/search"),
                                              ("/admin/helper-links", "/admin/helper-links/search")])
def test_the_search_form_posts_the_term_in_the_body(page: str, search: str, operator: Any) -> None:
    form = BeautifulSoup(operator.get(page).text, "html.parser").select_one("form.filter-form")

    assert form is not None and form["method"] == "post" and str(form["action"]).endswith(search)
    assert form.select_one("input[name=csrf_token]") is not None


def test_a_phone_searched_for_finds_the_account_without_appearing_in_any_url(operator: Any) -> None:
    r = operator.post("/admin/users/search", data={"q": "13822227001", "status": "all",
                                                   "csrf_token": csrf(operator)})

    assert r.status_code == 200
    assert "刘志愿" in r.text and "赵志愿" not in r.text
    assert "13822227001" not in str(r.url) and all("13822227001" not in str(h.url) for h in r.history)


def test_a_term_in_the_query_string_is_ignored(operator: Any) -> None:
    r = operator.get("/admin/users?q=13822227001&status=all")

    assert "刘志愿" in r.text and "赵志愿" in r.text  # no filtering by a term that came in the URL


def test_helper_links_are_searched_by_post(operator: Any) -> None:
    r = operator.post("/admin/helper-links/search", data={"q": "孙桂兰", "csrf_token": csrf(operator)})

    assert r.status_code == 200 and "刘志愿" in r.text


def test_a_search_without_the_csrf_token_is_refused(operator: Any) -> None:
    r = operator.post("/admin/users/search", data={"q": "13822227001"})

    assert r.status_code == 403
