"""Masking of personal data. Every page shows ID numbers masked; phones are masked unless a role must call."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")


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


def mask_personal(text: str) -> str:
    """Masks every 18-character ID number and 11-digit mobile number inside free text (audit details, log lines):
    enough is kept to tell two apart in an incident, never enough to identify the person."""
    return _MOBILE.sub(lambda m: mask_phone(m.group()), _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text))
