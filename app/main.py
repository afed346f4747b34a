"""create_app(): every router under app.web (`*_pages` modules and `app.web.api.*`), static files, errors."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

import app.web as web_pkg
import app.web.api as api_pkg
from app.settings import ROOT
from app.web import api_docs, errors
from app.web.security import SecurityMiddleware, csrf_protect


def _routers() -> list[tuple[APIRouter, bool]]:
    """Pages live in `app/web/*_pages.py`, JSON in `app/web/api/*.py`; each exposes `router`."""
    found: list[tuple[APIRouter, bool]] = []
    for pkg, keep in ((web_pkg, lambda n: n.endswith("_pages")), (api_pkg, lambda n: not n.startswith("_"))):
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if keep(info.name):
                module = importlib.import_module(f"{pkg.__name__}.{info.name}")
                router = getattr(module, "router", None)
                if isinstance(router, APIRouter):
                    found.append((router, pkg is web_pkg))
    return found


def create_app() -> FastAPI:
    app = FastAPI(title="长者食堂助餐平台 API", version="1.0", dependencies=[Depends(csrf_protect)],
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    for router, is_page in _routers():
        # Pages are for people: only the /api/v1 JSON operations belong in the OpenAPI schema.
        app.include_router(router, include_in_schema=not is_page)
    api_docs.install(app)
    app.mount("/static", StaticFiles(directory=str(ROOT / "app" / "static")), name="static")
    errors.install(app)
    app.add_middleware(SecurityMiddleware)
    return app
