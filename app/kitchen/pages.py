"""Kitchen pages: today's slots with live counts, and the four sheets, printable and as PDF downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from math import ceil
from os import cpu_count as _cpu_count
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

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
