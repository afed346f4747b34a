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


def test_a_kept_link_with_its_query_is_the_string_starlette_would_build() -> None:
    from starlette.datastructures import URL
    from starlette.requests import Request

    from app.core.templating import PageURL, url_for
    from app.main import create_app

    app = create_app()
    scope = {"type": "http", "method": "GET", "path": "/order", "root_path": "/canteen", "scheme": "https",
             "server": ("example.org", 8443), "headers": [(b"host", b"example.org:8443")], "query_string": b"",
             "app": app, "router": app.router}
    request = Request(scope)
    link = url_for({"request": request}, "order:choose")
    params = {"senior": 12, "menu": 345, "item": "米饭 & 汤"}

    expected = request.url_for("order:choose")
    assert isinstance(link, PageURL)  # joined as strings, not parsed and unsplit by Starlette
    assert str(link) == str(expected) == "https://example.org:8443/canteen/order/choose"
    assert str(link.include_query_params(**params)) == str(expected.include_query_params(**params))
    assert str(link.include_query_params()) == str(expected)
    with_query = URL(str(link) + "?a=1")
    assert str(type(link)(str(with_query)).include_query_params(b=2)) == str(with_query.include_query_params(b=2))
    sheet = url_for({"request": request}, "static", path="/app.css")
    assert isinstance(sheet, PageURL) and str(sheet) == str(request.url_for("static", path="/app.css"))
    plain = Request({**{k: v for k, v in scope.items() if k != "canteen_base_url"}, "scheme": "http",
                     "root_path": "", "headers": [(b"host", b"canteen.local")]})  # another request, its own scope
    assert str(url_for({"request": plain}, "order:choose")) == str(plain.url_for("order:choose"))
