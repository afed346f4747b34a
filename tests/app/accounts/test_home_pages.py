"""The home page links each role's entry point once that area exists."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def test_every_role_entry_on_the_home_page_is_a_working_link(client: Any) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")

    links = {li["data-role"]: li.find("a") for li in soup.select("[data-role]")}

    assert set(links) == {"senior", "helper", "counter", "kitchen", "dispatcher", "driver", "operator"}
    assert all(a is not None for a in links.values()), [r for r, a in links.items() if a is None]
    assert links["kitchen"]["href"].endswith("/kitchen")
