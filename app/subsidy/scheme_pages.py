"""A district sets up its own scheme: a new scheme from a blank form, a new version in the same structured form
(checked, previewed against the district's seniors and last month's orders, then saved), and withdrawing a
version not yet in force."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import pricing
from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput
from app.core.form_pages import posted_form
from app.core.principal import Principal
from app.core.templating import render
from app.models import now
from app.subsidy import schemes
from app.subsidy import service as pricing_service
from app.subsidy.scheme_form import (
    BENEFIT_NAMES,
    DISABILITY_NAMES,
    ECONOMIC_NAMES,
    FUNDER_KINDS,
    FUNDER_ROWS,
    SHARE_KINDS,
    TIER_ROWS,
    blank_form,
    scheme_to_form,
)

router = APIRouter(prefix="/subsidy")


def _today() -> date:
    return now().date()


def _next_month_first() -> str:
    return (_today().replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()


@router.get("/new-scheme", name="subsidy:create")
def create_form(request: Request, session: SessionDep, copy: str = "",
                principal: Principal = allow("operator")) -> Response:
    """A blank form, or (`copy`) one filled from another scheme's latest version, area and all, to adapt."""
    pricing_service.require_scheme_editor(principal)
    form = blank_form()
    if copy:
        latest = pricing_service.latest_version(session, copy, _today())
        body = _json(latest.body)
        area = body.get("area", {})
        form = (scheme_to_form(body) or form) | {f"area_{k}": str(v) for k, v in area.items()}
    return _page(request, None, "", form | {"effective_from": _next_month_first()}, {})


@router.post("/new-scheme", name="subsidy:create_save")
async def create_save(request: Request, session: SessionDep, principal: Principal = allow("operator")) -> Response:
    pricing_service.require_scheme_editor(principal)
    return await _check_or_save(request, session, principal, None, "")


@router.get("/schemes/{scheme_key}/form", name="subsidy:edit_version")
def edit_form(request: Request, session: SessionDep, scheme_key: str,
              principal: Principal = allow("operator")) -> Response:
    pricing_service.require_scheme_editor(principal)
    latest = pricing_service.latest_version(session, scheme_key, _today())
    form = scheme_to_form(_json(latest.body))
    if form is None:
        target = request.url_for("subsidy:new_version", scheme_key=scheme_key)
        return RedirectResponse(str(target), status_code=303)
    return _page(request, scheme_key, latest.name, form | {"effective_from": _next_month_first()}, {})


@router.post("/schemes/{scheme_key}/form", name="subsidy:edit_save")
async def edit_save(request: Request, session: SessionDep, scheme_key: str,
                    principal: Principal = allow("operator")) -> Response:
    pricing_service.require_scheme_editor(principal)
    name = pricing_service.latest_version(session, scheme_key, _today()).name
    return await _check_or_save(request, session, principal, scheme_key, name)


async def _check_or_save(request: Request, session: SessionDep, principal: Principal, key: str | None,
                         name: str) -> Response:
    """"检查并预览" shows the checks and the preview; "保存" saves only what was previewed unchanged."""
    data = await posted_form(request)
    try:
        if data.get("action") == "save":
            row = schemes.save_checked(session, data, scheme_key=key, user_id=principal.user_id, today=_today())
            target = request.url_for("subsidy:scheme", scheme_key=row.scheme_key)
            return RedirectResponse(str(target.include_query_params(added=row.version)), status_code=303)
        checked = schemes.check_version(session, data, scheme_key=key, today=_today())
    except InvalidInput as e:
        if set(e.errors) & {"previewed", "confirm_warnings"}:
            return _preview_page(request, session, key, name, data, e.errors)
        return _page(request, key, name, data, e.errors, status_code=422)
    return _page(request, key, name, data, {}, checked=checked,
                 preview=schemes.preview(session, checked.scheme, _today()))


def _preview_page(request: Request, session: SessionDep, key: str | None, name: str, data: dict[str, str],
                  errors: dict[str, str]) -> Response:
    checked = schemes.check_version(session, data, scheme_key=key, today=_today())
    return _page(request, key, name, data, errors, checked=checked,
                 preview=schemes.preview(session, checked.scheme, _today()), status_code=422)


def _page(request: Request, key: str | None, name: str, form: dict[str, str], errors: dict[str, str],
          checked: schemes.Checked | None = None, preview: schemes.Preview | None = None,
          status_code: int = 200) -> Response:
    context = {
        "key": key, "name": name, "form": form, "errors": errors, "checked": checked, "preview": preview,
        "funder_rows": range(1, FUNDER_ROWS + 1), "tier_rows": range(1, TIER_ROWS + 1),
        "funder_kinds": [("", "（不用）")] + list(FUNDER_KINDS.items()), "share_kinds": list(SHARE_KINDS.items()),
        "benefit_kinds": list(BENEFIT_NAMES.items()), "economic": list(ECONOMIC_NAMES.items()),
        "disability": list(DISABILITY_NAMES.items()), "today": _today(),
        "operating_funders": [("", "（不设运营补贴）")] + list(FUNDER_KINDS.items()),
        "rules": pricing.describe(checked.scheme) if checked else [],
    }
    return render(request, "subsidy/scheme_form.html", context, status_code=status_code)


def _json(body: str) -> dict[str, Any]:
    data = json.loads(body)
    return data if isinstance(data, dict) else {}
