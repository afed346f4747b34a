"""The operators' generic edit page (`admin/form.html`): read a posted form, save it, or show it again with each
error next to its field and everything typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import InvalidInput
from app.core.templating import render


async def posted_form(request: Request) -> dict[str, str]:
    posted = await request.form()
    out = {k: str(v) for k, v in posted.items() if k != "csrf_token"}
    if "open_days" in posted:
        out["open_days"] = "".join(str(v) for v in posted.getlist("open_days"))
    return out


def form_page(request: Request, title: str, action: str, fields: list[dict[str, Any]], form: dict[str, Any],
               errors: dict[str, str], back: str, section: str, status_code: int = 200) -> Response:
    return render(request, "admin/form.html", {"title": title, "action": action, "fields": fields, "form": form,
                                               "errors": errors, "back_url": back, "section": section,
                                               "form_name": section}, status_code=status_code)


def save_or_rerender(request: Request, save: Callable[[], object], on_error: Callable[[dict[str, str]], Response],
          back: str) -> Response:
    try:
        save()
    except InvalidInput as e:
        return on_error(e.errors)
    return RedirectResponse(back, status_code=303)
