"""Integer-fen arithmetic: percentages go through Decimal and are rounded once, half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_HUNDRED = Decimal(100)
_CHINESE_DIGITS = "零一二三四五六七八九"


def percent_of(amount_fen: int, percent: Decimal) -> int:
    """`percent` % of `amount_fen`, rounded half-up to the fen (the one rounding step a scheme allows)."""
    exact = Decimal(amount_fen) * percent / _HUNDRED
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(amount_fen: int) -> str:
    """Shows 300 as "3", 250 as "2.50" and 5 as "0.05": whole yuan stay short, as on a price board."""
    sign = "-" if amount_fen < 0 else ""
    whole, fen = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}" if fen == 0 else f"{sign}{whole}.{fen:02d}"


def discount_label(pay_percent: Decimal) -> str:
    """The shop-window name of a discount: paying 90 % is 九折, 85 % is 八五折; other rates stay numeric."""
    if pay_percent == pay_percent.to_integral_value() and 10 <= pay_percent < 100:
        tens, ones = divmod(int(pay_percent), 10)
        return _CHINESE_DIGITS[tens] + (_CHINESE_DIGITS[ones] if ones else "") + "折"
    return f"按{pay_percent.normalize():f}%付费"
