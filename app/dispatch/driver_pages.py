"""The driver's phone page: today's own route, one hand, large text; reports work offline through driver.js."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.core import audit
from app.core import messages as msg
from app.core.deps import SessionDep, allow, client_address
from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.core.templating import render
from app.dispatch import driver as dv
from app.models import now

router = APIRouter(prefix="/driver")
DRIVER = allow("driver")


@router.get("", name="driver:home")
def home(request: Request, session: SessionDep, principal: Principal = DRIVER, notice: str = "",
         error: str = "") -> Response:
    today = now().date()
    routes = dv.today_routes(session, principal, today)
    tomorrow = dv.tomorrow_routes(session, principal, today)
    if routes:  # addresses and phones of every stop: a sensitive read, audited (issue 13, finding 13)
        audit.record_read(session, user_id=principal.user_id, action="route.driver_view", object_type="route_plan",
                          object_id=",".join(f"{r.plan_id}v{r.version}" for r in routes),
                          detail=f"{sum(len(r.stops) for r in routes)} 站", address=client_address(request))
    return render(request, "dispatch/driver_route.html", {
        "routes": routes, "tomorrow_routes": tomorrow, "today": today, "tomorrow": today + timedelta(days=1),
        "new_id": lambda: uuid.uuid4().hex,
        "notice": msg.DRIVER_REPORT_SAVED.get(notice, ""), "error": msg.DRIVER_WELLNESS_REQUIRED if error else "",
        "step_names": msg.STEP_NAMES, "wellness_names": msg.WELLNESS_NAMES})


@router.post("/stop/{stop_id}/report", name="driver:report")
def report(request: Request, session: SessionDep, stop_id: int, principal: Principal = DRIVER,
           choice: str = Form(...), client_report_id: str = Form(""), note: str = Form("")) -> Response:
    """The same report without JavaScript: a plain form post, then back to the route at this stop."""
    kind, wellness, step = dv.parse_choice(choice)
    back = str(request.url_for("driver:home"))
    try:
        dv.report(session, principal, stop_id=stop_id, kind=kind, client_report_id=client_report_id or uuid.uuid4().hex,
                  note=note, wellness=wellness, step=step)
    except InvalidInput:
        return RedirectResponse(f"{back}?error=1#stop-{stop_id}", status_code=303)
    return RedirectResponse(f"{back}?notice={kind}#stop-{stop_id}", status_code=303)
