"""The dispatcher's desk: plan routes in the background, adjust by hand, publish, and watch the live board."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app import alerts, jobs
from app.core import messages as msg
from app.core.deps import SessionDep, allow, client_address
from app.core.errors import InvalidInput, NotFound
from app.core.form_pages import posted_form
from app.core.principal import Principal
from app.core.templating import render
from app.dispatch import edit
from app.dispatch import service as d
from app.dispatch import views as view
from app.models import SLOTS, DeliveryPlan, now

router = APIRouter(prefix="/dispatch")
DISPATCH = allow("dispatcher", "operator")
NOTICES = {"queued": msg.JOB_QUEUED, "busy": msg.JOB_ALREADY_RUNNING, "lock": msg.DISPATCH_LOCK_SAVED,
           "published": msg.DISPATCH_PLAN_PUBLISHED,
           "published_reason": msg.DISPATCH_PLAN_PUBLISHED_WITH_REASON, "moved": "已移动。", "late": msg.DISPATCH_LATE_QUEUED,
           "nolate": msg.DISPATCH_NO_LATE, "cancelled": msg.JOB_CANCELLED,
           "nocancel": msg.JOB_NOTHING_TO_CANCEL, "continuity": msg.DISPATCH_CONTINUITY_SAVED, "alert": msg.ALERT_UPDATED}


def _back(request: Request, plan: DeliveryPlan, notice: str = "", **extra: str) -> RedirectResponse:
    query = {"canteen": plan.canteen_id, "day": plan.service_date.isoformat(), "slot": plan.slot,
             **({"notice": notice} if notice else {}), **extra}
    return RedirectResponse(f"{request.url_for('dispatch:home')}?{urlencode(query)}", status_code=303)


def _parse_day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else now().date()
    except ValueError as exc:
        raise NotFound(msg.DISPATCH_DATE_INVALID) from exc


@router.get("", name="dispatch:home")
def home(request: Request, session: SessionDep, principal: Principal = DISPATCH,
         canteen: int | None = Query(default=None), day: str | None = Query(default=None),
         slot: str = Query(default="lunch"), notice: str = Query(default=""),
         warn: str = Query(default="")) -> Response:
    canteens = view.canteens_for(session, principal)
    chosen = canteen or canteens[0].id or 0
    shown = _parse_day(day)
    if slot not in SLOTS:
        raise NotFound(msg.NOT_FOUND)
    page = view.plan_page(session, principal, chosen, shown, slot)
    text = NOTICES.get(notice, "").format(version=page.plan.version, count=len(page.late),
                                          seconds=page.plan.continuity_weight)
    return render(request, "dispatch/plan.html", {
        "p": page, "canteens": canteens, "day": shown, "slot": slot, "notice": text,
        "warnings": [w for w in warn.split("|") if w][:12], "errors": {}, "overdue": view.overdue_of(page, now())})


@router.post("/plan/{plan_id}/solve", name="dispatch:solve")
def solve(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH) -> Response:
    plan = edit.plan_for_edit(session, principal, plan_id)
    return _back(request, plan, "queued" if d.enqueue_plan(session, plan) else "busy")


@router.post("/plan/{plan_id}/cancel", name="dispatch:cancel")
def cancel(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH) -> Response:
    """Stop a queued or running solve; the plan stays as it was (a cancelled job never stores routes)."""
    plan = edit.plan_for_edit(session, principal, plan_id)
    return _back(request, plan, "cancelled" if jobs.cancel(session, plan_id) else "nocancel")


@router.get("/plan/{plan_id}/job", name="dispatch:job")
def job(session: SessionDep, plan_id: int, principal: Principal = DISPATCH) -> Response:
    """Polled by dispatch.js while a solve runs; the page itself never waits for the solver."""
    edit.plan_for_edit(session, principal, plan_id)
    s = jobs.status(session, plan_id)
    return JSONResponse({"state": s.state, "stage": s.stage, "elapsed_s": s.elapsed_s, "best_cost": s.best_cost,
                         "error": s.error, "active": s.active})


@router.post("/stop/{stop_id}/move", name="dispatch:move")
def move(request: Request, session: SessionDep, stop_id: int, principal: Principal = DISPATCH,
         route_id: int = Form(...), position: str = Form(...)) -> Response:
    position = position.strip()
    if not (position.isascii() and position.isdigit() and len(position) <= 4):
        raise InvalidInput({"position": msg.DISPATCH_MOVE_BAD_POSITION.format(last="…")})
    warnings = edit.move_stop(session, principal, stop_id, route_id, int(position))
    plan = d.plan_of_stop(session, stop_id)
    return _back(request, plan, "moved", **({"warn": "|".join(warnings)[:1500]} if warnings else {}))


@router.post("/stop/{stop_id}/lock", name="dispatch:lock_stop")
def lock_stop(request: Request, session: SessionDep, stop_id: int, principal: Principal = DISPATCH,
              locked: str = Form("1")) -> Response:
    plan = edit.set_lock(session, principal, stop_id=stop_id, locked=locked == "1")
    return _back(request, plan, "lock")


@router.post("/route/{route_id}/lock", name="dispatch:lock_route")
def lock_route(request: Request, session: SessionDep, route_id: int, principal: Principal = DISPATCH,
               locked: str = Form("1")) -> Response:
    plan = edit.set_lock(session, principal, route_id=route_id, locked=locked == "1")
    return _back(request, plan, "lock")


@router.post("/plan/{plan_id}/continuity", name="dispatch:continuity")
def continuity(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH,
               seconds: str = Form("")) -> Response:
    plan = edit.plan_for_edit(session, principal, plan_id)
    try:
        edit.set_continuity(session, principal, plan_id, seconds)
    except InvalidInput as exc:
        page = view.page_for(session, plan)
        return render(request, "dispatch/plan.html", {
            "p": page, "canteens": view.canteens_for(session, principal), "day": plan.service_date,
            "slot": plan.slot, "notice": "", "warnings": [], "errors": {"seconds": exc.errors["continuity"]},
            "continuity_value": seconds}, status_code=422)
    return _back(request, plan, "continuity")


@router.post("/plan/{plan_id}/publish", name="dispatch:publish")
async def publish(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH) -> Response:
    return _publish(request, session, principal, plan_id, await posted_form(request))


def _publish(request: Request, session: SessionDep, principal: Principal, plan_id: int,
             data: dict[str, str]) -> Response:
    try:
        plan = edit.publish(session, principal, plan_id, data, address=client_address(request))
    except InvalidInput as exc:
        plan = edit.plan_for_edit(session, principal, plan_id)
        return render(request, "dispatch/plan.html", {
            "p": view.page_for(session, plan), "canteens": view.canteens_for(session, principal),
            "day": plan.service_date, "slot": plan.slot, "notice": "", "warnings": [], "errors": exc.errors,
            "reason_value": data.get("reason", "")}, status_code=422)
    return _back(request, plan, "published_reason" if plan.safety_reason else "published")


@router.post("/plan/{plan_id}/late", name="dispatch:late")
def late(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH) -> Response:
    """Slot late orders into the published plan: a background job like any solve."""
    plan = edit.plan_for_edit(session, principal, plan_id)
    if not edit.late_orders(session, plan):
        return _back(request, plan, "nolate")
    return _back(request, plan, "late" if d.enqueue_plan(session, plan) else "busy")


@router.get("/plan/{plan_id}/board", name="dispatch:board")
def board(request: Request, session: SessionDep, plan_id: int, principal: Principal = DISPATCH,
          notice: str = Query(default="")) -> Response:
    return _board(request, session, principal, plan_id, msg.ALERT_CLOSED if notice == "closed" else "")


def _board(request: Request, session: SessionDep, principal: Principal, plan_id: int, notice: str = "",
           failed: dict[str, object] | None = None) -> Response:
    """The live board; after a refused close, that alert's form again with its errors and what was typed."""
    return render(request, "dispatch/board.html", {
        "b": view.board(session, principal, plan_id, now()), "refreshed_at": now(), "notice": notice,
        "status_names": msg.STOP_STATUS_NAMES, "outcome_names": msg.ALERT_OUTCOME_NAMES, "failed": failed or {}},
        status_code=422 if failed else 200)


@router.post("/alert/{alert_id}", name="dispatch:alert")
def handle_alert(request: Request, session: SessionDep, alert_id: int, principal: Principal = DISPATCH,
                 status: str = Form(...), plan_id: int = Form(...)) -> Response:
    alerts.handle(session, principal, alert_id, status)
    return RedirectResponse(str(request.url_for("dispatch:board", plan_id=plan_id)), status_code=303)


@router.post("/alert/{alert_id}/close", name="dispatch:alert_close")
def close_alert(request: Request, session: SessionDep, alert_id: int, principal: Principal = DISPATCH,
                plan_id: int = Form(...), outcome: str = Form(""), note: str = Form("")) -> Response:
    """Close an alert with what was done; a missing choice or note shows the board again, nothing changed."""
    try:
        alerts.close(session, principal, alert_id, outcome, note)
    except InvalidInput as exc:
        failed = {"id": alert_id, "errors": exc.errors, "outcome": outcome, "note": note}
        return _board(request, session, principal, plan_id, failed=failed)
    url = request.url_for("dispatch:board", plan_id=plan_id)
    return RedirectResponse(f"{url}?notice=closed#h-alerts", status_code=303)


@router.get("/senior/{senior_id}/alerts", name="dispatch:alert_history")
def alert_history(request: Request, session: SessionDep, senior_id: int, principal: Principal = DISPATCH) -> Response:
    name, history = alerts.history_of(session, principal, senior_id)
    return render(request, "dispatch/alert_history.html", {"senior_name": name, "history": history})
