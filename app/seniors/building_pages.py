"""The district's building register for operators: upload it, see it, and place seniors' map points from their
addresses, with the ones that match nothing listed for a person to resolve on the senior's record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app import canteens as canteens_admin
from app.core import messages as msg
from app.core.deps import SessionDep, allow, int_or_none
from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.core.settings import get_settings
from app.core.templating import render
from app.seniors import buildings as building_register
from app.seniors import geocoder, locate

router = APIRouter(prefix="/admin/buildings")
OPERATOR = allow("operator")
FormText = Annotated[str, Form()]


def _page(request: Request, session: SessionDep, principal: Principal, *, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, problems: list[str] | None = None, notice: str = "",
          report: locate.LocateReport | None = None, one_form: dict[str, str] | None = None,
          one_errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    return render(request, "seniors/buildings.html", {
        "section": "buildings", "form": form or {"district": "", "datum": "gcj02"}, "errors": errors or {},
        "problems": problems or [], "notice": notice, "report": report,
        "datum_options": list(building_register.DATUMS.items()),
        "buildings": building_register.list_buildings(session),
        "count": building_register.count_buildings(session),
        "unmatched": report.unmatched if report else locate.unmatched_now(session, allowed),
        "source_names": msg.POINT_SOURCE_NAMES, "geocoder_on": bool(get_settings().geocoder_url),
        "one": one_form or {"b_datum": "gcj02"}, "one_errors": one_errors or {},
        "lift_options": [("", "不知道"), ("有", "有"), ("无", "无")],
        "point_datums": [("gcj02", "高德或腾讯地图"), ("bd09", "百度地图"), ("wgs84", "GPS 设备")]},
        status_code=status_code)


@router.get("", name="admin:buildings")
def buildings(request: Request, session: SessionDep, created: str = "", updated: str = "",
              principal: Principal = OPERATOR) -> Response:
    made, changed = int_or_none(created), int_or_none(updated)
    notice = msg.BUILDING_IMPORTED.format(created=made, updated=changed or 0) if made is not None else ""
    return _page(request, session, principal, notice=notice)


@router.post("", name="admin:buildings_upload")
def buildings_upload(request: Request, session: SessionDep, file: UploadFile | None = None,
                     district: FormText = "", datum: FormText = "gcj02",
                     principal: Principal = OPERATOR) -> Response:
    form = {"district": district, "datum": datum}
    data = file.file.read() if file else b""
    if not data:
        return _page(request, session, principal, form=form, errors={"file": msg.IMPORT_FILE_REQUIRED},
                     status_code=422)
    try:
        outcome = building_register.import_buildings(session, data, (file.filename or "") if file else "",
                                                     district=district, datum=datum, user_id=principal.user_id)
    except building_register.BuildingFileRefused as e:
        return _page(request, session, principal, form=form, errors=e.errors, problems=e.problems,
                     status_code=422)
    except InvalidInput as e:
        return _page(request, session, principal, form=form, errors=e.errors, status_code=422)
    url = request.url_for("admin:buildings").include_query_params(created=outcome.created, updated=outcome.updated)
    return RedirectResponse(str(url), status_code=303)


@router.post("/one", name="admin:building_save")
def building_save(request: Request, session: SessionDep, b_district: FormText = "", b_compound: FormText = "",
                  b_aliases: FormText = "", b_road: FormText = "", b_number: FormText = "", b_point: FormText = "",
                  b_datum: FormText = "gcj02", b_floors: FormText = "", b_lift: FormText = "",
                  principal: Principal = OPERATOR) -> Response:
    """The one-building form's fields are named b_* so they never share an id with the upload form's."""
    data = {"district": b_district, "compound": b_compound, "aliases": b_aliases, "road": b_road,
            "number": b_number, "point": b_point, "datum": b_datum, "floors": b_floors, "lift": b_lift}
    try:
        saved = building_register.save_building(session, data, user_id=principal.user_id)
    except InvalidInput as e:
        return _page(request, session, principal, one_form={f"b_{k}": v for k, v in data.items()},
                     one_errors={f"b_{k}": v for k, v in e.errors.items()}, status_code=422)
    return _page(request, session, principal, notice=msg.BUILDING_SAVED.format(
        name=f"{saved.compound} {saved.number} 号"))


@router.post("/locate", name="admin:buildings_locate")
def buildings_locate(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    report = locate.locate_seniors(session, allowed=canteens_admin.allowed_canteens(principal),
                                   user_id=principal.user_id, provider=geocoder.from_settings(get_settings()))
    notice = msg.LOCATE_DONE.format(matched=len(report.located), unmatched=len(report.unmatched))
    return _page(request, session, principal, notice=notice, report=report)
