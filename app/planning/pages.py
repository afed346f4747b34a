"""The operators' planning pages: coverage and where to open next, supply, 政策找人, 探访关爱."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.core import audit
from app.core.charts import bar_chart
from app.core.deps import SessionDep, allow_district_operator, client_address, int_or_none
from app.core.errors import InvalidInput
from app.core.form_pages import posted_form
from app.core.principal import Principal
from app.core.templating import render
from app.models import now
from app.planning import care, service, sheets, views

router = APIRouter(prefix="/admin/planning")
OPERATOR = allow_district_operator()  # every senior of the district: not for an operator of some canteens
RADII = (1000, 500)


def _streets(session: SessionDep) -> list[tuple[str, str]]:
    return [("", "全区")] + [(s, s) for s in service.streets(session)]


def _street_page(request: Request, session: SessionDep, page: str, street: str, status_code: int = 200,
                 **context: object) -> Response:
    """Every planning page: its section tab, the street filter kept, and its own figures."""
    return render(request, f"planning/{page}.html", {"section": f"planning_{page}", "form": {"street": street},
                                                      "street_options": _streets(session), **context},
                  status_code=status_code)


def _download(request: Request, session: SessionDep, principal: Principal, data: bytes, name: str,
              street: str) -> Response:
    audit.record(session, user_id=principal.user_id, action="planning.export", object_type="planning",
                 detail=f"{name} 街道 {street or '全区'}", address=client_address(request))
    session.commit()
    return Response(data, media_type=sheets.XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _coverage(request: Request, session: SessionDep, street: str, radius: str, picks: str, source: str,
              site_form: dict[str, str], site_errors: dict[str, str], status_code: int = 200) -> Response:
    picture = service.coverage_of(session, street)
    radius_m = int_or_none(radius) if int_or_none(radius) in RADII else 1000
    k = min(max(int_or_none(picks) or 3, 1), 20)
    opening = service.openings(session, picture, radius_m=radius_m or 1000, k=k, source=source)
    return render(request, "planning/coverage.html", {
        "section": "planning", "c": picture, "map": views.coverage_map(picture), "o": opening,
        "form": {"street": street, "radius": str(radius_m), "picks": str(k), "source": source},
        "site_form": site_form, "site_errors": site_errors, "street_options": _streets(session)},
        status_code=status_code)


@router.get("", name="planning:coverage")
def coverage_page(request: Request, session: SessionDep, street: str = "", radius: str = "1000", picks: str = "3",
                  source: str = "", principal: Principal = OPERATOR) -> Response:
    return _coverage(request, session, street, radius, picks, source, {"street": street}, {})


@router.post("/sites", name="planning:site_save")
async def site_save(request: Request, session: SessionDep, street: str = "", radius: str = "1000",
                    picks: str = "3", principal: Principal = OPERATOR) -> Response:
    form = await posted_form(request)
    try:
        service.add_candidate_site(session, form, user_id=principal.user_id)
    except InvalidInput as e:
        return _coverage(request, session, street, radius, picks, "", form, e.errors, 422)
    url = request.url_for("planning:coverage").include_query_params(street=street, radius=radius, picks=picks)
    return RedirectResponse(str(url), status_code=303)


@router.get("/coverage.xlsx", name="planning:coverage_download")
def coverage_download(request: Request, session: SessionDep, street: str = "",
                      principal: Principal = OPERATOR) -> Response:
    data = sheets.coverage_xlsx(service.coverage_of(session, street))
    return _download(request, session, principal, data, "15分钟服务圈覆盖.xlsx", street)


@router.get("/supply", name="planning:supply")
def supply_page(request: Request, session: SessionDep, street: str = "", principal: Principal = OPERATOR) -> Response:
    supply = service.supply_of(session, street, now().date())
    chart = bar_chart("每月日均供餐（餐/日）", [(f"{m.month.month}月", m.per_day) for m in supply.months],
                            target=supply.district.target, target_label="10%目标")
    return _street_page(request, session, "supply", street, s=supply, chart=chart)


@router.get("/supply.xlsx", name="planning:supply_download")
def supply_download(request: Request, session: SessionDep, street: str = "",
                    principal: Principal = OPERATOR) -> Response:
    data = sheets.supply_xlsx(service.supply_of(session, street, now().date()))
    return _download(request, session, principal, data, "助餐供给能力.xlsx", street)


def _outreach(request: Request, session: SessionDep, street: str, errors: dict[str, str],
              status_code: int = 200) -> Response:
    lines = care.outreach_list(session, street, now().date())
    return _street_page(request, session, "outreach", street, status_code, lines=lines, errors=errors,
                        status_names=sheets.OUTREACH_STATUS_NAMES)


@router.get("/outreach", name="planning:outreach")
def outreach_page(request: Request, session: SessionDep, street: str = "",
                  principal: Principal = OPERATOR) -> Response:
    return _outreach(request, session, street, {})


@router.post("/outreach", name="planning:outreach_save")
async def outreach_save(request: Request, session: SessionDep, street: str = "",
                        principal: Principal = OPERATOR) -> Response:
    form = await posted_form(request)
    try:
        care.update_outreach(session, principal, form)
    except InvalidInput as e:
        return _outreach(request, session, street, e.errors, 422)
    url = request.url_for("planning:outreach").include_query_params(street=street)
    return RedirectResponse(str(url), status_code=303)


@router.get("/outreach.xlsx", name="planning:outreach_download")
def outreach_download(request: Request, session: SessionDep, street: str = "",
                      principal: Principal = OPERATOR) -> Response:
    data = sheets.outreach_xlsx(care.outreach_list(session, street, now().date()))
    return _download(request, session, principal, data, "政策找人名单.xlsx", street)


@router.get("/care", name="planning:care")
def care_page(request: Request, session: SessionDep, street: str = "", principal: Principal = OPERATOR) -> Response:
    week = care.care_week(session, street, now().date())
    charts = [bar_chart("本季度每周探访次数", [(f"{w.start.month}/{w.start.day}", w.visits)
                                                  for w in week.quarter_weeks]),
              bar_chart("本季度每周发现的异常", [(f"{w.start.month}/{w.start.day}", w.concerns)
                                                    for w in week.quarter_weeks])]
    return _street_page(request, session, "care", street, w=week, charts=charts)


@router.get("/care.xlsx", name="planning:care_download")
def care_download(request: Request, session: SessionDep, street: str = "",
                  principal: Principal = OPERATOR) -> Response:
    data = sheets.care_xlsx(care.care_week(session, street, now().date()))
    return _download(request, session, principal, data, "探访关爱.xlsx", street)
