"""The canteen counter: find a walk-in senior by name, phone or card number, then order with the same flow."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.core.templating import render
from app.ordering import page_data as pages
from app.ordering import rules

router = APIRouter()


@router.get("/counter", name="counter:home")
def home(request: Request, session: SessionDep, q: str = "", principal: Principal = allow("counter")) -> Response:
    try:
        results = pages.counter_search(session, principal, q, rules.current_time())
    except InvalidInput as e:
        return render(request, "ordering/counter.html", {"q": q, "results": [], "errors": e.errors})
    return render(request, "ordering/counter.html", {"q": q, "results": results, "errors": {}})
