"""The phone page where a volunteer, a 居委 or an operator records a 探访关爱 visit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.core import messages as msg
from app.core.deps import SessionDep, allow, int_or_none
from app.core.errors import InvalidInput
from app.core.form_pages import posted_form
from app.core.principal import Principal
from app.core.templating import render
from app.models import Senior
from app.planning import care

router = APIRouter(prefix="/planning")
VISITORS = allow("operator", "helper")
KIND_OPTIONS = [("volunteer", "志愿者"), ("committee", "居委"), ("operator", "运营人员")]
RESULT_OPTIONS = [("well", "一切正常"), ("unwell", "身体不适"), ("needs_help", "需要帮助"), ("not_home", "不在家")]


def _page(request: Request, session: SessionDep, principal: Principal, form: dict[str, str],
          errors: dict[str, str], saved: str = "", status_code: int = 200) -> Response:
    people = care.visitable(session, principal, "")
    return render(request, "planning/visit.html", {
        "people": people, "form": form, "errors": errors, "saved": saved,
        "senior_options": [("", "请选择长者")] + [(str(s.id), f"{s.name}（{'、'.join(r)}）") for s, r in people],
        "kind_options": KIND_OPTIONS, "result_options": RESULT_OPTIONS}, status_code=status_code)


@router.get("/visit", name="planning:visit")
def visit_page(request: Request, session: SessionDep, saved: str = "", principal: Principal = VISITORS) -> Response:
    saved_id = int_or_none(saved)
    senior = session.get(Senior, saved_id) if saved_id is not None else None
    note = msg.PLANNING_VISIT_SAVED.format(name=senior.name) if senior else ""
    return _page(request, session, principal, {"visitor_kind": "volunteer", "result": "well", "in_person": "1"},
                 {}, note)


@router.post("/visit", name="planning:visit_save")
async def visit_save(request: Request, session: SessionDep, principal: Principal = VISITORS) -> Response:
    form = await posted_form(request)
    try:
        visit = care.record_visit(session, principal, form)
    except InvalidInput as e:
        return _page(request, session, principal, form, e.errors, status_code=422)
    url = request.url_for("planning:visit").include_query_params(saved=visit.senior_id)
    return RedirectResponse(str(url), status_code=303)
