"""Values the operator corrects in the import preview before saving (a remark read wrongly, a 户籍 the office
wrote oddly): posted as fix_<row>_<field>, checked like the record form, applied over the row's parsed value and
remembered as hand corrections, so next month's import of the same register keeps them."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from app.core import allergens
from app.core import messages as msg
from app.core.forms import small_int
from app.models import TEXTURES
from app.models.people import ECONOMIC_STATUSES
from app.seniors import reimport, remarks

FIXABLE = ("hukou_city", "economic_status", "allergies", "texture", "floor", "has_lift", "status")
HAND_KEY = "_hand"  # in a row's values: {field: the parsed value it replaced, as text}


def shown(values: Mapping[str, Any], field: str) -> str:
    """A row's parsed value as the preview's input shows it."""
    value = values.get(field)
    if field == "has_lift":
        return "" if value is None else "有" if value else "无"
    if field == "status":
        return value or "active"
    return "" if value is None else str(value)


def posted_fixes(params: Mapping[str, str]) -> dict[int, dict[str, str]]:
    """fix_<row>_<field> = text, by row number (unknown fields and rows are ignored)."""
    out: dict[int, dict[str, str]] = {}
    for key, text in params.items():
        parts = key.split("_", 2)
        row = small_int(parts[1]) if len(parts) == 3 and parts[0] == "fix" else None
        if row is not None and parts[2] in FIXABLE:
            out.setdefault(row, {})[parts[2]] = unicodedata.normalize("NFKC", str(text)).strip()[:200]
    return out


def apply(values: dict[str, Any], notes: list[str], errors: list[str], fixes: Mapping[str, str]) -> None:
    """Each fix that differs from what was parsed replaces it (noted); a fix that cannot be read is an error."""
    hand: dict[str, str] = {}
    for field, text in fixes.items():
        if text == shown(values, field):
            continue
        try:
            value = _read(field, text)
        except ValueError as problem:
            errors.append(msg.IMPORT_FIX_INVALID.format(label=msg.IMPORT_FIELD_LABELS[field], value=text,
                                                        why=problem))
            continue
        hand[field] = reimport.as_text(values.get(field))
        if value is None:  # 楼层/电梯/饮食形态 left blank: the record keeps its own
            values.pop(field, None)
        else:
            values[field] = value
        notes.append(msg.IMPORT_FIXED.format(label=msg.IMPORT_FIELD_LABELS[field], value=text or "（空）"))
    if hand:
        values[HAND_KEY] = hand


def _read(field: str, text: str) -> Any:
    if field == "hukou_city":
        if not 1 <= len(text) <= 20:
            raise ValueError(msg.SENIOR_HUKOU_REQUIRED)
        return remarks.SHANGHAI if text in remarks.SHANGHAI_WORDS else text
    if field == "economic_status":
        return _choice("" if text == "无" else text, ECONOMIC_STATUSES)
    if field == "allergies":
        return allergens.normalise(text)[0][:200]
    if field == "texture":
        return _choice(text, TEXTURES)
    if field in ("floor", "has_lift", "texture") and text == "":
        return None
    if field == "floor":
        number = small_int(text)
        if number is None or not -3 <= number <= 60:
            raise ValueError(msg.SENIOR_FLOOR_INVALID)
        return number
    if field == "has_lift":
        return _choice(text, ("有", "无")) == "有"
    return _choice(text, ("active", "paused"))


def _choice(text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise ValueError(msg.SENIOR_CHOICE_INVALID)
    return text
