"""Operators' subsidy pages: schemes in force and their history, a new version through a validated form,
and the monthly settlement (printable, with Excel / CSV downloads)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import jobs
from app.core import messages as msg
from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput, NotFound
from app.core.principal import Principal
from app.core.templating import render
from app.models import now
from app.subsidy import schemes as scheme_setup
from app.subsidy import service as pricing_service
from app.subsidy import settlement
from app.subsidy.claim_pack import check_claim
from app.subsidy.scheme_form import scheme_to_form
from app.subsidy.settlement_export import PART_NAMES, PARTS, export

router = APIRouter(prefix="/subsidy")


def _today() -> date:
    return now().date()


@router.get("", name="subsidy:schemes")
def schemes(request: Request, session: SessionDep, principal: Principal = allow("operator")) -> Response:
    overview = pricing_service.scheme_overview(session, _today())
    return render(request, "subsidy/schemes.html", {"schemes": overview, "today": _today()})


@router.get("/format", name="subsidy:format")
def scheme_format(request: Request, principal: Principal = allow("operator")) -> Response:
    return render(request, "subsidy/format.html")


@router.get("/schemes/{scheme_key}", name="subsidy:scheme")
def scheme(
    request: Request,
    session: SessionDep,
    scheme_key: str,
    added: int | None = None,
    withdrawn: int | None = None,
    principal: Principal = allow("operator"),
) -> Response:
    history = pricing_service.scheme_history(session, scheme_key, _today())
    if not history:
        raise NotFound(msg.SCHEME_NOT_FOUND)
    just_added = next((v for v in history if v.version == added), None)
    notice = ""
    if just_added is not None:
        day = just_added.effective_from.isoformat()
        words = msg.SCHEME_CREATED if len(history) == 1 else msg.SCHEME_VERSION_ADDED
        notice = words.format(name=just_added.name, version=just_added.version, day=day)
    if withdrawn is not None and any(v.version == withdrawn and v.withdrawn_at for v in history):
        notice = msg.SCHEME_WITHDRAWN.format(version=withdrawn)
    context = _scheme_context(session, scheme_key, history) | {"notice": notice}
    return render(request, "subsidy/scheme.html", context)


def _scheme_context(session: SessionDep, scheme_key: str, history: list[pricing_service.SchemeVersionView],
                    withdraw_errors: dict[int, str] | None = None, claim_errors: dict[str, str] | None = None,
                    claim_form: dict[str, str] | None = None) -> dict[str, object]:
    shown = next((v for v in history if v.in_force), history[0])
    return {"key": scheme_key, "history": history, "shown": shown, "notice": "", "today": _today(),
            "claim_errors": claim_errors or {}, "claim_form": claim_form or {},
            "withdraw_errors": withdraw_errors or {}, "canteens": scheme_setup.attached_canteens(session, scheme_key),
            "structured": scheme_to_form(json.loads(history[0].body)) is not None,
            "funders": [(f["key"], f["name"]) for f in json.loads(shown.body).get("funders", [])],
            "last_month": _last_month()}


@router.post("/schemes/{scheme_key}/versions/{version}/withdraw", name="subsidy:withdraw")
def withdraw(request: Request, session: SessionDep, scheme_key: str, version: int,
             reason: Annotated[str, Form()] = "", principal: Principal = allow("operator")) -> Response:
    pricing_service.require_scheme_editor(principal)
    try:
        scheme_setup.withdraw_version(session, scheme_key, version, reason=reason, user_id=principal.user_id,
                                      today=_today())
    except InvalidInput as e:
        history = pricing_service.scheme_history(session, scheme_key, _today())
        context = _scheme_context(session, scheme_key, history, {version: e.errors.get("reason", "")})
        return render(request, "subsidy/scheme.html", context, status_code=422)
    target = request.url_for("subsidy:scheme", scheme_key=scheme_key).include_query_params(withdrawn=version)
    return RedirectResponse(str(target), status_code=303)


@router.post("/schemes/{scheme_key}/claim", name="subsidy:claim_pack_job")
def claim_pack_job(request: Request, session: SessionDep, scheme_key: str, month: Annotated[str, Form()] = "",
                   funder: Annotated[str, Form()] = "", fmt: Annotated[str, Form()] = "pdf",
                   principal: Principal = allow("operator")) -> Response:
    """下载 on the claim form: the pack (a month of a district's evidence) is built by a worker and offered on its
    own page; a second click for the same pack shows the one on its way. A wrong month or funder is said on the
    form and nothing is queued."""
    pricing_service.require_scheme_editor(principal)
    month, fmt = month.strip(), ("xlsx" if fmt == "xlsx" else "pdf")
    try:
        check_claim(session, scheme_key, month, funder)
    except (InvalidInput, NotFound) as e:
        history = pricing_service.scheme_history(session, scheme_key, _today())
        if not history:
            raise NotFound(msg.SCHEME_NOT_FOUND) from e
        errors = e.errors if isinstance(e, InvalidInput) else {"funder": e.message}
        context = _scheme_context(session, scheme_key, history, claim_errors=errors,
                                  claim_form={"month": month, "funder": funder})
        return render(request, "subsidy/scheme.html", context, status_code=422)
    params = {"scheme_key": scheme_key, "funder": funder, "month": month, "fmt": fmt}
    job_id = jobs.enqueue_file(session, "subsidy_claim_pack", params, principal.user_id)
    return RedirectResponse(request.url_for("jobs:file", job_id=job_id), status_code=303)


@router.get("/schemes/{scheme_key}/new", name="subsidy:new_version")
def new_version(
    request: Request, session: SessionDep, scheme_key: str, principal: Principal = allow("operator")
) -> Response:
    pricing_service.require_scheme_editor(principal)
    latest = pricing_service.latest_version(session, scheme_key, _today())
    first_of_next_month = (_today().replace(day=28) + timedelta(days=4)).replace(day=1)
    form = {"body": latest.pretty_body, "effective_from": first_of_next_month.isoformat(), "note": ""}
    return _version_form(request, scheme_key, latest.name, form, {})


@router.post("/schemes/{scheme_key}/new", name="subsidy:add_version")
def add_version(
    request: Request,
    session: SessionDep,
    scheme_key: str,
    body: Annotated[str, Form()] = "",
    effective_from: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    confirm_warnings: Annotated[str, Form()] = "",
    principal: Principal = allow("operator"),
) -> Response:
    """The JSON editor: the same checks, and the same warnings to confirm, as the structured form."""
    pricing_service.require_scheme_editor(principal)
    try:
        row = pricing_service.add_scheme_version(
            session,
            scheme_key,
            body=body,
            effective_from=effective_from,
            note=note,
            user_id=principal.user_id,
            today=_today(),
            warn=lambda scheme: scheme_setup.warnings_for(session, scheme),
            confirmed=confirm_warnings == "1",
        )
    except InvalidInput as e:
        form = {"body": body, "effective_from": effective_from, "note": note}
        name = pricing_service.latest_version(session, scheme_key, _today()).name
        return _version_form(request, scheme_key, name, form, e.errors, status_code=422)
    target = request.url_for("subsidy:scheme", scheme_key=scheme_key).include_query_params(added=row.version)
    return RedirectResponse(str(target), status_code=303)


def _version_form(
    request: Request,
    key: str,
    name: str,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "subsidy/version_form.html",
        {"key": key, "name": name, "form": form, "errors": errors},
        status_code=status_code,
    )


@dataclass
class SettlementQuery:
    """What the settlement form asks (query parameters, as typed): a month, or a date range; a canteen or a
    district."""

    month: str = ""
    start: str = ""
    end: str = ""
    canteen: str = ""
    district: str = ""

    def scope(self, principal: Principal) -> settlement.Scope:
        """A date range when either end is given (a quarter, say), else the month; within the operator's
        canteens."""
        return settlement.scope_for(
            principal, month=self.month, start=self.start, end=self.end, canteen=self.canteen, district=self.district
        )


@router.get("/settlement", name="subsidy:settlement")
def settlement_page(
    request: Request,
    session: SessionDep,
    query: Annotated[SettlementQuery, Depends()],
    principal: Principal = allow("operator"),
) -> Response:
    query.month = query.month or _last_month()
    context: dict[str, object] = {
        "form": query,
        "errors": {},
        "report": None,
        "parts": PART_NAMES,
        "canteens": settlement.canteen_choices(session, settlement.operator_canteens(principal)),
    }
    try:
        context["report"] = settlement.settle(session, query.scope(principal))
    except InvalidInput as e:
        return render(request, "subsidy/settlement.html", context | {"errors": e.errors}, status_code=422)
    return render(request, "subsidy/settlement.html", context)


@router.get("/settlement/download", name="subsidy:settlement_download")
def settlement_download(
    session: SessionDep,
    query: Annotated[SettlementQuery, Depends()],
    fmt: str = "xlsx",
    part: str = "summary",
    principal: Principal = allow("operator"),
) -> Response:
    data, name, media = export(
        session,
        query.scope(principal),
        fmt="csv" if fmt == "csv" else "xlsx",
        part=part if part in PARTS else "summary",
        user_id=principal.user_id,
    )
    disposition = f"attachment; filename*=UTF-8''{url_quote(name)}"
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})


def _last_month() -> str:
    last = _today().replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"
