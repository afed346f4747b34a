"""The counter's check-in (核销) page: scan or type the card, Enter, the meal is served; the slot's list below."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core import messages as msg
from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput
from app.core.forms import parse_form
from app.core.principal import Principal
from app.core.templating import render
from app.ordering import checkin, rules

router = APIRouter()


@router.get("/counter/checkin", name="counter:checkin")
def page(request: Request, session: SessionDep, slot: str = "", principal: Principal = allow("counter")) -> Response:
    at = rules.current_time()
    chosen = slot if slot in ("breakfast", "lunch", "dinner") else checkin.default_slot(
        session, checkin.counter_canteen(principal), at)
    return _render(request, session, principal, {"code": "", "slot": chosen}, {}, "")


@router.post("/counter/checkin", name="counter:check_in")
async def check_in(request: Request, session: SessionDep, principal: Principal = allow("counter")) -> Response:
    data = dict(await request.form())
    form_values = {"code": str(data.get("code", "")), "slot": str(data.get("slot", "lunch"))}
    try:
        done = checkin.check_in(session, principal, parse_form(checkin.CheckInForm, data), rules.current_time())
    except InvalidInput as e:
        return _render(request, session, principal, form_values, e.errors, "", status_code=422)
    notice = msg.CHECKIN_DONE.format(name=done.senior_name, order_no=done.order_no,
                                     what=msg.CHECKIN_WHAT[done.fulfilment])
    return _render(request, session, principal, {"code": "", "slot": form_values["slot"]}, {}, notice)


@router.post("/counter/voucher", name="counter:voucher")
async def voucher(request: Request, session: SessionDep, principal: Principal = allow("counter")) -> Response:
    data = {k: str(v) for k, v in (await request.form()).items()}
    slot = data.get("slot", "lunch")
    form_values = {"code": "", "slot": slot, "order_no": data.get("order_no", ""),
                   "voucher_no": data.get("voucher_no", ""), "amount": data.get("amount", "")}
    try:
        paid = checkin.pay_by_voucher(session, principal, parse_form(checkin.VoucherForm, data))
    except InvalidInput as e:
        return _render(request, session, principal, form_values, e.errors, "", status_code=422)
    notice = msg.VOUCHER_PAID.format(voucher_no=paid.voucher_no, amount=f"{paid.amount_fen / 100:.2f}",
                                     order_no=paid.order_no)
    return _render(request, session, principal, {"code": "", "slot": slot}, {}, notice)


def _render(request: Request, session: SessionDep, principal: Principal, form: dict[str, str],
            errors: dict[str, str], notice: str, status_code: int = 200) -> Response:
    slot = form["slot"] if form["slot"] in ("breakfast", "lunch", "dinner") else "lunch"
    context = {"form": form, "errors": errors, "notice": notice,
               "board": checkin.board(session, principal, rules.current_time().date(), slot),
               "canteen_name": checkin.canteen_name(session, principal)}
    return render(request, "ordering/checkin.html", context, status_code=status_code)
