"""Sign-in for staff and helpers (phone + password) and for seniors (card + PIN), sign-out, own password, text
size. Signing in sets the session cookie and a new CSRF token bound to the new session."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import auth
from app.accounts import forms as account_forms
from app.accounts import service as accounts
from app.core import messages as msg
from app.core.cookies import csrf_cookie, secure_cookies, session_cookie
from app.core.deps import PUBLIC, SessionDep, allow, client_address
from app.core.errors import InvalidInput, TooManyAttempts
from app.core.forms import FormModel, parse_form
from app.core.principal import FONT_COOKIE, FONT_SIZES, Principal, csrf_for_session
from app.core.settings import get_settings
from app.core.templating import render

router = APIRouter()


async def _posted(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after sign-in is a classic phishing aid. Browsers read "\\" as "/"
    # and drop tabs and newlines, so "/\\evil" or "/\t/evil" would leave the site too.
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    return target


def signed_in(request: Request, token: str, target: str) -> Response:
    """Redirect with the new session's cookie and its own CSRF token (rotated: the token of the page before
    sign-in, which anyone on a shared computer may have read, is worth nothing now)."""
    resp = RedirectResponse(_safe_next(target), status_code=303)
    secure = secure_cookies(request.scope)
    resp.set_cookie(session_cookie(request.scope), token, httponly=True, samesite="lax", secure=secure,
                    max_age=get_settings().session_days * 86400)
    resp.set_cookie(csrf_cookie(request.scope), csrf_for_session(token), httponly=True, samesite="lax",
                    secure=secure)
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


@router.get("/login", name="auth:login")
def login_page(request: Request, next: str = "/", mode: str = "senior",
               principal: Principal | None = PUBLIC) -> Response:
    return render(request, "accounts/login.html", {"next": next, "mode": "staff" if mode == "staff" else "senior",
                                                   "errors": {}, "form": {}})


def _sign_in(request: Request, posted: dict[str, str], model: type[FormModel], mode: str, kept: str,
             check: Callable[[dict[str, str], str, str], str], landing: str) -> Response:
    """Both sign-in forms: parse, check the secret (the service counts and audits the try), then either the
    cookie and the page asked for, or the form again with the refusal next to its field and the card or phone
    kept (never the secret)."""
    fields = tuple(name for name in model.model_fields if name != "next")
    try:
        form = parse_form(model, posted).model_dump()
        token = check(form, client_address(request), request.headers.get("user-agent", ""))
    except (InvalidInput, TooManyAttempts) as e:
        resp = render(request, "accounts/login.html", {
            "next": posted.get("next", "/"), "mode": mode, "errors": _on_fields(e, fields, fields[-1]),
            "form": {kept: posted.get(kept, "")}}, status_code=e.status_code)
        if isinstance(e, TooManyAttempts):
            resp.headers["Retry-After"] = str(e.retry_after_s)
        return resp
    return signed_in(request, token, form["next"] if form["next"] != "/" else landing)


@router.post("/login/senior", name="auth:login_senior")
def login_senior(request: Request, session: SessionDep, posted: Posted,
                 principal: Principal | None = PUBLIC) -> Response:
    return _sign_in(request, posted, account_forms.SeniorSignIn, "senior", "card_no",
                    lambda f, address, agent: auth.sign_in_senior(session, f["card_no"], f["pin"], address, agent),
                    "/order")


@router.post("/login/staff", name="auth:login_staff")
def login_staff(request: Request, session: SessionDep, posted: Posted,
                principal: Principal | None = PUBLIC) -> Response:
    return _sign_in(request, posted, account_forms.StaffSignIn, "staff", "phone",
                    lambda f, address, agent: auth.sign_in_staff(session, f["phone"], f["password"], address, agent),
                    "/")


@router.post("/logout", name="auth:logout")
def logout(request: Request, session: SessionDep, everywhere: Annotated[str, Form()] = "",
           principal: Principal = allow()) -> Response:
    if everywhere:
        auth.sign_out_everywhere(session, principal.user_id)
    else:
        auth.sign_out(session, principal.session_id)
    resp = RedirectResponse("/", status_code=303)
    secure = secure_cookies(request.scope)
    resp.delete_cookie(session_cookie(request.scope), secure=secure, httponly=True, samesite="lax")
    # the next person at this computer starts with a CSRF token of their own
    resp.set_cookie(csrf_cookie(request.scope), secrets.token_urlsafe(24), httponly=True, samesite="lax",
                    secure=secure)
    return resp


# ---------------------------------------------------------------- own password (staff and helpers)

@router.get("/account/password", name="auth:password")
def password_page(request: Request, session: SessionDep, done: str = "", principal: Principal = allow()) -> Response:
    accounts.password_owner(session, principal)
    return render(request, "accounts/password.html", {"errors": {}, "message": msg.PASSWORD_CHANGED if done else ""})


@router.post("/account/password", name="auth:change_password")
def change_password(request: Request, session: SessionDep, posted: Posted,
                    principal: Principal = allow()) -> Response:
    try:
        form = parse_form(account_forms.PasswordChange, posted)
        token = accounts.change_password(session, principal, form.old_password, form.password, form.password2,
                                         address=client_address(request),
                                         user_agent=request.headers.get("user-agent", ""))
    except (InvalidInput, TooManyAttempts) as e:
        errors = e.errors if isinstance(e, InvalidInput) else {"old_password": e.message}
        return render(request, "accounts/password.html", {"errors": errors, "message": ""},
                      status_code=e.status_code)
    return signed_in(request, token, request.url_for("auth:password").path + "?done=1")


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
