"""Importing seniors from the civil-affairs office's registers (read by app.seniors.register).

Validation checks every row, and saving is all-or-nothing: one invalid row and nothing is written, unless the
operator explicitly asks for the valid rows only. Re-importing matches on the ID number and updates, so a corrected file never duplicates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.core import allergens, audit
from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.forms import PHONE_RE, clean_text, parse_date
from app.models import Canteen, EmergencyContact, Senior, now
from app.models.people import DISABILITY_LEVELS, ECONOMIC_STATUSES
from app.seniors import preview_fixes, reimport, remarks
from app.seniors.identity import birth_from_id, male_from_id, validate_id_number
from app.seniors.register import (
    FIELDS,
    MAX_CELLS,
    REQUIRED,
    Table,
    check_mapping,
    guess_field,
    guess_mapping,
    mapping_from_names,
    read_table,
    table_from_json,
    table_to_json,
)
from app.seniors.service import ELIGIBILITY

# The reading half lives in app.seniors.register; callers use this module for both.
__all__ = ["FIELDS", "MAX_CELLS", "REQUIRED", "ImportOutcome", "ImportRefused", "InvalidInput", "PHONE_RE", "RowResult", "WarningsUnconfirmed",
           "Table", "check_mapping", "guess_field", "guess_mapping", "import_seniors", "mapping_from_names",
           "parse_date", "read_table", "saved_fields", "split_place", "table_from_json", "table_to_json", "validate"]

ECONOMIC_ALIASES = {"无": "", "否": "", "-": "", "低保户": "低保", "低收入户": "低收入", "特困供养": "特困"}
DISABILITY_ALIASES = {"无": "", "否": "", "-": "", "轻度": "轻", "中度": "中", "重度": "重", "完全失能": "完全"}


@dataclass
class RowResult:
    row_no: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # every normalisation, in words, for the preview
    warnings: list[str] = field(default_factory=list)  # imported only when the operator confirms
    skipped: str = ""  # why a valid row is not imported (已故)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    skipped_invalid: int
    skipped_deceased: int = 0


# ---------------------------------------------------------------- validation


class WarningsUnconfirmed(InvalidInput):
    """Rows carry warnings (under 60) the operator has not confirmed: nothing was saved."""

    def __init__(self, count: int) -> None:
        super().__init__({"confirm_warnings": msg.IMPORT_CONFIRM_WARNINGS.format(count=count)})


class ImportRefused(InvalidInput):
    """Some rows are invalid and the operator did not ask for the valid rows only: nothing was saved."""

    def __init__(self, invalid: list[RowResult]) -> None:
        super().__init__({"file": msg.IMPORT_REFUSED.format(count=len(invalid))})
        self.invalid = invalid


Progress = Callable[[int, int], None]


def validate(table: Table, mapping: dict[str, int], *, today: date, canteen: Canteen | None = None,
             progress: Progress | None = None, fixes: dict[int, dict[str, str]] | None = None) -> list[RowResult]:
    """Every row checked; each result carries the Senior fields it would write, or its reasons in words."""
    check_mapping(mapping, len(table.headers))
    results = []
    first_seen: dict[str, int] = {}
    for done, (row_no, row) in enumerate(zip(table.row_numbers, table.rows, strict=True), start=1):
        if progress:
            progress(done, len(table.rows))
        result = _validate_row(row_no, {k: row[i] for k, i in mapping.items()}, today, canteen)
        if fixes and row_no in fixes:
            preview_fixes.apply(result.values, result.notes, result.errors, fixes[row_no])
        number = result.values.get("id_number")
        if number and number in first_seen:
            result.errors.append(msg.IMPORT_DUPLICATE_ID.format(row=first_seen[number]))
        elif number:
            first_seen[number] = row_no
        results.append(result)
    return results


def _validate_row(row_no: int, raw: dict[str, Any], today: date, canteen: Canteen | None) -> RowResult:
    result = RowResult(row_no)
    for step in (_identity, _contact, _residence, _eligibility, _health):
        for key, outcome in step(raw, today, canteen).items():
            if isinstance(outcome, _Problem):
                result.errors.append(outcome.text)
            elif isinstance(outcome, _Note):
                result.notes.append(outcome.text)
            else:
                result.values[key] = outcome
    _warn(result, today)
    return result


def _warn(result: RowResult, today: date) -> None:
    born = result.values.get("birth_date")
    if isinstance(born, date) and age_on(born, today) < 60:
        result.warnings.append(msg.IMPORT_UNDER_60.format(age=age_on(born, today)))
    if result.values.pop("deceased", False):
        result.skipped = msg.IMPORT_DECEASED


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class _Problem:
    text: str


@dataclass(frozen=True)
class _Note:
    text: str


def _identity(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = clean_text(raw.get("name"))
    out["name"] = name if re.fullmatch(r"[\u4e00-\u9fffA-Za-z·]{2,20}", name) else _Problem(
        msg.IMPORT_NAME_INVALID if name else msg.IMPORT_REQUIRED.format(label="姓名"))
    number = clean_text(raw.get("id_number")).upper()
    problem = validate_id_number(number) if number else msg.IMPORT_REQUIRED.format(label="身份证号")
    if problem and isinstance(raw.get("id_number"), int | float):
        problem = msg.IMPORT_ID_AS_NUMBER  # Excel keeps 15 significant digits: the last ones are gone
    if problem:
        return out | {"id_number": _Problem(problem)}
    out["id_number"] = number
    out["birth_date"] = birth_from_id(number)
    out["gender"] = "男" if male_from_id(number) else "女"
    gender = clean_text(raw.get("gender"))
    if gender and gender != out["gender"]:
        out["gender_check"] = _Problem(msg.IMPORT_GENDER_MISMATCH.format(given=gender, expected=out["gender"]))
    given = _date_or_problem(raw.get("birth_date"), "出生日期")
    if isinstance(given, _Problem) or (given and given != out["birth_date"]):
        out["birth_check"] = given if isinstance(given, _Problem) else _Problem(
            msg.IMPORT_BIRTH_MISMATCH.format(given=f"{given:%Y-%m-%d}", expected=f"{out['birth_date']:%Y-%m-%d}"))
    return out


def _contact(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    phone = re.sub(r"^(\+?86)-?(?=1\d{10}$)", "", clean_text(raw.get("phone")))
    if not phone:
        return {"phone": _Problem(msg.IMPORT_REQUIRED.format(label="联系电话"))}
    if not PHONE_RE.fullmatch(phone):
        return {"phone": _Problem(msg.IMPORT_PHONE_INVALID.format(value=phone))}
    return {"phone": phone, "contact": _emergency_contact(raw)}


def _emergency_contact(raw: dict[str, Any]) -> tuple[str, str, str] | None | _Problem:
    """The first emergency contact, if the register names one: a no-answer at the door rings them first."""
    name, relation = clean_text(raw.get("contact_name")), clean_text(raw.get("contact_relation"))
    phone = re.sub(r"^(\+?86)-?(?=1\d{10}$)", "", clean_text(raw.get("contact_phone")))
    if not name and not phone:
        return None
    if len(name) > 40:
        return _Problem(_too_long("紧急联系人", name, 40))
    if len(relation) > 20:
        return _Problem(_too_long("与老人关系", relation, 20))
    if not name or not PHONE_RE.fullmatch(phone):
        return _Problem(msg.IMPORT_CONTACT_INVALID.format(name=name or "（无姓名）", phone=phone or "（无电话）"))
    return name, relation or "家属", phone


def _residence(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    address = clean_text(raw.get("address"))
    out["address"] = address if 6 <= len(address) <= 200 else _Problem(
        _too_long("居住地址", address, 200) if len(address) > 200 else
        msg.IMPORT_ADDRESS_INVALID if address else msg.IMPORT_REQUIRED.format(label="居住地址"))
    hukou = clean_text(raw.get("hukou"))
    if len(hukou) > 40:
        out["hukou_city"] = _Problem(_too_long("户籍", hukou, 40))
    elif hukou:
        out["hukou_city"], out["hukou_district"], note = remarks.hukou_place(hukou, split_place(hukou))
        out["hukou_city"] = out["hukou_city"] or _Problem(msg.IMPORT_HUKOU_CITY.format(value=hukou))
        if note:
            out["hukou_note"] = _Note(note)
    else:
        out["hukou_city"] = _Problem(msg.IMPORT_REQUIRED.format(label="户籍"))
    city, district = split_place(address) if address else ("", "")
    district = district or (canteen.district if canteen else "")
    out["residence_district"] = district or _Problem(msg.IMPORT_DISTRICT_MISSING)
    out["residence_city"] = city or remarks.SHANGHAI
    out["room"], floor = remarks.room_floor(address)
    if floor is not None:
        out["floor"] = floor
    street = clean_text(raw.get("residence_street")) or (canteen.street if canteen else "")
    out["residence_street"] = street if len(street) <= 40 else _Problem(_too_long("街道（镇）", street, 40))
    return out


def _too_long(label: str, text: str, limit: int) -> str:
    """Refused, not cut: a cut address sends the driver to the wrong door (review #13, finding 8)."""
    return msg.IMPORT_TOO_LONG.format(label=label, length=len(text), limit=limit)


def split_place(text: str) -> tuple[str, str]:
    """"上海市普陀区…" -> ("上海", "普陀"); "江苏省苏州市" -> ("苏州", ""); "上海" -> ("上海", "")."""
    text = re.sub(r"^.{2,8}?(省|自治区)", "", text)
    m = re.match(r"^(.{2,8}?)市(?:(.{1,8}?)[区县])?", text)
    if m:
        return m.group(1), m.group(2) or ""
    m = re.match(r"^(.{2,8}?)[区县]", text)
    return ("", m.group(1)) if m else (text[:20], "")


def _eligibility(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    status = clean_text(raw.get("economic_status"))
    status = ECONOMIC_ALIASES.get(status, status)
    dibao_text = clean_text(raw.get("dibao"))
    dibao = remarks.flag(dibao_text)
    if dibao is None:
        out["dibao"] = _Problem(msg.IMPORT_VALUE_INVALID.format(label="是否低保", value=dibao_text, allowed="是或否"))
    elif dibao and not status:
        status = "低保"
        out["dibao_note"] = _Note(f"是否低保“{dibao_text}” → 经济状况：低保")
    out["economic_status"] = status if status in ECONOMIC_STATUSES else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="经济状况", value=status, allowed="低保、低收入、特困或空"))
    source = clean_text(raw.get("economic_source"))
    out["economic_source"] = source if len(source) <= 80 else _Problem(_too_long("认定来源", source, 80))
    start = out["economic_valid_from"] = _date_or_problem(raw.get("economic_valid_from"), "认定有效期起")
    end = out["economic_valid_to"] = _date_or_problem(raw.get("economic_valid_to"), "认定有效期止")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        out["validity_order"] = _Problem(msg.IMPORT_VALIDITY_ORDER)
    out["care_level"] = _care_level(clean_text(raw.get("care_level")))
    level = clean_text(raw.get("disability_level"))
    level = DISABILITY_ALIASES.get(level, level)
    out["disability_level"] = level if level in DISABILITY_LEVELS else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="失能等级", value=level, allowed="轻、中、重、完全或空"))
    alone_text = clean_text(raw.get("lives_alone"))
    alone = remarks.flag(alone_text.removeprefix("非").replace("独居", "是")) if alone_text != "非独居" else False
    out["lives_alone"] = alone if alone is not None else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="是否独居", value=alone_text, allowed="是或否"))
    grade = clean_text(raw.get("disability_grade")).removeprefix("残疾")
    if grade and grade not in remarks.GRADES | remarks.NO:
        out["special_groups"] = _Problem(msg.IMPORT_VALUE_INVALID.format(label="残疾等级", value=grade,
                                                                          allowed="一级到四级或空"))
    elif grade in remarks.SEVERE_GRADES:
        out["special_groups"] = "重残"
        out["grade_note"] = _Note(f"残疾等级“{grade}” → 特殊群体：重残")
    return out


def _health(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    """The 过敏/忌口 column and what the 备注 column says about food, the stairs and the senior's status."""
    out: dict[str, Any] = {}
    said = remarks.read_remarks(clean_text(raw.get("remarks")))
    allergies = remarks.allergy_list(clean_text(raw.get("allergies"))) + said.allergies
    if allergies:
        text, notes = allergens.normalise(",".join(dict.fromkeys(allergies)))
        out["allergies"] = text if len(text) <= 200 else _Problem(_too_long("过敏/忌口", text, 200))
        for i, note in enumerate(notes):
            out[f"allergen_note_{i}"] = _Note(f"过敏原{note}")
    if said.texture:
        out["texture"] = said.texture
    if said.floor is not None:
        out["floor"] = said.floor
    if said.has_lift is not None:
        out["has_lift"] = said.has_lift
    if said.status == "paused":
        out["status"] = "paused"
    out["deceased"] = said.status == "deceased"
    for i, note in enumerate(said.notes):
        out[f"remark_note_{i}"] = _Note(note)
    return out


def _care_level(text: str) -> int | None | _Problem:
    digits = text.removesuffix("级")
    if not digits or digits == "无":
        return None
    if re.fullmatch(r"[0-6]", digits):
        return int(digits)
    return _Problem(msg.IMPORT_VALUE_INVALID.format(label="照护等级", value=text, allowed="0 到 6 级或空"))


def _date_or_problem(value: Any, label: str) -> date | None | _Problem:
    try:
        return parse_date(value)
    except ValueError:
        return _Problem(msg.IMPORT_DATE_INVALID.format(label=label, value=clean_text(value)))


# ---------------------------------------------------------------- saving

SAVED_FIELDS = ("name", "id_number", "gender", "birth_date", "phone", "hukou_city", "hukou_district",
                "residence_district", "residence_street", "address", "economic_status", "economic_source",
                "economic_valid_from", "economic_valid_to", "care_level", "disability_level", "lives_alone")


# Read from the address, 过敏/忌口 and 备注 only when the register says something; otherwise the record keeps its own.
OPTIONAL_FIELDS = ("residence_city", "room", "floor", "has_lift", "allergies", "texture", "special_groups", "status")


@dataclass(frozen=True)
class _Checked:
    invalid: list[RowResult]
    deceased: list[RowResult]
    valid: list[RowResult]
    existing: dict[str, Senior]


def _checked(session: Session, table: Table, mapping: dict[str, int], *, today: date, canteen_id: int | None,
             valid_only: bool, confirmed: bool, progress: Progress | None,
             fixes: dict[int, dict[str, str]] | None) -> _Checked:
    canteen = session.get(Canteen, canteen_id) if canteen_id else None
    results = validate(table, mapping, today=today, canteen=canteen, progress=progress, fixes=fixes)
    invalid = [r for r in results if not r.ok]
    if invalid and not valid_only:
        raise ImportRefused(invalid)
    deceased = [r for r in results if r.ok and r.skipped]
    valid = [r for r in results if r.ok and not r.skipped]
    numbers = [r.values["id_number"] for r in valid]
    existing = {s.id_number: s for s in session.exec(select(Senior).where(col(Senior.id_number).in_(numbers)))}
    warned = [r for r in valid if r.warnings or (r.values["id_number"] in existing and reimport.elsewhere(
        existing[r.values["id_number"]], saved_fields(r), canteen_id))]
    if warned and not confirmed:
        raise WarningsUnconfirmed(len(warned))
    return _Checked(invalid, deceased, valid, existing)


def check_import(session: Session, table: Table, mapping: dict[str, int], *, today: date,
                 canteen_id: int | None = None, valid_only: bool = False, confirmed: bool = False,
                 fixes: dict[int, dict[str, str]] | None = None) -> None:
    """What `import_seniors` would refuse, refused now and nothing written: a large register is queued as a
    background job only once it would go through, so the operator hears "confirm the warnings" on the preview
    page, not minutes later from a failed job. The job checks again (the register may have changed meanwhile)."""
    _checked(session, table, mapping, today=today, canteen_id=canteen_id, valid_only=valid_only,
             confirmed=confirmed, progress=None, fixes=fixes)
    session.rollback()


def import_seniors(session: Session, table: Table, mapping: dict[str, int], *, today: date, user_id: int | None,
                   canteen_id: int | None = None, valid_only: bool = False, confirmed: bool = False,
                   filename: str = "", progress: Progress | None = None,
                   fixes: dict[int, dict[str, str]] | None = None) -> ImportOutcome:
    """All or nothing: raises ImportRefused (nothing written) when any row is invalid, unless `valid_only`."""
    checked = _checked(session, table, mapping, today=today, canteen_id=canteen_id, valid_only=valid_only,
                       confirmed=confirmed, progress=progress, fixes=fixes)
    invalid, deceased, valid, existing = checked.invalid, checked.deceased, checked.valid, checked.existing
    created = updated = unchanged = 0
    saved: list[tuple[Senior, tuple[str, str, str] | None]] = []
    for r in valid:
        fields = saved_fields(r)
        senior = existing.get(fields["id_number"])
        if senior is None:
            senior = Senior(**fields, default_canteen_id=canteen_id,
                            hand_fields=json.dumps(r.values.get(preview_fixes.HAND_KEY, {}), ensure_ascii=False))
            session.add(senior)
            created += 1
        elif _update(session, senior, fields, user_id, r.values.get(preview_fixes.HAND_KEY, {})) | _contact_changed(session, senior, r.values.get("contact")):
            updated += 1
        else:
            unchanged += 1
        saved.append((senior, r.values.get("contact")))
    session.flush()  # new seniors get their ids, then their contacts
    for senior, contact in saved:
        _save_contact(session, senior, contact)
    outcome = ImportOutcome(created, updated, unchanged, len(invalid), len(deceased))
    audit.record(session, user_id=user_id, action="senior.import", object_type="senior",
                 detail=f"{filename}：新增 {created}，更新 {updated}，跳过无效 {len(invalid)}")
    session.commit()
    return outcome


def _primary_contact(session: Session, senior: Senior) -> EmergencyContact | None:
    if senior.id is None:
        return None
    return session.exec(select(EmergencyContact).where(EmergencyContact.senior_id == senior.id)
                        .order_by(col(EmergencyContact.priority), col(EmergencyContact.id))).first()


def _contact_changed(session: Session, senior: Senior, contact: tuple[str, str, str] | None) -> bool:
    if contact is None:
        return False
    row = _primary_contact(session, senior)
    return row is None or (row.name, row.relation, row.phone) != contact


def _save_contact(session: Session, senior: Senior, contact: tuple[str, str, str] | None) -> None:
    """The register's contact becomes (or updates) the first one; contacts added by hand stay."""
    if contact is None:
        return
    row = _primary_contact(session, senior) or EmergencyContact(senior_id=senior.id or 0, name="", relation="",
                                                                 phone="", priority=1)
    row.name, row.relation, row.phone = contact
    session.add(row)


def saved_fields(r: RowResult) -> dict[str, Any]:
    """The record's fields a valid row writes (the optional ones only when the register says something)."""
    return {k: r.values[k] for k in SAVED_FIELDS} | {k: r.values[k] for k in OPTIONAL_FIELDS if k in r.values}


def _update(session: Session, senior: Senior, fields: dict[str, Any], user_id: int | None,
            fixed: dict[str, str]) -> bool:
    """The register's values, except where an operator's correction stands (app.seniors.reimport); each
    senior's changes are audited with old and new values."""
    planned = reimport.plan(senior, fields)
    for key, value in planned.writes.items():
        setattr(senior, key, value)
    senior.hand_fields = json.dumps(planned.hand | fixed, ensure_ascii=False)
    if planned.writes:
        senior.updated_at = now()
        audit.record(session, user_id=user_id, action="senior.import_update", object_type="senior",
                     object_id=senior.id, detail="；".join(  # values only for eligibility, as on the form
                         f"{c.label}: {c.old} → {c.new}" if c.field in ELIGIBILITY else c.label
                         for c in planned.changes if not c.kept))
    return bool(planned.writes)
