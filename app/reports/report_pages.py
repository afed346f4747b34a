"""Reports over any date range, with bar charts drawn on the server and an Excel download."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import canteens as canteens_admin
from app.core import audit
from app.core.charts import bar_chart
from app.core.deps import SessionDep, allow, client_address, int_or_none
from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.core.templating import render
from app.models import now
from app.reports import dashboard
from app.reports import service as reports

router = APIRouter(prefix="/admin/reports")
OPERATOR = allow("operator")


def _last_month() -> tuple[date, date]:
    end = now().date().replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _scope(principal: Principal, canteen: str, district: str) -> dashboard.Scope:
    return dashboard.Scope(canteen_id=int_or_none(canteen), district=district.strip(),
                           allowed=canteens_admin.allowed_canteens(principal))


@router.get("", name="admin:reports")
def report_page(request: Request, session: SessionDep, start: str = "", end: str = "", canteen: str = "",
                district: str = "", principal: Principal = OPERATOR) -> Response:
    first, last = _last_month()
    form = {"start": start or first.isoformat(), "end": end or last.isoformat(), "canteen": canteen,
            "district": district}
    allowed = canteens_admin.allowed_canteens(principal)
    context: dict[str, object] = {
        "form": form, "errors": {}, "r": None, "section": "reports",
        "canteen_options": [("", "全部食堂")] + [(str(c.id), c.name)
                                                 for c in canteens_admin.list_canteens(session, allowed)],
        "district_options": [("", "全部区")] + [(d, d) for d in dashboard.districts(session)]}
    try:
        first, last = reports.date_range(form["start"], form["end"])
    except InvalidInput as e:
        return render(request, "reports/reports.html", context | {"errors": e.errors}, status_code=422)
    r = reports.build(session, _scope(principal, canteen, district), first, last)
    charts = [bar_chart("每天的餐数", [(f"{d.day}", n) for d, n in r.per_day]),
              bar_chart("各食堂餐数", r.by_canteen()), bar_chart("各方式餐数", r.by_channel())]
    return render(request, "reports/reports.html", context | {"r": r, "charts": charts})


@router.get("/download", name="admin:report_download")
def download(request: Request, session: SessionDep, start: str = "", end: str = "", canteen: str = "",
             district: str = "", principal: Principal = OPERATOR) -> Response:
    first, last = reports.date_range(start, end)
    data = reports.to_xlsx(reports.build(session, _scope(principal, canteen, district), first, last))
    audit.record(session, user_id=principal.user_id, action="report.export", object_type="report",
                 detail=f"{first} 至 {last} 食堂 {canteen or '全部'} 区 {district or '全部'}",
                 address=client_address(request))
    session.commit()
    name = f"助餐统计_{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return Response(data, media_type=reports.XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
