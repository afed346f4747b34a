"""The canteen counter: find a walk-in senior by name, phone or card number, then order with the same flow."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.services import ordering_pages as pages
from app.services import ordering_rules as rules
from app.services.auth import Principal
from app.services.errors import InvalidInput
from app.web.deps import SessionDep, allow
from app.web.templating import render

router = APIRouter()


@router.get("/counter", name="counter:home")
def home(request: Request, session: SessionDep, q: str = "", principal: Principal = allow("counter")) -> Response:
    try:
        results = pages.counter_search(session, principal, q, rules.current_time())
    except InvalidInput as e:
        return render(request, "counter/home.html", {"q": q, "results": [], "errors": e.errors})
    return render(request, "counter/home.html", {"q": q, "results": results, "errors": {}})
