"""Subsidy schemes, pricing orders into snapshots, settlement with the funders.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.subsidy.claim_pdf import claim_pack_pdf
from app.subsidy.schemes import SchemeChoice, scheme_choices
from app.subsidy.service import lock_senior, quote, snapshot_fields, subsidy_day_for, subsidy_rows
from app.subsidy.vouchers import VoucherLine, redeem_voucher, reverse_order_vouchers, voucher_lines

__all__ = [
    "SchemeChoice",
    "VoucherLine",
    "claim_pack_pdf",
    "lock_senior",
    "quote",
    "redeem_voucher",
    "reverse_order_vouchers",
    "scheme_choices",
    "snapshot_fields",
    "subsidy_day_for",
    "subsidy_rows",
    "voucher_lines",
]
