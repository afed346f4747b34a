"""Links in pages: each route's path is found once per process, but every link still carries the host and
scheme of the request it is written for."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def _stylesheets(html: str) -> list[str]:
    return [str(link["href"]) for link in BeautifulSoup(html, "html.parser").select("link[rel=stylesheet]")]


def test_links_carry_each_requests_own_host_though_route_paths_are_kept(client: Any) -> None:
    first = client.get("/login", headers={"host": "a.example"})
    second = client.get("/login", headers={"host": "b.example"})

    assert first.status_code == second.status_code == 200
    assert _stylesheets(first.text) and all(h.startswith("http://a.example/static/") for h in _stylesheets(first.text))
    assert [h.replace("b.example", "a.example") for h in _stylesheets(second.text)] == _stylesheets(first.text)
