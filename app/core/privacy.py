"""Masking of personal data. Every page shows ID numbers masked; phones are masked unless a role must call."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """110101195001011234 -> 110***********1234 (first 3, last 4 kept, length preserved)."""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """王秀英 -> 王*英; 李明 -> 李*. Enough for a label or a packing sheet, not enough to look someone up."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def pseudonym(senior_id: int, secret: str) -> str:
    """A stable pseudonymous id for settlement ledgers: the same senior maps to the same code, irreversibly."""
    import hashlib
    import hmac

    digest = hmac.new(secret.encode(), f"senior:{senior_id}".encode(), hashlib.sha256).hexdigest()
    return "S" + digest[:10].upper()
