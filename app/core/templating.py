"""The one Jinja2 environment: filters for money and names, and render() that adds the page's common data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.datastructures import URL, URLPath
from starlette.responses import HTMLResponse
from starlette.routing import NoMatchFound

from app.core import messages as msg
from app.core.principal import FONT_COOKIE, FONT_SIZES, next_font_size
from app.core.privacy import mask_id_number, mask_name, mask_phone
from app.core.settings import ROOT, TZ, get_settings

WEEKDAYS = "一二三四五六日"

templates = Jinja2Templates(directory=str(ROOT / "templates"))
env = templates.env
env.autoescape = True
# Templates do not change under a running server (it is restarted on deploy): without this each page stats its
# template files again (eight and more a menu page) to see whether they were edited (issue 21).
env.auto_reload = False


def yuan(fen: int | None) -> str:
    """Integer fen to a yuan string for display only (never parsed back): 1250 -> "12.50"."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def cn_date(d: date | datetime) -> str:
    return f"{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


def clock(t: datetime | None) -> str:
    """A clock time in words as seniors say it: 上午9:30 / 下午2:30 / 晚上6:00."""
    if t is None:
        return ""
    if isinstance(t, datetime):
        t = t.astimezone(TZ)
    h, m = t.hour, t.minute
    part = "凌晨" if h < 6 else "上午" if h < 12 else "中午" if h < 13 else "下午" if h < 18 else "晚上"
    h12 = h if h <= 12 else h - 12
    return f"{part}{h12}:{m:02d}"


env.filters.update(yuan=yuan, cn_date=cn_date, clock=clock, mask_id=mask_id_number, mask_phone=mask_phone,
                   mask_name=mask_name)
env.globals.update(SLOT_NAMES=msg.SLOT_NAMES, FULFILMENT_NAMES=msg.FULFILMENT_NAMES, ROLE_NAMES=msg.ROLE_NAMES,
                   ORDER_STATUS_NAMES=msg.ORDER_STATUS_NAMES, VEHICLE_KIND_NAMES=msg.VEHICLE_KIND_NAMES)


@pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> URL:
    """Starlette's template `url_for`, with each route's path kept per process. Finding a route by name walks
    the route table (over two thousand routes, one NoMatchFound raised per miss) and a senior's menu page links
    some 25 times: without this, a third of the page's time (issue 21). Only the path is kept; the scheme and
    host still come from each request."""
    request: Request = context["request"]
    if not isinstance(request, Request):  # a stand-in (a file job renders a sheet with no request): its own links
        return cast(URL, request.url_for(name, **path_params))
    provider: Any = request.scope.get("router") or request.scope.get("app")
    try:
        key = tuple(sorted((k, type(v), v) for k, v in path_params.items()))
        hash(key)
    except TypeError:
        return request.url_for(name, **path_params)
    if id(provider) not in _PATHS and len(_PATHS) >= 4:  # one app per process (tests make many)
        _PATHS.clear()
    kept = _PATHS.setdefault(id(provider), (provider, {}))[1]  # the provider held, so its id stays its own
    path = kept.get((name, key))
    if path is None:
        if len(kept) > 8192:  # paths with ids in them: keep the table bounded
            kept.clear()
        path = kept[(name, key)] = _path_for(provider, name, path_params)
    if path.host or path.protocol not in ("", "http"):  # every page route says "http": the request's own scheme
        return path.make_absolute_url(base_url=request.base_url)
    base = request.scope.get(_BASE)
    if base is None:  # "http://host:port" and any root path, once per request
        base = request.scope[_BASE] = str(request.base_url).rstrip("/")
    return PageURL(base + path)


class PageURL(URL):
    """A link as `make_absolute_url` would build it, made by joining strings: parsing and unsplitting the base for
    each of a page's 25–40 links, and again for each `include_query_params`, was a tenth of the menu page's
    time (issue 21). A URL with no query or fragment yet gets its parameters appended; anything else goes
    Starlette's way. Same strings as before, character for character (tested)."""

    def include_query_params(self, **kwargs: Any) -> URL:
        text = str(self)
        if not kwargs or "?" in text or "#" in text:
            return super().include_query_params(**kwargs)
        return PageURL(text + "?" + urlencode([(str(k), str(v)) for k, v in kwargs.items()]))


_BASE = "canteen_base_url"
_PATHS: dict[int, tuple[Any, dict[Any, Any]]] = {}


def _path_for(provider: Any, name: str, path_params: dict[str, Any]) -> URLPath:
    """A path not seen yet (an order's own link): the route that answered for this name and these parameter
    names before formats it directly. A route answers by name and parameter names, so the first to answer
    stays the first; anything unexpected falls back to the provider's own walk."""
    routes = _PATHS[id(provider)][1]
    signature = ("route", name, frozenset(path_params))
    route = routes.get(signature)
    if route is not None:
        try:
            return cast(URLPath, route.url_path_for(name, **path_params))
        except NoMatchFound:
            pass
    for candidate in _leaf_routes(provider):
        try:
            path = cast(URLPath, candidate.url_path_for(name, **path_params))
        except NoMatchFound:
            continue
        routes[signature] = candidate
        return path
    return cast(URLPath, provider.url_path_for(name, **path_params))


def _leaf_routes(provider: Any) -> Iterator[Any]:
    # FastAPI keeps included routers as wrappers whose route contexts each answer for one route
    for route in getattr(provider, "routes", ()):
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if callable(contexts) else (route,))


env.globals["url_for"] = url_for


def route_exists(request: Request, name: str) -> bool:
    """Lets a template link to another area's page only once that page exists."""
    return name in _route_names(request.app.router.routes)


def _route_names(routes: Any) -> set[str]:
    # Walk nested routers too: recent FastAPI keeps included routers as their own route objects.
    names: set[str] = set()
    for route in routes:
        if getattr(route, "name", None):
            names.add(route.name)
        for attr in ("routes", "original_router"):
            inner = getattr(route, attr, None)
            if inner is not None and inner is not route:
                names |= _route_names(inner.routes if hasattr(inner, "routes") and attr != "routes" else inner)
    return names


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    cookie_font = next((k for k, v in FONT_COOKIE.items() if v == request.cookies.get("font_size")), "标准")
    font = principal.font_size if principal else cookie_font
    ctx = {
        "principal": principal,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "help_phone": get_settings().help_phone,
        "font_size": font if font in FONT_SIZES else "标准",
        "next_font_size": next_font_size(font),
        "route_exists": lambda n: route_exists(request, n),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)
