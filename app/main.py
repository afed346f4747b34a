"""create_app(): each area's routers, static files, error pages and the security middleware."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

import app as app_pkg
from app.core import api_docs, error_pages
from app.core.log_config import RequestLogMiddleware
from app.core.overload import OverloadShedder
from app.core.security import SecurityMiddleware, csrf_protect
from app.core.settings import ROOT, get_settings

# Packages under app/ that hold no routers.
NOT_AREAS = frozenset({"core", "models", "pricing", "demo", "jobs"})
# First path segments matched first: a morning rush is seniors opening /order. A request is matched against each
# route in turn (a regex each), and /order came after the 68 /admin routes: ~0.2 ms per menu page (issue 21).
RUSH_FIRST = ("order",)


def _is_router_module(name: str) -> bool:
    return name in ("pages", "api") or name.endswith(("_pages", "_api"))


def _routers() -> list[tuple[APIRouter, bool]]:
    """Each area keeps its HTML routes in `pages.py` / `*_pages.py` and its JSON routes in `api.py` /
    `*_api.py`, each exposing `router`; a new area needs no line here."""
    found: list[tuple[APIRouter, bool]] = []
    for area in sorted(pkgutil.iter_modules(app_pkg.__path__), key=lambda i: i.name):
        if not area.ispkg or area.name in NOT_AREAS:
            continue
        package = importlib.import_module(f"app.{area.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if _is_router_module(info.name):
                module = importlib.import_module(f"{package.__name__}.{info.name}")
                router = getattr(module, "router", None)
                if isinstance(router, APIRouter):
                    found.append((router, not (info.name == "api" or info.name.endswith("_api"))))
    return found


def first_segment(route: BaseRoute) -> str:
    path = str(getattr(route, "path", ""))
    return path.split("/")[1] if path.startswith("/") else ""


def rush_first(route: BaseRoute) -> int:
    """Sort key (the sort is stable): routes of RUSH_FIRST's segments first. Moving whole first-segment groups
    cannot change which route answers a request, because two routes whose first segments are different literals
    never match the same path; a route whose first segment is a parameter would break that, so none may move
    past one (tests/app/core/test_routes.py checks both)."""
    segment = first_segment(route)
    return RUSH_FIRST.index(segment) if segment in RUSH_FIRST else len(RUSH_FIRST)


def create_app() -> FastAPI:
    app = FastAPI(title="长者食堂助餐平台 API", version="1.0", dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    # All areas' routes go into two routers (pages, API) rather than one included router per area: each included
    # router is matched in turn for every request, a measurable cost at a morning rush's rates.
    pages, api = APIRouter(), APIRouter()
    for router, is_page in _routers():
        (pages if is_page else api).routes.extend(router.routes)
    pages.routes.sort(key=rush_first)
    # Pages are for people: only the /api/v1 JSON operations belong in the OpenAPI schema.
    app.include_router(api)
    app.include_router(pages, include_in_schema=False)
    api_docs.install(app)
    app.mount("/static", StaticFiles(directory=str(ROOT / "app" / "static")), name="static")
    error_pages.install(app)
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(OverloadShedder, max_in_flight=get_settings().max_in_flight)
    app.add_middleware(RequestLogMiddleware)  # outermost: a shed request is logged with its id too
    return app
