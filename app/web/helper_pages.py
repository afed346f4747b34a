"""A helper (family or volunteer) picks one of their linked seniors, never anyone else, then orders for them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.services import ordering_pages as pages
from app.services import ordering_rules as rules
from app.services.auth import Principal
from app.web.deps import SessionDep, allow
from app.web.templating import render

router = APIRouter()


@router.get("/helper", name="helper:home")
def home(request: Request, session: SessionDep, principal: Principal = allow("helper")) -> Response:
    seniors = pages.helper_home(session, principal, rules.current_time())
    return render(request, "helper/home.html", {"seniors": seniors})
