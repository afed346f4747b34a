"""Operators' account pages (staff and helpers, helper links with consent, the audit log), the invitee's
set-your-password page, and the counter's card-PIN page for a senior."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import audit_log
from app.accounts import helper_links as links
from app.accounts import scope as accounts_scope
from app.accounts import service as accounts
from app.accounts import views as accounts_view
from app.accounts.auth_pages import signed_in
from app.core import messages as msg
from app.core.deps import PUBLIC, SessionDep, allow, client_address, int_or_none
from app.core.errors import InvalidInput, NotFound
from app.core.principal import Principal
from app.core.templating import render
from app.models import ROLES, now

router = APIRouter()
OPERATOR = allow("operator")
NO_STORE = {"Cache-Control": "no-store"}
DONE = {"roles": msg.ROLES_SAVED, "deactivated": msg.USER_DEACTIVATED, "activated": msg.USER_ACTIVATED,
        "signed_out": msg.USER_SIGNED_OUT}


async def _form(request: Request) -> dict[str, str]:
    """Every submitted field as text (role forms have one checkbox and one canteen per role)."""
    return {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(_form)]


def _page(request: Request, name: str, context: dict[str, object], status_code: int = 200,
          headers: dict[str, str] | None = None) -> Response:
    base = {"role_names": msg.ROLE_NAMES, "invitable": accounts.INVITABLE_ROLES, "scoped": accounts.SCOPED_ROLES}
    return render(request, f"accounts/{name}.html", base | context, status_code=status_code, headers=headers)


def _back_to_user(request: Request, user_id: int, done: str) -> Response:
    url = request.url_for("accounts:user", user_id=user_id).include_query_params(done=done)
    return RedirectResponse(str(url), status_code=303)


# ---------------------------------------------------------------- staff and helpers

@router.get("/admin/users", name="accounts:users")
def users(request: Request, session: SessionDep, role: str = "", status: str = "active", after: str = "",
          principal: Principal = OPERATOR) -> Response:
    return _users_page(request, session, principal, "", role, status, after)


@router.post("/admin/users/search", name="accounts:users_search")
def users_search(request: Request, session: SessionDep, q: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "active",
                 after: Annotated[str, Form()] = "", principal: Principal = OPERATOR) -> Response:
    """A name or phone searched for travels in the body, never in the URL (access logs, history; finding 9); so
    does the next page of a search (a form, not a link)."""
    return _users_page(request, session, principal, q[:100], role, status, after)


def _users_page(request: Request, session: SessionDep, principal: Principal, q: str, role: str,
                status: str, after: str) -> Response:
    role = role if role in ROLES else ""
    status = status if status in accounts_view.STATUS_FILTERS else "active"
    found = accounts_view.users_list(session, principal, q=q, role=role, status=status, after=int_or_none(after))
    first = request.url_for("accounts:users").include_query_params(role=role, status=status)
    return _page(request, "users", {"rows": found.rows, "q": q, "role": role, "status": status, "roles": ROLES,
                                    "next_after": found.next_after or "",
                                    "next_url": str(first.include_query_params(after=found.next_after))
                                    if found.next_after else "",
                                    "first_url": str(first) if after else "", "limit": accounts_view.PAGE_SIZE})


@router.get("/admin/users/new", name="accounts:new")
def new_user(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    return _page(request, "user_new", {"form": {}, "errors": {}, "canteens": accounts.canteen_names(session)})


@router.post("/admin/users/new", name="accounts:invite")
def invite(request: Request, session: SessionDep, form: FormFields, principal: Principal = OPERATOR) -> Response:
    try:
        invited = accounts.invite(session, principal, name=form.get("name", ""), phone=form.get("phone", ""),
                                  form=form, address=client_address(request))
    except InvalidInput as e:
        return _page(request, "user_new", {"form": form, "errors": e.errors,
                                           "canteens": accounts.canteen_names(session)}, status_code=422)
    return _invited(request, invited, msg.INVITED)


def _invited(request: Request, invited: accounts.Invited, message: str) -> Response:
    # The token travels after "#": browsers never send the fragment, so it is in no access log, proxy log or
    # Referer; the page's script posts it (finding 9).
    link = f"{request.url_for('accounts:invitation_open')}#{invited.token}"
    return _page(request, "user_invited", {"invited": invited, "link": link, "days": accounts.INVITATION_DAYS,
                                           "message": message.format(name=invited.name)}, headers=NO_STORE)


@router.get("/admin/users/{user_id}", name="accounts:user")
def user(request: Request, session: SessionDep, user_id: int, done: str = "",
         principal: Principal = OPERATOR) -> Response:
    detail = accounts_view.user_detail(session, user_id)
    if detail is None:
        raise NotFound(msg.USER_NOT_FOUND)
    accounts_scope.check_may_manage(session, principal, user_id)
    message = DONE[done].format(name=detail.name) if done in DONE else ""
    return _user_page(request, session, detail, detail.form, {}, message)


def _user_page(request: Request, session: SessionDep, detail: accounts_view.UserDetail, form: dict[str, str],
               errors: dict[str, str], message: str = "", status_code: int = 200) -> Response:
    return _page(request, "user_edit", {"u": detail, "form": form, "errors": errors, "message": message,
                                        "canteens": accounts.canteen_names(session)}, status_code=status_code)


@router.post("/admin/users/{user_id}/roles", name="accounts:set_roles")
def set_roles(request: Request, session: SessionDep, user_id: int, form: FormFields,
              principal: Principal = OPERATOR) -> Response:
    try:
        accounts.set_roles(session, principal, user_id, form, client_address(request))
    except InvalidInput as e:
        detail = accounts_view.user_detail(session, user_id)
        if detail is None:
            raise NotFound(msg.USER_NOT_FOUND) from None
        return _user_page(request, session, detail, form, e.errors, status_code=422)
    return _back_to_user(request, user_id, "roles")


@router.post("/admin/users/{user_id}/active", name="accounts:set_active")
def set_active(request: Request, session: SessionDep, user_id: int, active: Annotated[str, Form()] = "",
               principal: Principal = OPERATOR) -> Response:
    try:
        accounts.set_active(session, principal, user_id, active == "1", client_address(request))
    except InvalidInput as e:
        detail = accounts_view.user_detail(session, user_id)
        if detail is None:
            raise NotFound(msg.USER_NOT_FOUND) from None
        return _user_page(request, session, detail, detail.form, e.errors, status_code=422)
    return _back_to_user(request, user_id, "activated" if active == "1" else "deactivated")


@router.post("/admin/users/{user_id}/invitation", name="accounts:reinvite")
def reinvite(request: Request, session: SessionDep, user_id: int, principal: Principal = OPERATOR) -> Response:
    invited = accounts.reinvite(session, principal, user_id, client_address(request))
    return _invited(request, invited, msg.REINVITED)


@router.post("/admin/users/{user_id}/sign-out", name="accounts:sign_out")
def sign_out(request: Request, session: SessionDep, user_id: int, principal: Principal = OPERATOR) -> Response:
    accounts.sign_out_user(session, principal, user_id, client_address(request))
    return _back_to_user(request, user_id, "signed_out")


# ---------------------------------------------------------------- helper links

@router.get("/admin/helper-links", name="accounts:helper_links")
def helper_links(request: Request, session: SessionDep, revoked: str = "", done: str = "",
                 principal: Principal = OPERATOR) -> Response:
    return _links_page(request, session, principal, "", revoked, {"consent_date": now().date().isoformat()}, {},
                       msg.LINK_DONE if done == "linked" else msg.LINK_UNDONE if done == "revoked" else "")


@router.post("/admin/helper-links/search", name="accounts:helper_links_search")
def helper_links_search(request: Request, session: SessionDep, q: Annotated[str, Form()] = "",
                        revoked: Annotated[str, Form()] = "", principal: Principal = OPERATOR) -> Response:
    """Names, phones and card numbers searched for stay out of the URL (finding 9)."""
    return _links_page(request, session, principal, q[:100], revoked, {"consent_date": now().date().isoformat()}, {})


def _links_page(request: Request, session: SessionDep, principal: Principal, q: str, revoked: str,
                form: dict[str, str], errors: dict[str, str], message: str = "", status_code: int = 200) -> Response:
    rows = accounts_view.helper_links(session, principal, q=q, show_revoked=revoked == "1")
    options = [(c, c) for c in links.CONSENT_METHODS]
    return _page(request, "helper_links", {"rows": rows, "q": q, "revoked": revoked, "form": form, "errors": errors,
                                           "message": message, "consent_options": options}, status_code=status_code)


@router.post("/admin/helper-links", name="accounts:link_helper")
def link_helper(request: Request, session: SessionDep, form: FormFields,
                principal: Principal = OPERATOR) -> Response:
    fields = {k: form.get(k, "")[:100] for k in links.LinkForm.__dataclass_fields__ if k != "senior_id"}
    try:
        links.link_helper(session, principal, links.LinkForm(**fields), now().date(),
                             client_address(request))
    except InvalidInput as e:
        return _links_page(request, session, principal, "", "", fields, e.errors, status_code=422)
    url = request.url_for("accounts:helper_links").include_query_params(done="linked")
    return RedirectResponse(str(url), status_code=303)


@router.post("/admin/helper-links/{link_id}/revoke", name="accounts:revoke_link")
def revoke_link(request: Request, session: SessionDep, link_id: int, principal: Principal = OPERATOR) -> Response:
    links.revoke_link(session, principal, link_id, client_address(request))
    url = request.url_for("accounts:helper_links").include_query_params(done="revoked")
    return RedirectResponse(str(url), status_code=303)


# ---------------------------------------------------------------- audit log

@router.get("/admin/audit", name="accounts:audit")
def audit(request: Request, session: SessionDep, principal: Principal = OPERATOR) -> Response:
    accounts_scope.check_audit_access(principal)
    params = {k: v[:40] for k, v in request.query_params.items()}
    actions, types = audit_log.filter_choices(session)
    context: dict[str, object] = {"form": params, "errors": {}, "actions": actions, "types": types,
                                  "action_names": msg.AUDIT_ACTION_NAMES,
                                  "object_names": msg.AUDIT_OBJECT_NAMES, "result": None,
                                  "page_size": audit_log.PAGE_SIZE}
    try:
        context["result"] = audit_log.search(session, audit_log.parse_query(params))
    except InvalidInput as e:
        return _page(request, "audit", context | {"errors": e.errors}, status_code=422)
    return _page(request, "audit", context)


# ---------------------------------------------------------------- invitation: set your own password

@router.get("/invite", name="accounts:invitation_open")
def invitation_open(request: Request, principal: Principal | None = PUBLIC) -> Response:
    """The link's landing page: its script reads the token from the fragment and posts it (the fragment never
    reaches a server); without script, the invitee pastes the code."""
    return _page(request, "invitation_open", {"errors": {}}, headers=NO_STORE)


@router.post("/invite/open", name="accounts:invitation_show")
def invitation_show(request: Request, session: SessionDep, token: Annotated[str, Form()] = "",
                    principal: Principal | None = PUBLIC) -> Response:
    view = accounts.invitation_for(session, token.strip())
    return _page(request, "invitation", {"view": view, "token": token.strip(), "errors": {}}, headers=NO_STORE)


@router.get("/invite/{token}", name="accounts:invitation")
def invitation(request: Request, session: SessionDep, token: str,
               principal: Principal | None = PUBLIC) -> Response:
    """Links sent before issue 13 (token in the path) keep working until they expire (7 days)."""
    view = accounts.invitation_for(session, token)
    return _page(request, "invitation", {"view": view, "token": token, "errors": {}}, headers=NO_STORE)


@router.post("/invite", name="accounts:accept")
def accept(request: Request, session: SessionDep, token: Annotated[str, Form()] = "",
           password: Annotated[str, Form()] = "", password2: Annotated[str, Form()] = "",
           principal: Principal | None = PUBLIC) -> Response:
    try:
        cookie = accounts.accept_invitation(session, token, password, password2, address=client_address(request),
                                            user_agent=request.headers.get("user-agent", ""))
    except InvalidInput as e:
        view = accounts.invitation_for(session, token)
        return _page(request, "invitation", {"view": view, "token": token, "errors": e.errors},
                     status_code=422, headers=NO_STORE)
    return signed_in(request, cookie, "/")


# ---------------------------------------------------------------- a senior's card PIN (counter or operator)

@router.get("/accounts/seniors/{senior_id}/pin", name="accounts:senior_pin")
def senior_pin(request: Request, session: SessionDep, senior_id: int, saved: str = "",
               principal: Principal = allow("counter", "operator")) -> Response:
    return _pin_page(request, session, principal, senior_id, {},
                     msg.PIN_SET if saved == "1" else msg.CARD_UNLOCKED if saved == "unlocked" else "")


def _pin_page(request: Request, session: SessionDep, principal: Principal, senior_id: int, errors: dict[str, str],
              message: str = "", status_code: int = 200) -> Response:
    senior = accounts.senior_for_pin(session, principal, senior_id)
    card = accounts_view.senior_card(senior, accounts.has_pin(session, senior_id))
    failures = accounts.card_lock(session, principal, senior_id)
    return _page(request, "senior_pin", {"card": card, "errors": errors, "message": message.format(name=card.name),
                                         "failures": failures,
                                         "locked_message": msg.CARD_LOCKED.format(count=failures)},
                 status_code=status_code)


@router.post("/accounts/seniors/{senior_id}/pin", name="accounts:set_senior_pin")
def set_senior_pin(request: Request, session: SessionDep, senior_id: int, pin: Annotated[str, Form()] = "",
                   pin2: Annotated[str, Form()] = "", principal: Principal = allow("counter", "operator")) -> Response:
    try:
        accounts.set_senior_pin(session, principal, senior_id, pin, pin2, client_address(request))
    except InvalidInput as e:
        return _pin_page(request, session, principal, senior_id, e.errors, status_code=422)
    url = request.url_for("accounts:senior_pin", senior_id=senior_id).include_query_params(saved="1")
    return RedirectResponse(str(url), status_code=303)


@router.post("/accounts/seniors/{senior_id}/unlock", name="accounts:unlock_card")
def unlock_card(request: Request, session: SessionDep, senior_id: int,
                principal: Principal = allow("counter", "operator")) -> Response:
    """Wrong PINs slowed or stopped the card; the senior has proved who they are at the counter."""
    accounts.unlock_card(session, principal, senior_id, client_address(request))
    url = request.url_for("accounts:senior_pin", senior_id=senior_id).include_query_params(saved="unlocked")
    return RedirectResponse(str(url), status_code=303)
