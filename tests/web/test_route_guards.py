"""Every route declares who may use it; the table below is checked against the app's own router table,
so a route added without a guard, or with a different audience, fails here."""

from __future__ import annotations

from fastapi.routing import APIRoute

from app.main import create_app
from app.web.deps import Allow


def _guards(route: APIRoute) -> list[Allow]:
    return [d.call for d in route.dependant.dependencies if isinstance(d.call, Allow)]


def test_every_route_declares_exactly_one_guard() -> None:
    app = create_app()

    unguarded = [f"{sorted(r.methods)} {r.path}" for r in app.routes
                 if isinstance(r, APIRoute) and len(_guards(r)) != 1]

    assert unguarded == []
