"""Kitchen pages: today's slots with live counts, and the four sheets, printable and as PDF downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from math import ceil
from os import cpu_count as _cpu_count
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app import jobs
from app.core import messages as msg
from app.core.deps import SessionDep, allow, client_address
from app.core.errors import Forbidden, NotFound
from app.core.pdf import PDF_MEDIA_TYPE, attachment_header, render_pdf, render_pdf_parts
from app.core.principal import Principal
from app.core.templating import render, templates
from app.kitchen import service as ks
from app.models import SLOTS, now

router = APIRouter(prefix="/kitchen")
SHEETS = ("prep", "diets", "packing", "labels")
# The sheets that grow with every meal of the slot (one label per meal, one packing line per bag) are built as
# file jobs; prep and diets are one line per dish or diet, a page or two however many meals, and stay direct.
JOB_SHEETS = ("packing", "labels")
KITCHEN = allow("kitchen", "operator")
LABELS_PER_PAGE = 8
# Below this many pages a worker process costs more (start-up, its own font subset) than it saves.
MIN_PAGES_PER_CHUNK = 40


def cpu_count() -> int:
    return _cpu_count() or 1


@router.get("", name="kitchen:home")
def home(
    request: Request,
    session: SessionDep,
    principal: Principal = KITCHEN,
    day: date | None = Query(default=None),
) -> Response:
    scopes = ks.kitchen_scopes(session, principal)
    if not scopes:
        raise Forbidden(msg.KITCHEN_NO_CANTEEN)
    at = now()
    shown = day or at.date()
    canteens = [(scope, ks.slot_counts(session, scope, shown, at)) for scope in scopes]
    return render(
        request,
        "kitchen/home.html",
        {
            "canteens": canteens,
            "day": shown,
            "today": at.date(),
            "tomorrow": at.date() + timedelta(days=1),
            "sheet_names": msg.KITCHEN_SHEET_NAMES,
        },
    )


def _sheet_context(
    session: SessionDep,
    principal: Principal,
    canteen_id: int,
    day: date,
    slot: str,
    sheet: str,
    hot_held: bool,
) -> tuple[ks.KitchenScope, dict[str, object]]:
    if slot not in SLOTS or sheet not in SHEETS:
        raise NotFound(msg.NOT_FOUND)
    scope = ks.scope_for(session, principal, canteen_id)
    sheets = ks.sheets_for(session, scope, day, slot, at=now(), hot_held=hot_held)
    return scope, {
        "s": sheets,
        "sheet": sheet,
        "title": msg.KITCHEN_SHEET_NAMES[sheet],
        "printed_at": now(),
        "slot_name": msg.SLOT_NAMES[slot],
        "sheet_names": msg.KITCHEN_SHEET_NAMES,
    }


def _sheet_handler(sheet: str) -> Callable[..., Response]:
    """The four sheet pages differ only in their template: one handler each, made here."""

    def handler(
        request: Request,
        session: SessionDep,
        canteen_id: int,
        day: date,
        slot: str,
        principal: Principal = KITCHEN,
        hot_held: bool = Query(default=False),
    ) -> Response:
        held = hot_held and sheet == "labels"
        _, context = _sheet_context(session, principal, canteen_id, day, slot, sheet, held)
        return render(request, f"kitchen/{sheet}.html", {**context, "layout": "kitchen/screen.html"})

    handler.__name__ = sheet
    return handler


# The file jobs' pages (progress, download) live in app.jobs, which app.main does not scan for routers.
router.routes.extend(jobs.file_pages.routes)

for _sheet in SHEETS:
    router.add_api_route(
        f"/{{canteen_id}}/{{day}}/{{slot}}/{_sheet}",
        _sheet_handler(_sheet),
        methods=["GET"],
        name=f"kitchen:{_sheet}",
        response_class=HTMLResponse,
    )


@router.get("/{canteen_id}/{day}/{slot}/{sheet}.pdf", name="kitchen:pdf")
def pdf(
    request: Request,
    session: SessionDep,
    canteen_id: int,
    day: date,
    slot: str,
    sheet: str,
    principal: Principal = KITCHEN,
    hot_held: bool = Query(default=False),
) -> Response:
    """The same template as the page, in the chrome-free print layout, rendered server-side."""
    scope, context = _sheet_context(session, principal, canteen_id, day, slot, sheet, hot_held)
    body = render_sheet_pdf({**context, "request": request}, base_url=str(request.base_url))
    ks.record_pdf_export(session, principal, scope, day, slot, sheet, client_address(request))
    filename = f"{scope.canteen_name}-{day.isoformat()}-{context['slot_name']}-{context['title']}.pdf"
    return Response(body, media_type=PDF_MEDIA_TYPE, headers=attachment_header(filename))


@router.post("/{canteen_id}/{day}/{slot}/{sheet}/pdf-job", name="kitchen:pdf_job")
def pdf_job(
    request: Request,
    session: SessionDep,
    canteen_id: int,
    day: date,
    slot: str,
    sheet: str,
    principal: Principal = KITCHEN,
    hot_held: str = Form(""),
) -> Response:
    """生成 PDF: queue the big sheet as a file job (a second click while it is on its way queues nothing new)."""
    if sheet not in JOB_SHEETS or slot not in SLOTS:
        raise NotFound(msg.NOT_FOUND)
    ks.scope_for(session, principal, canteen_id)
    params = {"canteen_id": canteen_id, "day": day.isoformat(), "slot": slot, "sheet": sheet,
              "hot_held": bool(hot_held) and sheet == "labels", "address": client_address(request)}
    job_id = jobs.enqueue_file(session, "kitchen_sheet", params, principal.user_id)
    return RedirectResponse(request.url_for("jobs:file", job_id=job_id), status_code=303)


class _JobRequest:
    """What the sheet templates ask of `request` when no request is there: URLs, from this router's routes."""

    def url_for(self, name: str, /, **params: Any) -> str:
        if name == "static":
            return f"/static/{params['path']}"
        return str(router.url_path_for(name, **{k: str(v) for k, v in params.items()}))


def build_sheet_pdf(session: Session, params: dict[str, Any], progress: Callable[[str], None]) -> tuple[str, bytes]:
    """The file job builder of kind "kitchen_sheet": the same checks (a kitchen user only for their canteen, with
    their roles as they are now), renderer and audit entry as the direct download."""
    principal = jobs.principal_for_user(session, int(params["requester_id"]))
    day = date.fromisoformat(params["day"])
    sheet = params["sheet"]
    scope, context = _sheet_context(session, principal, int(params["canteen_id"]), day, params["slot"], sheet,
                                    bool(params.get("hot_held")))
    sheets: ks.KitchenSheets = context["s"]  # type: ignore[assignment]
    progress(msg.FILE_JOB_LABELS_PROGRESS.format(count=len(sheets.labels)) if sheet == "labels"
             else msg.FILE_JOB_SHEET_PROGRESS.format(title=context["title"]))
    body = render_sheet_pdf({**context, "request": _JobRequest()}, base_url="http://localhost/")
    ks.record_pdf_export(session, principal, scope, day, params["slot"], sheet, str(params.get("address", "")))
    return f"{scope.canteen_name}-{day.isoformat()}-{context['slot_name']}-{context['title']}.pdf", body


def render_sheet_pdf(context: dict[str, Any], *, base_url: str) -> bytes:
    """A sheet's PDF from its page context; labels for a whole district render in page chunks side by side."""
    template = templates.get_template(f"kitchen/{context['sheet']}.html")
    sheets: ks.KitchenSheets = context["s"]
    pages = ceil(len(sheets.labels) / LABELS_PER_PAGE)
    per_chunk = LABELS_PER_PAGE * max(MIN_PAGES_PER_CHUNK, ceil(pages / cpu_count()))
    if context["sheet"] != "labels" or len(sheets.labels) <= per_chunk:
        return render_pdf(template.render({**context, "layout": "kitchen/print.html"}), base_url=base_url)
    parts = [
        template.render(
            {
                **context,
                "layout": "kitchen/print.html",
                "s": replace(sheets, labels=sheets.labels[start : start + per_chunk]),
            }
        )
        for start in range(0, len(sheets.labels), per_chunk)
    ]
    return render_pdf_parts(parts, base_url=base_url)
