"""Importing next month's register over this month's: what each senior's record will gain, change or keep.

An operator's correction on the record is remembered with the register's value it replaced (Senior.hand_fields);
the next import keeps the correction while the register still says that old value, and takes the register's
value (and forgets the correction) once the register itself has changed. A blank cell never clears what the
record holds for an eligibility date or source (the office often leaves those out of the monthly file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.core import messages as msg
from app.models import Senior

KEEP_WHEN_BLANK = ("economic_source", "economic_valid_from", "economic_valid_to")


def as_text(value: object) -> str:
    """One text form for comparing a register's value with the record's ("" for none, "1"/"" for yes/no)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return value.isoformat() if isinstance(value, date) else str(value)


def hand_fields(senior: Senior) -> dict[str, str]:
    try:
        found = json.loads(senior.hand_fields or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def remember_hand(senior: Senior, changed: dict[str, tuple[Any, Any]]) -> None:
    """An operator changed these fields on the record: remember the value each replaced (the register's, when it
    came from an import), unless an earlier correction already did."""
    hand = hand_fields(senior)
    for key, (old, _new) in changed.items():
        if key in FIELD_LABELS:
            hand.setdefault(key, as_text(old))
    senior.hand_fields = json.dumps(hand, ensure_ascii=False)[:4000]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    kept: bool  # corrected by hand and the register still says what it said: the record keeps its value
    overridden: bool  # corrected by hand, but the register's value changed since: the register's value wins


@dataclass(frozen=True)
class Plan:
    writes: dict[str, Any]
    changes: list[FieldChange]
    hand: dict[str, str]


def plan(senior: Senior, fields: dict[str, Any]) -> Plan:
    """What importing `fields` over `senior` writes, field by field, and the hand corrections that remain."""
    hand = hand_fields(senior)
    writes: dict[str, Any] = {}
    changes = []
    for key, value in fields.items():
        old = getattr(senior, key)
        if key in KEEP_WHEN_BLANK and value is None and old is not None:
            continue
        if key in hand:
            if as_text(value) == hand[key]:
                if as_text(old) != as_text(value):
                    changes.append(FieldChange(key, FIELD_LABELS[key], as_text(old), as_text(value), True, False))
                continue
            del hand[key]
            if as_text(old) != as_text(value):
                changes.append(FieldChange(key, FIELD_LABELS[key], as_text(old), as_text(value), False, True))
                writes[key] = value
            continue
        if as_text(old) != as_text(value):
            writes[key] = value
            changes.append(FieldChange(key, FIELD_LABELS.get(key, key), as_text(old), as_text(value), False, False))
    return Plan(writes, changes, hand)


@dataclass(frozen=True)
class SeniorDiff:
    row_no: int
    name: str
    senior_id: int | None
    changes: list[FieldChange]


def elsewhere(senior: Senior, fields: dict[str, Any], canteen_id: int | None) -> str:
    """Why this row's ID number may be the same person already on another street's register (a duplicate across
    files: the operator confirms it is one senior moving, not two people sharing a mistyped number), or ""."""
    street = fields.get("residence_street") or ""
    if street and senior.residence_street and street != senior.residence_street:
        return msg.IMPORT_ELSEWHERE.format(name=senior.name, place=senior.residence_street)
    if canteen_id and senior.default_canteen_id and canteen_id != senior.default_canteen_id:
        return msg.IMPORT_ELSEWHERE_CANTEEN.format(name=senior.name)
    return ""


@dataclass(frozen=True)
class ImportDiff:
    new: list[SeniorDiff]
    changed: list[SeniorDiff]
    kept: list[SeniorDiff]  # only hand corrections differ from the register, and they stay
    unchanged: int
    gone: list[tuple[int, str]]  # (senior id, name): served seniors of the file's streets the file no longer lists
    elsewhere: list[tuple[int, str, str]]  # (row number, name, why): the ID is already another register's senior


def diff(session: Session, rows: list[tuple[int, dict[str, Any]]], canteen_id: int | None) -> ImportDiff:
    """`rows`: (row number, fields to save) of each valid row. Nothing is written."""
    numbers = [f["id_number"] for _, f in rows]
    existing = {s.id_number: s for s in session.exec(select(Senior).where(col(Senior.id_number).in_(numbers)))}
    new, changed, kept, unchanged = [], [], [], 0
    found_elsewhere = []
    for row_no, fields in rows:
        senior = existing.get(fields["id_number"])
        if senior is None:
            new.append(SeniorDiff(row_no, fields["name"], None, []))
            continue
        if why := elsewhere(senior, fields, canteen_id):
            found_elsewhere.append((row_no, fields["name"], why))
        changes = plan(senior, fields).changes
        if any(not c.kept for c in changes):
            changed.append(SeniorDiff(row_no, fields["name"], senior.id, changes))
        elif changes:
            kept.append(SeniorDiff(row_no, fields["name"], senior.id, changes))
        else:
            unchanged += 1
    return ImportDiff(new, changed, kept, unchanged, _gone(session, rows, canteen_id, set(numbers)),
                      found_elsewhere)


def _gone(session: Session, rows: list[tuple[int, dict[str, Any]]], canteen_id: int | None,
          listed: set[str]) -> list[tuple[int, str]]:
    """Seniors still served in the streets (or the canteen) this file covers whom it no longer lists: the import
    never removes them, the operator checks (已故? 迁出?)."""
    streets = {f.get("residence_street") for _, f in rows if f.get("residence_street")}
    if not streets and canteen_id is None:
        return []
    query = select(Senior).where(col(Senior.status).in_(("active", "paused")))
    query = query.where(col(Senior.residence_street).in_(streets) if streets else
                        Senior.default_canteen_id == canteen_id)
    return [(s.id or 0, s.name) for s in session.exec(query.order_by(col(Senior.name))) if s.id_number not in listed]


FIELD_LABELS = msg.IMPORT_FIELD_LABELS
