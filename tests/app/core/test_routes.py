"""The senior's menu is matched first at a morning rush; moving it to the front must not change which route
answers any request."""

from __future__ import annotations

import re

from starlette.routing import BaseRoute, Match

from app.main import RUSH_FIRST, _routers, first_segment, rush_first


def _page_routes() -> list[BaseRoute]:
    return [route for router, is_page in _routers() if is_page for route in router.routes]


def _sample_path(route: BaseRoute) -> str:
    return re.sub(r"\{[^}]+\}", "1", str(getattr(route, "path", "")))


def _answering(routes: list[BaseRoute], path: str, method: str) -> BaseRoute | None:
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [], "query_string": b""}
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return route
    return None


def test_no_page_route_starts_with_a_parameter_so_moving_first_segments_is_safe() -> None:
    assert all(not first_segment(route).startswith("{") for route in _page_routes())


def test_every_page_path_is_answered_by_the_same_route_in_rush_order() -> None:
    routes = _page_routes()
    ordered = sorted(routes, key=rush_first)
    assert first_segment(ordered[0]) in RUSH_FIRST  # the order did move
    for route in routes:
        for method in getattr(route, "methods", None) or {"GET"}:
            path = _sample_path(route)
            assert _answering(ordered, path, method) is _answering(routes, path, method), (path, method)


def test_the_app_matches_the_senior_menu_before_the_admin_pages() -> None:
    from app.main import create_app

    app = create_app()
    pages = next(r for r in app.router.routes if len(getattr(getattr(r, "original_router", None), "routes", [])) > 50)
    paths = [str(getattr(route, "path", "")) for route in pages.original_router.routes]  # type: ignore[attr-defined]
    assert paths.index("/order") < min(i for i, p in enumerate(paths) if p.startswith("/admin"))
