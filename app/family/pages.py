"""A helper's view of a linked senior's meals today: ordered → cooking → on the way → delivered, and wellness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.deps import SessionDep, allow
from app.core.principal import Principal
from app.core.templating import render
from app.family import service as tracking
from app.models import now

router = APIRouter()


@router.get("/helper/senior/{senior_id}/today", name="family:status")
def status(request: Request, session: SessionDep, senior_id: int, principal: Principal = allow("helper")) -> Response:
    view = tracking.family_status(session, principal, senior_id, now())
    return render(request, "family/status.html", {"v": view, "at": now()})
