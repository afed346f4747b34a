"""Sign-in for staff and helpers (phone + password) and for seniors (card + PIN), sign-out, text size."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import auth
from app.core.deps import PUBLIC, SESSION_COOKIE, SessionDep, allow, client_address
from app.core.errors import InvalidInput, TooManyAttempts
from app.core.principal import FONT_COOKIE, FONT_SIZES, Principal
from app.core.settings import get_settings
from app.core.templating import render

router = APIRouter()


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after sign-in is a classic phishing aid. Browsers read "\\" as "/"
    # and drop tabs and newlines, so "/\\evil" or "/\t/evil" would leave the site too.
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    return target


def _signed_in(token: str, target: str) -> Response:
    resp = RedirectResponse(_safe_next(target), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=get_settings().cookie_secure,
                    max_age=get_settings().session_days * 86400)
    return resp


def _on_fields(error: InvalidInput | TooManyAttempts, fields: tuple[str, ...], fallback: str) -> dict[str, str]:
    """Every sign-in refusal next to a field this form has: a locked card's message is bound to `phone` by the
    service, the throttle has no field; both would otherwise show nothing on the card form."""
    errors = error.errors if isinstance(error, InvalidInput) else {fallback: error.message}
    placed: dict[str, str] = {}
    for name, text in errors.items():
        target = name if name in fields else fields[0]
        placed[target] = f"{placed[target]}；{text}" if target in placed else text
    return placed


def _refused(resp: Response, error: InvalidInput | TooManyAttempts) -> Response:
    if isinstance(error, TooManyAttempts):
        resp.headers["Retry-After"] = str(error.retry_after_s)
    return resp


@router.get("/login", name="auth:login")
def login_page(request: Request, next: str = "/", mode: str = "senior",
               principal: Principal | None = PUBLIC) -> Response:
    return render(request, "accounts/login.html", {"next": next, "mode": "staff" if mode == "staff" else "senior",
                                               "errors": {}, "form": {}})


@router.post("/login/senior", name="auth:login_senior")
def login_senior(request: Request, session: SessionDep, card_no: Annotated[str, Form()] = "",
                 pin: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
                 principal: Principal | None = PUBLIC) -> Response:
    card_no = "".join(card_no.split())  # 8800 0001 as printed on the card is the same card
    try:
        token = auth.sign_in_senior(session, card_no, pin, client_address(request),
                                    request.headers.get("user-agent", ""))
    except (InvalidInput, TooManyAttempts) as e:
        return _refused(render(request, "accounts/login.html", {
            "next": next, "mode": "senior", "errors": _on_fields(e, ("card_no", "pin"), "pin"),
            "form": {"card_no": card_no}}, status_code=e.status_code), e)
    return _signed_in(token, next if next != "/" else "/order")


@router.post("/login/staff", name="auth:login_staff")
def login_staff(request: Request, session: SessionDep, phone: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
                principal: Principal | None = PUBLIC) -> Response:
    try:
        token = auth.sign_in_staff(session, phone, password, client_address(request),
                                   request.headers.get("user-agent", ""))
    except (InvalidInput, TooManyAttempts) as e:
        return _refused(render(request, "accounts/login.html", {
            "next": next, "mode": "staff", "errors": _on_fields(e, ("phone", "password"), "password"),
            "form": {"phone": phone}}, status_code=e.status_code), e)
    return _signed_in(token, next)


@router.post("/logout", name="auth:logout")
def logout(session: SessionDep, everywhere: Annotated[str, Form()] = "",
           principal: Principal = allow()) -> Response:
    if everywhere:
        auth.sign_out_everywhere(session, principal.user_id)
    else:
        auth.sign_out(session, principal.session_id)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.post("/prefs/font", name="auth:font")
def set_font(request: Request, session: SessionDep, size: Annotated[str, Form()] = "大",
             back: Annotated[str, Form()] = "/", principal: Principal | None = PUBLIC) -> Response:
    """标准 / 大 / 特大 text, remembered on the account, or in a cookie before sign-in."""
    size = size if size in FONT_SIZES else "标准"
    if principal is not None:
        auth.set_font_size(session, principal.user_id, size)
    resp = RedirectResponse(_safe_next(back), status_code=303)
    resp.set_cookie("font_size", FONT_COOKIE[size], httponly=True, samesite="lax", max_age=365 * 86400)
    return resp
