"""A look at every page each role can open, in the realistic district: ID numbers only ever masked, drivers
see no ID numbers and only their own stops, phones printed in full nowhere a role does not need to call.

Pages come from the role matrix (every GET route of the app, with the roles allowed it), so a new page is
looked at as soon as it is in that table.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.security.test_role_matrix import TABLE, _case_for, _routes
from tests.security.walk import call
from tests.security.world import ROLES, World

MASKED_ID = re.compile(r"[0-9]{3}\*{11}[0-9Xx]{4}")
ANY_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
# A CSRF token is 43 hex digits, and about one in two hundred has a run of 18 decimal ones inside it: such a
# token is not an ID number, so hex runs longer than any ID are taken out before looking.
HEX_TOKEN = re.compile(r"[0-9a-f]{32,}")
# Roles that phone seniors or their families: drivers at the door (tap-to-call, never printed), dispatchers and
# operators on a no-answer alert.
CALLERS = frozenset({"driver", "dispatcher", "operator"})


@dataclass(frozen=True)
class Seen:
    role: str
    route: str
    raw: str   # everything in the response, attributes and downloads included
    text: str  # what a person reads on the page


def _body(response: Any) -> tuple[str, str]:
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            raw = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        return raw, raw
    if "pdf" in kind:
        return "", ""  # compressed glyph runs: the HTML twin of each PDF sheet is looked at instead
    raw = response.text
    return raw, BeautifulSoup(raw, "html.parser").get_text(" ") if "html" in kind else raw


def pages_of(role: str, world: World, client: Any) -> list[Seen]:
    routes, seen = _routes(), []
    for name, case in sorted(TABLE.items()):
        route = routes[name]
        if role in case.roles and route.methods == ("GET",):
            response = call(client, world, role, route, _case_for(case, world))
            assert response.status_code < 500, f"{name} as {role}: {response.status_code}"
            seen.append(Seen(role, name, *_body(response)))
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_full_id_number(role: str, world: World, client: Any) -> None:
    numbers = [s.id_number for s in world.seniors]

    pages = pages_of(role, world, client)

    leaks = [(p.route, n) for p in pages for n in numbers if n in p.raw]
    stray = [(p.route, m) for p in pages for m in ANY_ID.findall(HEX_TOKEN.sub(" ", p.raw))]

    assert leaks == [] and stray == []


def test_the_operators_pages_show_id_numbers_only_masked(world: World, client: Any) -> None:
    pages = pages_of("operator", world, client)

    masked = {p.route for p in pages if MASKED_ID.search(p.raw)}

    assert {"admin:seniors", "accounts:helper_links"} <= masked


def test_a_driver_sees_no_id_numbers_at_all(world: World, client: Any) -> None:
    pages = pages_of("driver", world, client)

    assert [(p.route, MASKED_ID.findall(p.raw)) for p in pages if MASKED_ID.search(p.raw)] == []
    assert "driver:home" in {p.route for p in pages}


def test_a_driver_sees_only_their_own_stops(world: World, client: Any) -> None:
    others = [world.other_senior, world.far_senior]

    pages = pages_of("driver", world, client)

    leaks = [(p.route, s.name, x) for p in pages for s in others
             for x in (s.name, s.address, s.building, s.phone) if x in p.raw]
    assert leaks == []
    assert any(world.senior.building in p.raw for p in pages)


@pytest.mark.parametrize("role", sorted(frozenset(ROLES) - CALLERS))
def test_roles_that_do_not_call_never_receive_a_full_phone(role: str, world: World, client: Any) -> None:
    phones = [s.phone for s in world.seniors] + [world.contact_phone]

    leaks = [(p.route, n) for p in pages_of(role, world, client) for n in phones if n in p.raw]

    assert leaks == []


def test_the_driver_calls_by_tapping_and_the_number_is_never_printed(world: World, client: Any) -> None:
    pages = {p.route: p for p in pages_of("driver", world, client)}

    page = pages["driver:home"]
    links = BeautifulSoup(page.raw, "html.parser").select('a[href^="tel:"]')

    assert world.senior.phone in {str(a["href"]).removeprefix("tel:") for a in links}
    assert [n for n in (world.senior.phone, world.contact_phone) if n in page.text] == []


def test_an_operator_of_one_canteen_sees_no_senior_of_another(world: World, client: Any) -> None:
    routes, ours = _routes(), (world.senior, world.other_senior)

    leaks: dict[str, list[str]] = {}
    for name, case in sorted(TABLE.items()):
        if "operator" in case.roles and routes[name].methods == ("GET",):
            raw = _body(call(client, world, "operator_b", routes[name], _case_for(case, world)))[0]
            found = [x for s in ours for x in (s.name, s.address, s.card_no or "") if x and x in raw]
            if found:
                leaks[name] = found

    assert leaks == {}
