"""The app's own router table, flattened.

FastAPI keeps included routers as `_IncludedRouter` entries in `app.routes`, so a plain
`isinstance(route, APIRoute)` filter over `app.routes` sees none of the pages; `iter_route_contexts` walks
into every included router and yields each route with its effective (prefixed) path.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app.core.deps import Allow


@dataclass(frozen=True)
class AppRoute:
    name: str
    path: str
    methods: tuple[str, ...]
    route: APIRoute

    @property
    def guards(self) -> list[Allow]:
        return [d.call for d in self.route.dependant.dependencies if isinstance(d.call, Allow)]

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.route.dependant.path_params)


def app_routes(app: FastAPI) -> list[AppRoute]:
    """Every API route of the app (pages and /api/v1), with the path as clients call it."""
    found: list[AppRoute] = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute):
            found.append(AppRoute(name=str(ctx.name), path=str(ctx.path), methods=tuple(sorted(ctx.methods or ())),
                                  route=route))
    return found
