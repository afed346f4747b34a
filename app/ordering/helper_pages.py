"""A helper (family or volunteer) picks one of their linked seniors, never anyone else, then orders for them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.deps import SessionDep, allow
from app.core.principal import Principal
from app.core.templating import render
from app.ordering import page_data as pages
from app.ordering import rules

router = APIRouter()


@router.get("/helper", name="helper:home")
def home(request: Request, session: SessionDep, principal: Principal = allow("helper")) -> Response:
    seniors = pages.helper_home(session, principal, rules.current_time())
    return render(request, "ordering/helper.html", {"seniors": seniors})
