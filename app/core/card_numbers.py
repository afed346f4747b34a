"""助餐卡 numbers: "88" + a 6-digit serial + a Luhn check digit (9 digits). The check digit lives here, in core,
because issuing (app.seniors) and signing in (app.accounts) both read it and neither may import the other."""

from __future__ import annotations

PREFIX = "88"
SERIAL_DIGITS = 6
CARD_LENGTH = len(PREFIX) + SERIAL_DIGITS + 1


def luhn_digit(digits: str) -> str:
    """The Luhn check digit (as on bank cards): one mistyped digit or two swapped neighbours are caught."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def card_number_ok(text: str) -> bool:
    return (len(text) == CARD_LENGTH and text.isascii() and text.isdigit() and text.startswith(PREFIX)
            and luhn_digit(text[:-1]) == text[-1])


def mistyped(text: str) -> bool:
    """Shaped like one of our 助餐卡 numbers but its check digit is wrong: a typo, caught before any PIN try.
    Other numbers (a city 敬老卡 or 社保卡 recorded as the card, older cards) are not ours to check."""
    return len(text) == CARD_LENGTH and text.isascii() and text.isdigit() and text.startswith(PREFIX) \
        and not card_number_ok(text)
