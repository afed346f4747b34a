"""The ordering flow, shared by seniors, helpers and the counter: menu → how to eat → confirm → 已订好.

Every step is a plain link or form (works without JS); the senior being ordered for travels as `senior=`, and
the service checks on each request that the signed-in person may act for them. A refusal re-renders the step
where its cause is, with the error next to it and every choice kept.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.core import audit
from app.core import messages as msg
from app.core.deps import SessionDep, allow, client_address
from app.core.errors import AppError, Forbidden, InvalidInput
from app.core.principal import Principal
from app.core.templating import render
from app.ordering import page_data as pages
from app.ordering import rules
from app.ordering.service import Choice, OrderRequest, SoldOut

router = APIRouter()
ORDERING_ROLES = ("senior", "helper", "counter")
# Errors shown on the menu (next to the item or the meal) rather than on the "how to eat" step.
MENU_FIELDS = ("item", "slot")


def senior_for(principal: Principal, senior: int | None) -> int | None:
    """The senior this request orders for: the one named, or the signed-in senior themself."""
    if senior is not None:
        return senior
    return principal.senior_id


def pick_first(request: Request, principal: Principal) -> Response:
    """Helpers and counter staff start from their list; anyone else has nobody to order for."""
    if principal.has("helper"):
        return RedirectResponse(request.url_for("helper:home"), status_code=303)
    if principal.has("counter"):
        return RedirectResponse(request.url_for("counter:home"), status_code=303)
    raise Forbidden(msg.ORDER_NOT_SENIOR)


def _errors(error: AppError, field: str) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        return error.errors
    return {error.field or field: error.message}


def _menu_with_error(request: Request, session: Session, principal: Principal, senior_id: int, menu_id: int,
                     error: AppError, item_id: int | None = None) -> Response:
    page = pages.home_page(session, principal, senior_id, menu_id, rules.current_time())
    alternative = error.alternative_id if isinstance(error, SoldOut) else None
    errors = _errors(error, "item")
    if not errors.keys() & set(MENU_FIELDS):
        errors = {"slot": error.message}  # a cause the menu has no place for is said at the top of the meal
    return render(request, "ordering/home.html", {
        "page": page, "errors": errors, "error_item": item_id, "alternative": alternative,
    }, status_code=error.status_code)


@router.get("/order", name="order:home")
def home(request: Request, session: SessionDep, senior: int | None = None, menu: int | None = None,
         principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    senior_id = senior_for(principal, senior)
    if senior_id is None:
        return pick_first(request, principal)
    page = pages.home_page(session, principal, senior_id, menu, rules.current_time())
    _audit_counter_read(request, session, principal, senior_id)
    return render(request, "ordering/home.html", {"page": page, "errors": {}, "repeat_key": uuid.uuid4().hex})


def _audit_counter_read(request: Request, session: Session, principal: Principal, senior_id: int) -> None:
    """A counter opening a senior's orders is a sensitive read, audited (issue 13, finding 13)."""
    if principal.has("counter") and principal.senior_id != senior_id:
        audit.record_read(session, user_id=principal.user_id, action="senior.counter_view", object_type="senior",
                          object_id=senior_id, detail=request.url.path, address=client_address(request))


@router.get("/order/choose", name="order:choose")
def choose(request: Request, session: SessionDep, menu: int, item: int, senior: int | None = None,
           texture: str = "", principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    senior_id = senior_for(principal, senior)
    if senior_id is None:
        return pick_first(request, principal)
    try:
        page = pages.choose_page(session, principal, senior_id, menu, item, rules.current_time())
    except AppError as e:
        if e.status_code in (401, 403, 404):
            raise
        return _menu_with_error(request, session, principal, senior_id, menu, e, item)
    return render(request, "ordering/choose.html", {"page": page, "errors": {}, "texture": texture})


def _request(senior_id: int, menu: int, item: int, fulfilment: str, texture: str, key: str = "") -> OrderRequest:
    return OrderRequest(senior_id, menu, fulfilment, (Choice(item, 1, texture),), key)


def _step_back(request: Request, session: Session, principal: Principal, order: OrderRequest,
               error: AppError) -> Response:
    """Put the error where its cause is: the menu for the dish or the meal, step 2 for texture and way."""
    if error.status_code in (401, 403, 404):
        raise error
    item_id = order.choices[0].menu_item_id
    fields = set(_errors(error, "fulfilment"))
    if fields & set(MENU_FIELDS) or not fields & {"fulfilment", "texture", "portion", "quantity"}:
        return _menu_with_error(request, session, principal, order.senior_id, order.menu_id, error, item_id)
    page = pages.choose_page(session, principal, order.senior_id, order.menu_id, item_id, rules.current_time())
    return render(request, "ordering/choose.html", {
        "page": page, "errors": _errors(error, "fulfilment"), "texture": order.choices[0].texture,
        "fulfilment": order.fulfilment}, status_code=error.status_code)


@router.get("/order/confirm", name="order:confirm")
def confirm(request: Request, session: SessionDep, menu: int, item: int, fulfilment: str = "",
            texture: str = "", senior: int | None = None, principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    senior_id = senior_for(principal, senior)
    if senior_id is None:
        return pick_first(request, principal)
    order = _request(senior_id, menu, item, fulfilment, texture)
    try:
        page = pages.confirm_page(session, principal, order, rules.current_time())
    except AppError as e:
        return _step_back(request, session, principal, order, e)
    # A fresh key per confirmation screen: tapping 确认 twice, or again after a dropped connection, sends the
    # same key, and the service returns the order it already stored.
    return render(request, "ordering/confirm.html", {"page": page, "key": uuid.uuid4().hex, "texture": texture})


@router.post("/order/place", name="order:place")
def place(request: Request, session: SessionDep, menu: Annotated[int, Form()], item: Annotated[int, Form()],
          fulfilment: Annotated[str, Form()] = "", key: Annotated[str, Form()] = "", texture: Annotated[str, Form()] = "",
          senior: Annotated[int | None, Form()] = None, principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    senior_id = senior_for(principal, senior)
    if senior_id is None:
        return pick_first(request, principal)
    order = _request(senior_id, menu, item, fulfilment, texture, key)
    try:
        order_id = pages.place(session, principal, order, rules.current_time())
    except AppError as e:
        return _step_back(request, session, principal, order, e)
    return RedirectResponse(request.url_for("order:done", order_id=order_id), status_code=303)


@router.get("/order/done/{order_id}", name="order:done")
def done(request: Request, session: SessionDep, order_id: int,
         principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    page = pages.order_page(session, principal, order_id, rules.current_time())
    return render(request, "ordering/done.html", {"page": page})


@router.get("/order/week", name="order:week")
def week(request: Request, session: SessionDep, senior: int | None = None,
         principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    senior_id = senior_for(principal, senior)
    if senior_id is None:
        return pick_first(request, principal)
    page = pages.week_page(session, principal, senior_id, rules.current_time())
    _audit_counter_read(request, session, principal, senior_id)
    return render(request, "ordering/week.html", {"page": page})


@router.get("/order/{order_id}/cancel", name="order:cancel_ask")
def cancel_ask(request: Request, session: SessionDep, order_id: int,
               principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    page = pages.order_page(session, principal, order_id, rules.current_time())
    return render(request, "ordering/cancel.html", {"page": page, "error": ""})


@router.post("/order/{order_id}/cancel", name="order:cancel")
def cancel(request: Request, session: SessionDep, order_id: int,
           principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    try:
        page = pages.cancel(session, principal, order_id, rules.current_time())
    except AppError as e:
        if e.status_code in (401, 403, 404):
            raise
        page = pages.order_page(session, principal, order_id, rules.current_time())
        return render(request, "ordering/cancel.html", {"page": page, "error": e.message}, status_code=e.status_code)
    return render(request, "ordering/cancelled.html", {"page": page})
