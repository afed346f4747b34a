"""The operator's home: the day's picture per canteen or district."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.models import now
from app.services import canteens_admin, dashboard
from app.services.auth import Principal
from app.web.deps import SessionDep, allow
from app.web.templating import render

router = APIRouter(prefix="/admin")
OPERATOR = allow("operator")


@router.get("", name="admin:home")
def home(request: Request, session: SessionDep, canteen: str = "", district: str = "",
         principal: Principal = OPERATOR) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    scope = dashboard.Scope(canteen_id=int(canteen) if canteen.isdigit() else None, district=district.strip(),
                            allowed=allowed)
    picture = dashboard.picture(session, scope, now().date())
    return render(request, "admin/dashboard.html", {
        "p": picture, "form": {"canteen": canteen, "district": district}, "section": "home",
        "canteen_options": [("", "全部食堂")] + [(str(c.id), c.name)
                                                 for c in canteens_admin.list_canteens(session, allowed)],
        "district_options": [("", "全部区")] + [(d, d) for d in dashboard.districts(session)],
        "channels": dashboard.CHANNELS,
    })
