"""助餐卡: numbers issued in bulk to seniors who have none, each with an initial PIN shown once; a lost card is
reissued under a new number (the old one stops working at once). The PIN itself is kept by app.accounts."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import segno
from sqlmodel import Session, col, func, select

from app import accounts
from app.core import audit, card_numbers
from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.forms import small_int
from app.core.principal import Principal
from app.models import Senior

# The number's shape and its check digit are shared with sign-in (app.core.card_numbers).
PREFIX, SERIAL_DIGITS, CARD_LENGTH = card_numbers.PREFIX, card_numbers.SERIAL_DIGITS, card_numbers.CARD_LENGTH
luhn_digit, card_number_ok = card_numbers.luhn_digit, card_numbers.card_number_ok


def card_number(serial: int) -> str:
    body = f"{PREFIX}{serial:0{SERIAL_DIGITS}d}"
    return body + luhn_digit(body)


@dataclass(frozen=True)
class IssuedCard:
    senior_id: int
    name: str
    card_no: str
    pin: str  # shown once, on the page that issued it; only its hash is kept


def _next_serial(session: Session) -> int:
    issued = session.exec(select(Senior.card_no).where(col(Senior.card_no).startswith(PREFIX),
                                                       func.length(Senior.card_no) == CARD_LENGTH)).all()
    return max((int(c[len(PREFIX):-1]) for c in issued if c), default=0) + 1


def _initial_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        if pin not in accounts.WEAK_PINS:
            return pin


def issue_cards(session: Session, principal: Principal, senior_ids: list[int], address: str = "") -> list[IssuedCard]:
    """Cards for the given seniors who have none yet (others are left as they are), numbered in sequence."""
    seniors = session.exec(select(Senior).where(col(Senior.id).in_(senior_ids), col(Senior.card_no).is_(None),
                                                col(Senior.status).in_(("active", "paused")))
                           .order_by(col(Senior.id))).all()
    return [_give_card(session, principal, senior, address) for senior in seniors]


def reissue_card(session: Session, principal: Principal, senior_id: int, address: str = "") -> IssuedCard:
    """A lost card: a new number and a new PIN; whoever holds the old card can no longer sign in with it."""
    senior = accounts.senior_for_pin(session, principal, senior_id)
    if not senior.card_no:
        raise InvalidInput({"card": msg.CARD_NONE_TO_REISSUE})
    old = senior.card_no
    card = _give_card(session, principal, senior, address)
    audit.record(session, user_id=principal.user_id, action="senior.card_reissue", object_type="senior",
                 object_id=senior_id, detail=f"挂失补卡：旧卡 {old} 作废，新卡 {card.card_no}", address=address)
    session.commit()
    return card


def _give_card(session: Session, principal: Principal, senior: Senior, address: str) -> IssuedCard:
    senior.card_no = card_number(_next_serial(session))
    session.add(senior)
    session.flush()
    pin = _initial_pin()
    accounts.set_senior_pin(session, principal, senior.id or 0, pin, pin, address)  # commits, audited
    return IssuedCard(senior.id or 0, senior.name, senior.card_no, pin)


# ---------------------------------------------------------------- QR codes, the PDF sheet, existing cards (issue 14)

PIN_RE = re.compile(r"\d{4,6}")
EXISTING_RE = re.compile(r"[0-9A-Z]{6,20}")


def qr_svg(card_no: str) -> str:
    """The card number as a QR code (inline SVG, no style attribute): the counter's USB scanner types it and
    presses Enter, as it does for a 社保卡 barcode. A full QR code, never a Micro QR few scanners read."""
    return str(segno.make(card_no, micro=False, error="m").svg_inline(scale=5, border=2))


def cards_to_print(session: Session, principal: Principal, posted: list[tuple[str, str]]) -> list[IssuedCard]:
    """The cards of a just-issued sheet, for its PDF: names and numbers from the records (in the operator's
    scope); each initial PIN comes back from the one page that showed it, since only its hash is kept."""
    out = []
    for senior_text, pin in posted:
        senior_id = small_int(senior_text) or 0  # never int(): "²".isdigit() is true
        senior = session.get(Senior, senior_id)
        if senior is None or not senior.card_no:
            continue
        accounts.senior_for_pin(session, principal, senior_id)  # raises outside the operator's scope
        out.append(IssuedCard(senior_id, senior.name, senior.card_no, pin if PIN_RE.fullmatch(pin) else ""))
    audit.record(session, user_id=principal.user_id, action="senior.cards_pdf", object_type="senior",
                 detail=f"打印助餐卡 PDF：{len(out)} 张")  # the sheet carries initial PINs
    session.commit()
    return out


def record_existing_card(session: Session, principal: Principal, senior_id: int, number: str,
                         address: str = "") -> IssuedCard:
    """A city 敬老卡 / 社保卡 number the senior already carries becomes their card, with an initial PIN."""
    senior = accounts.senior_for_pin(session, principal, senior_id)
    text = "".join(number.split()).upper()
    if not EXISTING_RE.fullmatch(text):
        raise InvalidInput({"existing_card": msg.CARD_EXISTING_INVALID})
    if card_numbers.mistyped(text):
        raise InvalidInput({"existing_card": msg.CARD_MISTYPED})
    taken = session.exec(select(Senior.id).where(Senior.card_no == text, Senior.id != senior_id)).first()
    if taken is not None:
        raise InvalidInput({"existing_card": msg.CARD_EXISTING_TAKEN})
    old = senior.card_no
    senior.card_no = text
    session.add(senior)
    session.flush()
    pin = _initial_pin()
    accounts.set_senior_pin(session, principal, senior_id, pin, pin, address)  # commits, audited
    audit.record(session, user_id=principal.user_id, action="senior.card_existing", object_type="senior",
                 object_id=senior_id, detail=f"登记已有卡号 {text}" + (f"，原卡 {old} 作废" if old else ""),
                 address=address)
    session.commit()
    return IssuedCard(senior_id, senior.name, text, pin)
