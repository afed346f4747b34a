"""Every route declares who may use it, checked against the app's own router table, so a route added without
a guard fails here. (The role-by-role table lives in tests/security/test_role_matrix.py.)"""

from __future__ import annotations

from app.main import create_app
from tests.security.routes import app_routes


def test_the_router_table_is_walked_into_every_included_router() -> None:
    names = {r.name for r in app_routes(create_app())}

    assert {"home", "auth:login", "auth:logout"} <= names


def test_every_route_declares_exactly_one_guard() -> None:
    app = create_app()

    unguarded = [f"{r.methods} {r.path}" for r in app_routes(app) if len(r.guards) != 1]

    assert unguarded == []


def test_every_route_has_an_area_name_so_the_role_table_can_name_it() -> None:
    unnamed = [r.path for r in app_routes(create_app()) if ":" not in r.name and r.name != "home"]

    assert unnamed == []
