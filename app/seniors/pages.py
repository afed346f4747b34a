"""Seniors for operators: the register (ID numbers always masked), a record's edit form with eligibility evidence,
pauses and leaving, and importing the civil-affairs register with a column mapping and a preview."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app import canteens as canteens_admin
from app import jobs
from app.core import messages as msg
from app.core.deps import SessionDep, allow, client_address, int_or_none
from app.core.errors import InvalidInput
from app.core.pdf import PDF_MEDIA_TYPE, attachment_header, render_pdf
from app.core.principal import Principal
from app.core.settings import get_settings
from app.core.templating import render, templates
from app.models import FULFILMENTS, TEXTURES, Senior, now
from app.models.people import DISABILITY_LEVELS, ECONOMIC_STATUSES
from app.seniors import cards as senior_cards
from app.seniors import importer as senior_import
from app.seniors import preview_fixes, reimport, uploads
from app.seniors import service as seniors_admin

router = APIRouter(prefix="/admin/seniors")
OPERATOR = allow("operator")
FormText = Annotated[str, Form()]
PREVIEW_ROWS = 8


def _today() -> date:
    return now().date()


@router.get("", name="admin:seniors")
def seniors(request: Request, session: SessionDep, q: str = "", status: str = "", after: int = 0,
            principal: Principal = OPERATOR) -> Response:
    rows = seniors_admin.list_seniors(session, q=q, status=status, today=_today(), after=after or None,
                                      allowed=canteens_admin.allowed_canteens(principal),
                                      limit=seniors_admin.PAGE_SIZE + 1)
    more = len(rows) > seniors_admin.PAGE_SIZE
    rows = rows[:seniors_admin.PAGE_SIZE]
    next_url = str(request.url_for("admin:seniors").include_query_params(q=q, status=status, after=rows[-1].id)) \
        if more else ""
    return render(request, "seniors/seniors.html", {
        "rows": rows, "form": {"q": q, "status": status}, "section": "seniors", "next_url": next_url,
        "first_url": str(request.url_for("admin:seniors").include_query_params(q=q, status=status))
        if after else "",
        "status_options": [("", "全部")] + list(seniors_admin.STATUS_NAMES.items()),
        "status_names": seniors_admin.STATUS_NAMES, "limit": seniors_admin.PAGE_SIZE})


# ---------------------------------------------------------------- import (declared before /{senior_id})


@router.get("/import", name="admin:import")
def import_form(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    return _upload_page(request, session, principal, {}, {})


def _upload_page(request: Request, session: SessionDep, principal: Principal, form: dict[str, str],
                 errors: dict[str, str], status_code: int = 200) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    options = [("", "不指定")] + [(str(c.id), c.name) for c in canteens_admin.list_canteens(session, allowed)]
    return render(request, "seniors/import.html", {"form": form, "errors": errors, "canteen_options": options,
                                                 "section": "import"}, status_code=status_code)


@router.post("/import", name="admin:import_upload")
def import_upload(request: Request, session: SessionDep, file: UploadFile | None = None,
                  canteen: FormText = "", principal: Principal = OPERATOR) -> Response:
    """A plain def: FastAPI runs it in a worker thread, so reading a large workbook never stalls the event loop.
    The file is parsed here, once; the preview and the import read the table kept as JSON."""
    name = (file.filename or "") if file else ""
    data = file.file.read() if file else b""
    if not data:
        return _upload_page(request, session, principal, {"canteen": canteen},
                            {"file": msg.IMPORT_FILE_REQUIRED}, 422)
    try:
        table = senior_import.read_table(data, name)
    except InvalidInput as e:
        return _upload_page(request, session, principal, {"canteen": canteen}, e.errors, 422)
    token = secrets.token_urlsafe(16)
    uploads.keep(token, senior_import.table_to_json(table))
    seniors_admin.record_upload(session, user_id=principal.user_id, address=client_address(request),
                                rows=len(table.rows), size=len(data))
    url = request.url_for("admin:import_preview", token=token).include_query_params(canteen=canteen, name=name)
    return RedirectResponse(str(url), status_code=303)





def _preview(request: Request, session: SessionDep, token: str, params: dict[str, str], *, user_id: int | None,
             outcome: senior_import.ImportOutcome | None = None, refused: bool = False,
             unconfirmed: bool = False, status_code: int = 200) -> Response:
    path, table = uploads.load(token)
    mapping = uploads.mapping_from(table, params)
    context: dict[str, Any] = {"token": token, "table": table, "mapping": mapping, "fields": senior_import.FIELDS,
                               "required": senior_import.REQUIRED, "name": params.get("name", path.name),
                               "canteen": params.get("canteen", ""), "outcome": outcome, "refused": refused,
                               "unconfirmed": unconfirmed,
                               "section": "import", "mapping_errors": {}, "results": [], "preview": [], "fixable": []}
    canteen_id = int_or_none(params.get("canteen"))
    canteen = canteens_admin.get_canteen(session, canteen_id) if canteen_id else None
    try:
        results = senior_import.validate(table, mapping, today=_today(), canteen=canteen,
                                         fixes=preview_fixes.posted_fixes(params))
    except InvalidInput as e:
        context["mapping_errors"] = e.errors
        return render(request, "seniors/import_preview.html", context, status_code=422)
    context["results"] = results
    context["invalid"] = [r for r in results if not r.ok]
    context["warned"] = [r for r in results if r.ok and (r.warnings or r.skipped)]
    context["noted"] = [r for r in results if r.ok and r.notes]
    context["fixable"] = [r for r in results if r.notes or any(f"fix_{r.row_no}_" in k for k in params)]
    context["fixes"] = preview_fixes.posted_fixes(params)
    context["shown"] = preview_fixes.shown
    context["field_labels"] = msg.IMPORT_FIELD_LABELS
    context["fix_choices"] = {"economic_status": ECON, "texture": [("", "名册没写")] + [(t, t) for t in TEXTURES],
                              "has_lift": [("", "不知道"), ("有", "有"), ("无", "无")],
                              "status": [("active", "正常"), ("paused", "暂停送餐")]}
    context["diff"] = reimport.diff(session, [(r.row_no, senior_import.saved_fields(r)) for r in results
                                              if r.ok and not r.skipped], canteen_id)
    seniors_admin.record_preview(session, user_id=user_id, address=client_address(request), rows=len(results),
                                 invalid=len(context["invalid"]))
    context["preview"] = results[:PREVIEW_ROWS]
    return render(request, "seniors/import_preview.html", context, status_code=status_code)


@router.get("/import/{token}", name="admin:import_preview")
def import_preview(request: Request, session: SessionDep, token: str, principal: Principal = OPERATOR) -> Response:
    return _preview(request, session, token, dict(request.query_params), user_id=principal.user_id)


@router.post("/import/{token}", name="admin:import_run")
async def import_run(request: Request, session: SessionDep, token: str, principal: Principal = OPERATOR) -> Response:
    # The mapping's fields are many and named by the register's columns, so the form is read whole; the saving
    # itself runs in a worker thread, never on the event loop.
    params = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(_import_run, request, session, token, params, principal)


def _import_run(request: Request, session: SessionDep, token: str, params: dict[str, str],
                principal: Principal) -> Response:
    """A register up to `import_job_rows` rows is imported here; a larger one goes to a worker once it would go
    through: what the import would refuse (rows with errors, warnings not confirmed) is said on this preview
    now, not by a failed job later. A second click with the same choices shows the job already on its way."""
    _path, table = uploads.load(token)
    canteen_id = int_or_none(params.get("canteen"))
    if canteen_id:
        canteens_admin.check_canteen(principal, canteen_id)
    choices: dict[str, Any] = dict(today=_today(), canteen_id=canteen_id, **uploads.options_from(params))
    mapping, large = uploads.mapping_from(table, params), len(table.rows) > get_settings().import_job_rows
    try:
        if large:
            senior_import.check_import(session, table, mapping, **choices)
        else:
            outcome = senior_import.import_seniors(session, table, mapping, user_id=principal.user_id,
                                                   filename=params.get("name", ""), **choices)
    except senior_import.WarningsUnconfirmed:
        return _preview(request, session, token, params, user_id=principal.user_id, unconfirmed=True,
                        status_code=422)
    except InvalidInput:
        return _preview(request, session, token, params, user_id=principal.user_id, refused=True,
                        status_code=422)
    if large:
        digest = uploads.keep_choices(token, params)
        job_id = jobs.enqueue_file(session, "seniors_import", {"token": token, "choices": digest},
                                   principal.user_id)
        return RedirectResponse(request.url_for("jobs:file", job_id=job_id), status_code=303)
    uploads.forget(token)
    return render(request, "seniors/import_done.html", {"outcome": outcome, "section": "import",
                                                      "name": params.get("name", "")})


# ---------------------------------------------------------------- 助餐卡 (declared before /{senior_id})

NO_STORE = {"Cache-Control": "no-store"}  # the page carries initial PINs: shown once, never cached


@router.post("/cards", name="admin:cards_issue")
def cards_issue(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    ids = seniors_admin.without_card(session, canteens_admin.allowed_canteens(principal))
    issued = senior_cards.issue_cards(session, principal, ids, client_address(request))
    return _cards_page(request, issued, reissue=False)


@router.post("/{senior_id}/card", name="admin:senior_card")
def senior_card(request: Request, session: SessionDep, senior_id: int, principal: Principal = OPERATOR) -> Response:
    had_card = bool(seniors_admin.check_scope(session, principal, senior_id).card_no)
    if had_card:
        issued = [senior_cards.reissue_card(session, principal, senior_id, client_address(request))]
    else:
        issued = senior_cards.issue_cards(session, principal, [senior_id], client_address(request))
    return _cards_page(request, issued, reissue=had_card)


@router.post("/cards/pdf", name="admin:cards_pdf")
async def cards_pdf(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    """The sheet just shown, as an A4 PDF (cards with QR codes and PIN letters); the PINs come back in the
    form body from that one page, never in the address."""
    form = await request.form()
    posted = [(str(i), str(form.get(f"pin_{i}", ""))) for i in form.getlist("senior")][:500]
    return await run_in_threadpool(_cards_pdf, request, session, principal, posted)


def _cards_pdf(request: Request, session: SessionDep, principal: Principal, posted: list[tuple[str, str]]
               ) -> Response:
    cards = senior_cards.cards_to_print(session, principal, posted)
    html = templates.get_template("seniors/cards_pdf.html").render(
        {"request": request, "cards": cards, "qr": {c.card_no: senior_cards.qr_svg(c.card_no) for c in cards}})
    body = render_pdf(html, base_url=str(request.base_url))
    return Response(body, media_type=PDF_MEDIA_TYPE, headers=attachment_header("助餐卡.pdf") | NO_STORE)


@router.post("/{senior_id}/card/existing", name="admin:senior_card_existing")
def senior_card_existing(request: Request, session: SessionDep, senior_id: int, existing_card: FormText = "",
                         principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    try:
        issued = senior_cards.record_existing_card(session, principal, senior_id, existing_card,
                                                   client_address(request))
    except InvalidInput as e:
        return _senior_page(request, session, principal, senior_id, card_errors=e.errors,
                            card_form={"existing_card": existing_card}, status_code=422)
    return _cards_page(request, [issued], reissue=False)


def _cards_page(request: Request, issued: list[senior_cards.IssuedCard], *, reissue: bool) -> Response:
    return render(request, "seniors/cards.html", {
        "cards": issued, "section": "seniors", "reissue": reissue,
        "qr": {c.card_no: senior_cards.qr_svg(c.card_no) for c in issued}}, headers=NO_STORE)


# ---------------------------------------------------------------- one senior


ECON = [(s, s or "无") for s in ECONOMIC_STATUSES]
DISABILITY = [(s, s or "无") for s in DISABILITY_LEVELS]


def _senior_page(request: Request, session: SessionDep, principal: Principal, senior_id: int,
                 form: dict[str, str] | None = None, errors: dict[str, str] | None = None, notice: str = "",
                 pause_errors: dict[str, str] | None = None, point_errors: dict[str, str] | None = None,
                 point_form: dict[str, str] | None = None, helper_form: dict[str, str] | None = None,
                 helper_errors: dict[str, str] | None = None, card_errors: dict[str, str] | None = None,
                 card_form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    senior = seniors_admin.check_scope(session, principal, senior_id)
    allowed = canteens_admin.allowed_canteens(principal)
    return render(request, "seniors/senior.html", {
        "s": senior, "age": seniors_admin.age_on(senior.birth_date, _today()), "form": form or
        seniors_admin.form_of(senior), "errors": errors or {}, "notice": notice, "pause_errors": pause_errors or {},
        "point_errors": point_errors or {}, "point_form": point_form or {"point": "", "datum": "gcj02"},
        "contacts": seniors_admin.contacts(session, senior_id), "status_names": seniors_admin.STATUS_NAMES,
        "helpers": seniors_admin.helpers_of(session, senior_id), "helper_errors": helper_errors or {},
        "card_errors": card_errors or {}, "card_form": card_form or {"existing_card": ""},
        "helper_form": helper_form or {"consent_date": _today().isoformat()},
        "consent_options": [("", "请选择")] + [(c, c) for c in seniors_admin.CONSENT_METHODS],
        "section": "seniors", "point_source_names": msg.POINT_SOURCE_NAMES, "econ_options": ECON,
        "allergen_names": seniors_admin.ALLERGENS, "disability_options": DISABILITY,
        "texture_options": [(t, t) for t in TEXTURES],
        "fulfilment_options": [(f, msg.FULFILMENT_NAMES[f]) for f in FULFILMENTS],
        "canteen_options": [("", "不指定")] + [(str(c.id), c.name)
                                               for c in canteens_admin.list_canteens(session, allowed)]},
        status_code=status_code)


@router.get("/{senior_id}", name="admin:senior")
def senior(request: Request, session: SessionDep, senior_id: int, done: str = "", cancelled: int = 0,
           kept: int = 0, principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    s = seniors_admin.open_record(session, senior_id, user_id=principal.user_id, address=client_address(request))
    return _senior_page(request, session, principal, senior_id, notice=_notice(s, done, cancelled, kept))


def _notice(s: Senior, done: str, cancelled: int, kept: int) -> str:
    """What the last action did, rebuilt from keys and counts (never free text from the address bar)."""
    text = {"saved": msg.SENIOR_SAVED.format(name=s.name), "helper": msg.LINK_DONE, "point": msg.POINT_SET.format(name=s.name), "resumed": msg.SENIOR_RESUMED.format(name=s.name),
            "paused": msg.SENIOR_PAUSED.format(name=s.name, day=s.paused_until + timedelta(days=1)
                                               if s.paused_until else "", cancelled=cancelled),
            "gone": msg.SENIOR_GONE.format(name=s.name, status=seniors_admin.STATUS_NAMES[s.status],
                                           cancelled=cancelled)}.get(done, "")
    return text + (msg.SENIOR_KEPT.format(count=kept) if text and kept else "")


@router.post("/{senior_id}", name="admin:senior_save")
async def senior_save(request: Request, session: SessionDep, senior_id: int,
                      principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    allowed = canteens_admin.allowed_canteens(principal)
    if allowed is not None and form.get("default_canteen_id", "").strip() not in {str(c) for c in allowed}:
        return _senior_page(request, session, principal, senior_id, form,
                            {"default_canteen_id": msg.CANTEEN_OUT_OF_SCOPE}, status_code=422)
    try:
        seniors_admin.update_senior(session, senior_id, form, user_id=principal.user_id)
    except InvalidInput as e:
        return _senior_page(request, session, principal, senior_id, form, e.errors, status_code=422)
    return _done(request, senior_id, "saved")


def _done(request: Request, senior_id: int, done: str, change: seniors_admin.StatusChange | None = None
          ) -> Response:
    counts = {"cancelled": len(change.cancelled), "kept": len(change.kept)} if change else {}
    url = request.url_for("admin:senior", senior_id=senior_id).include_query_params(done=done, **counts)
    return RedirectResponse(str(url), status_code=303)


@router.post("/{senior_id}/point", name="admin:senior_point")
def senior_point(request: Request, session: SessionDep, senior_id: int, point: FormText = "",
                 datum: FormText = "gcj02", principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    try:
        seniors_admin.set_point(session, senior_id, {"point": point, "datum": datum}, user_id=principal.user_id)
    except InvalidInput as e:
        return _senior_page(request, session, principal, senior_id, point_errors=e.errors,
                            point_form={"point": point, "datum": datum}, status_code=422)
    return _done(request, senior_id, "point")


@router.post("/{senior_id}/pause", name="admin:senior_pause")
def senior_pause(request: Request, session: SessionDep, senior_id: int, resume: FormText = "",
                 reason: FormText = "", principal: Principal = OPERATOR) -> Response:
    return _status_change(request, session, principal, senior_id, "paused", lambda: seniors_admin.pause(
        session, principal, senior_id, resume, reason, today=_today()))


def _status_change(request: Request, session: SessionDep, principal: Principal, senior_id: int, done: str,
                   act: Callable[[], seniors_admin.StatusChange]) -> Response:
    """A pause or a leaving: the same scope check, the same form errors next to the fields, the same notice."""
    seniors_admin.check_scope(session, principal, senior_id)
    try:
        change = act()
    except InvalidInput as e:
        return _senior_page(request, session, principal, senior_id, pause_errors=e.errors, status_code=422)
    return _done(request, senior_id, done, change)


@router.post("/{senior_id}/resume", name="admin:senior_resume")
def senior_resume(request: Request, session: SessionDep, senior_id: int,
                  principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    seniors_admin.resume(session, senior_id, user_id=principal.user_id)
    return _done(request, senior_id, "resumed")


@router.post("/{senior_id}/gone", name="admin:senior_gone")
def senior_gone(request: Request, session: SessionDep, senior_id: int, status: FormText = "",
                note: FormText = "", principal: Principal = OPERATOR) -> Response:
    return _status_change(request, session, principal, senior_id, "gone", lambda: seniors_admin.mark_gone(
        session, principal, senior_id, status, note, today=_today()))


@router.post("/{senior_id}/helper", name="admin:senior_helper")
def senior_helper(request: Request, session: SessionDep, senior_id: int, helper_phone: FormText = "",
                  relation: FormText = "", consent_by: FormText = "", consent_method: FormText = "",
                  consent_date: FormText = "", principal: Principal = OPERATOR) -> Response:
    seniors_admin.check_scope(session, principal, senior_id)
    form = {"helper_phone": helper_phone, "relation": relation, "consent_by": consent_by,
            "consent_method": consent_method, "consent_date": consent_date}
    try:
        seniors_admin.link_helper(session, principal, senior_id, form, today=_today(),
                                  address=client_address(request))
    except InvalidInput as e:
        return _senior_page(request, session, principal, senior_id, helper_form=form, helper_errors=e.errors,
                            status_code=422)
    return _done(request, senior_id, "helper")
