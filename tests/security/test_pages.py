"""Every page each role can open, read as a browser would: each form that changes something carries the CSRF
token and posts to this site, and nothing relies on inline script or style, which the CSP blocks (so a
page that did would silently break, and a page that needed 'unsafe-inline' would open the door to XSS)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from app.core.security import CSRF_COOKIE
from tests.security.test_role_matrix import TABLE, _case_for, _routes
from tests.security.walk import call, sign_as
from tests.security.world import ANONYMOUS, WHO, World


def html_pages(who: str, world: World, client: Any) -> dict[str, BeautifulSoup]:
    routes, pages = _routes(), {}
    for name, case in sorted(TABLE.items()):
        if who in case.roles and routes[name].methods == ("GET",):
            response = call(client, world, who, routes[name], _case_for(case, world))
            if response.headers.get("content-type", "").startswith("text/html"):
                pages[name] = BeautifulSoup(response.text, "html.parser")
    return pages


@pytest.mark.parametrize("who", WHO)
def test_every_form_that_changes_something_carries_the_csrf_token(who: str, world: World, client: Any) -> None:
    pages = html_pages(who, world, client)
    sign_as(client, world, who)
    token = client.cookies.get(CSRF_COOKIE)

    missing = [(name, form.get("action")) for name, soup in pages.items()
               for form in soup.find_all("form") if str(form.get("method", "get")).lower() == "post"
               and not any(i.get("value") == token for i in form.find_all("input", attrs={"name": "csrf_token"}))]

    assert pages and missing == []


@pytest.mark.parametrize("who", WHO)
def test_forms_post_only_to_this_site(who: str, world: World, client: Any) -> None:
    pages = html_pages(who, world, client)

    offsite = [(name, str(form.get("action"))) for name, soup in pages.items() for form in soup.find_all("form")
               if urlsplit(str(form.get("action", ""))).netloc not in ("", "testserver")
               or urlsplit(str(form.get("action", ""))).scheme not in ("", "http", "https")]

    assert offsite == []


@pytest.mark.parametrize("who", [ANONYMOUS, "senior", "helper", "counter", "kitchen", "dispatcher", "driver",
                                 "operator"])
def test_no_page_needs_inline_script_or_style(who: str, world: World, client: Any) -> None:
    pages = html_pages(who, world, client)

    inline = [(name, tag.name, sorted(a for a in tag.attrs if a == "style" or a.startswith("on")))
              for name, soup in pages.items() for tag in soup.find_all(True)
              if "style" in tag.attrs or any(a.startswith("on") for a in tag.attrs)
              or (tag.name == "script" and not tag.get("src") and tag.get("type") != "application/json"
                  and tag.get_text(strip=True))
              or tag.name == "style"]

    assert inline == []
