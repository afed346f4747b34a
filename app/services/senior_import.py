"""Importing seniors from the civil-affairs office's registers (xlsx or CSV).

The registers are typed by hand: titles merged across the top, two header rows, full-width digits, stray
spaces, dates as text or as Excel serial numbers. Reading normalises all of that; validation then checks every
row, and saving is all-or-nothing: one invalid row and nothing is written, unless the operator explicitly asks
for the valid rows only. Re-importing matches on the ID number and updates, so a corrected file never duplicates.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import messages as msg
from app.models import Canteen, Senior, now
from app.models.people import DISABILITY_LEVELS, ECONOMIC_STATUSES
from app.services import audit
from app.services.errors import InvalidInput
from app.services.identity import birth_from_id, male_from_id, validate_id_number

# field -> (Chinese label, header words that name it on real registers)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓名", "老人姓名", "长者姓名")),
    "id_number": ("身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")),
    "gender": ("性别", ("性别",)),
    "birth_date": ("出生日期", ("出生日期", "出生年月", "出生年月日", "生日")),
    "phone": ("联系电话", ("联系电话", "电话", "手机", "手机号", "联系方式")),
    "hukou": ("户籍", ("户籍", "户籍地", "户口所在地", "户籍所在地")),
    "residence_street": ("街道（镇）", ("街道", "街镇", "所属街道", "街道（镇）")),
    "address": ("居住地址", ("居住地址", "现住址", "家庭住址", "地址", "住址")),
    "economic_status": ("经济状况", ("经济状况", "救助类别", "低保低收入", "困难类别")),
    "economic_source": ("认定来源", ("认定来源", "认定依据", "认定单位")),
    "economic_valid_from": ("认定有效期起", ("有效期起", "认定有效期起", "起始日期", "认定起")),
    "economic_valid_to": ("认定有效期止", ("有效期止", "认定有效期止", "截止日期", "认定止")),
    "care_level": ("照护等级", ("照护等级", "评估等级", "照护需求等级")),
    "disability_level": ("失能等级", ("失能等级", "失能程度")),
    "lives_alone": ("是否独居", ("是否独居", "独居", "独居老人")),
}
REQUIRED = ("name", "id_number", "phone", "hukou", "address")
HEADER_SCAN_ROWS = 10

ECONOMIC_ALIASES = {"无": "", "否": "", "-": "", "低保户": "低保", "低收入户": "低收入", "特困供养": "特困"}
DISABILITY_ALIASES = {"无": "", "否": "", "-": "", "轻度": "轻", "中度": "中", "重度": "重", "完全失能": "完全"}
YES = {"是", "独居", "y", "yes", "1", "√", "✓"}
NO = {"否", "", "n", "no", "0", "非独居"}
PHONE_RE = re.compile(r"^(1\d{10}|(0\d{2,3}-?)?\d{7,8})$")


@dataclass(frozen=True)
class Table:
    """The register as read: column labels and the data rows under them (values normalised to text/dates)."""

    headers: list[str]
    rows: list[list[Any]]
    # The spreadsheet row number of each row (blank rows are dropped), so errors point at what the operator sees.
    row_numbers: list[int]


@dataclass
class RowResult:
    row_no: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    skipped_invalid: int


# ---------------------------------------------------------------- reading


def read_table(data: bytes, filename: str) -> Table:
    """Read an .xlsx or .csv register. Raises InvalidInput({"file": ...}) when it cannot be read at all."""
    suffix = filename.lower().rsplit(".", 1)[-1]
    try:
        grid = _xlsx_grid(data) if suffix in ("xlsx", "xlsm") else _csv_grid(data) if suffix == "csv" else None
    except Exception:  # a broken upload: openpyxl and csv raise many kinds; the operator needs one sentence
        raise InvalidInput({"file": msg.IMPORT_FILE_UNREADABLE}) from None
    if grid is None:
        raise InvalidInput({"file": msg.IMPORT_FILE_KIND})
    return _table_from_grid(grid)


def _xlsx_grid(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    # Merged header cells: every cell of a merged range takes the top-left value, as the eye reads it.
    for rng in ws.merged_cells.ranges:
        top_left = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = top_left
    return grid


def _csv_grid(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("unknown encoding")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _score(row: list[Any]) -> int:
    return sum(1 for cell in row if guess_field(_text(cell)) is not None)


def _table_from_grid(grid: list[list[Any]]) -> Table:
    """The header is the top row naming the most known columns; a second header row under it is merged in."""
    scan = grid[:HEADER_SCAN_ROWS]
    if not scan or max(_score(r) for r in scan) < 2:
        raise InvalidInput({"file": msg.IMPORT_NO_HEADER})
    h = max(range(len(scan)), key=lambda i: (_score(scan[i]), -i))
    headers = [_text(c) for c in grid[h]]
    start = h + 1
    if start < len(grid) and _score(grid[start]) >= 2:  # two-level header: the lower row is more specific
        headers = [_text(lo) or hi for hi, lo in zip(headers, grid[start], strict=False)]
        start += 1
    width = len(headers)
    kept = [(start + 1 + i, (list(r) + [None] * width)[:width]) for i, r in enumerate(grid[start:])
            if any(_text(c) for c in r)]
    return Table(headers, [r for _, r in kept], [n for n, _ in kept])


def _text(value: Any) -> str:
    """NFKC folds full-width digits, letters and spaces; all whitespace goes, registers add it at random."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def guess_field(header: str) -> str | None:
    words = _text(header)
    for key, (_label, aliases) in FIELDS.items():
        if words in aliases:
            return key
    return None


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """field -> column index, for every column whose header is a known name (first match wins)."""
    mapping: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = guess_field(header)
        if key and key not in mapping:
            mapping[key] = i
    return mapping


def mapping_from_names(headers: list[str], pairs: dict[str, str]) -> dict[str, int]:
    """`{"phone": "联系人电话"}` (field -> header text) on top of the guess; for the CLI's --mapping."""
    mapping = guess_mapping(headers)
    folded = [_text(h) for h in headers]
    errors = {}
    for key, header in pairs.items():
        if key not in FIELDS:
            errors[key] = msg.IMPORT_UNKNOWN_FIELD.format(field=key)
        elif _text(header) not in folded:
            errors[key] = msg.IMPORT_NO_SUCH_COLUMN.format(column=header)
        else:
            mapping[key] = folded.index(_text(header))
    if errors:
        raise InvalidInput(errors)
    return mapping


def check_mapping(mapping: dict[str, int], width: int) -> None:
    errors = {f"map_{k}": msg.IMPORT_COLUMN_REQUIRED.format(label=FIELDS[k][0])
              for k in REQUIRED if k not in mapping}
    errors |= {f"map_{k}": msg.IMPORT_NO_SUCH_COLUMN.format(column=i + 1)
               for k, i in mapping.items() if not 0 <= i < width}
    used: dict[int, str] = {}
    for key, i in mapping.items():
        if i in used:
            errors[f"map_{key}"] = msg.IMPORT_COLUMN_TWICE.format(a=FIELDS[used[i]][0], b=FIELDS[key][0])
        used[i] = key
    if errors:
        raise InvalidInput(errors)


# ---------------------------------------------------------------- validation


class ImportRefused(InvalidInput):
    """Some rows are invalid and the operator did not ask for the valid rows only: nothing was saved."""

    def __init__(self, invalid: list[RowResult]) -> None:
        super().__init__({"file": msg.IMPORT_REFUSED.format(count=len(invalid))})
        self.invalid = invalid


Progress = Callable[[int, int], None]


def validate(table: Table, mapping: dict[str, int], *, today: date, canteen: Canteen | None = None,
             progress: Progress | None = None) -> list[RowResult]:
    """Every row checked; each result carries the Senior fields it would write, or its reasons in words."""
    check_mapping(mapping, len(table.headers))
    results = []
    first_seen: dict[str, int] = {}
    for done, (row_no, row) in enumerate(zip(table.row_numbers, table.rows, strict=True), start=1):
        if progress:
            progress(done, len(table.rows))
        result = _validate_row(row_no, {k: row[i] for k, i in mapping.items()}, today, canteen)
        number = result.values.get("id_number")
        if number and number in first_seen:
            result.errors.append(msg.IMPORT_DUPLICATE_ID.format(row=first_seen[number]))
        elif number:
            first_seen[number] = row_no
        results.append(result)
    return results


def _validate_row(row_no: int, raw: dict[str, Any], today: date, canteen: Canteen | None) -> RowResult:
    result = RowResult(row_no)
    for step in (_identity, _contact, _residence, _eligibility):
        for key, outcome in step(raw, today, canteen).items():
            if isinstance(outcome, _Problem):
                result.errors.append(outcome.text)
            else:
                result.values[key] = outcome
    return result


@dataclass(frozen=True)
class _Problem:
    text: str


def _identity(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = _text(raw.get("name"))
    out["name"] = name if re.fullmatch(r"[\u4e00-\u9fffA-Za-z·]{2,20}", name) else _Problem(
        msg.IMPORT_NAME_INVALID if name else msg.IMPORT_REQUIRED.format(label="姓名"))
    number = _text(raw.get("id_number")).upper()
    problem = validate_id_number(number) if number else msg.IMPORT_REQUIRED.format(label="身份证号")
    if problem and isinstance(raw.get("id_number"), int | float):
        problem = msg.IMPORT_ID_AS_NUMBER  # Excel keeps 15 significant digits: the last ones are gone
    if problem:
        return out | {"id_number": _Problem(problem)}
    out["id_number"] = number
    out["birth_date"] = birth_from_id(number)
    out["gender"] = "男" if male_from_id(number) else "女"
    gender = _text(raw.get("gender"))
    if gender and gender != out["gender"]:
        out["gender_check"] = _Problem(msg.IMPORT_GENDER_MISMATCH.format(given=gender, expected=out["gender"]))
    given = _date_or_problem(raw.get("birth_date"), "出生日期")
    if isinstance(given, _Problem) or (given and given != out["birth_date"]):
        out["birth_check"] = given if isinstance(given, _Problem) else _Problem(
            msg.IMPORT_BIRTH_MISMATCH.format(given=f"{given:%Y-%m-%d}", expected=f"{out['birth_date']:%Y-%m-%d}"))
    return out


def _contact(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    phone = re.sub(r"^(\+?86)-?(?=1\d{10}$)", "", _text(raw.get("phone")))
    if not phone:
        return {"phone": _Problem(msg.IMPORT_REQUIRED.format(label="联系电话"))}
    if not PHONE_RE.fullmatch(phone):
        return {"phone": _Problem(msg.IMPORT_PHONE_INVALID.format(value=phone))}
    return {"phone": phone}


def _residence(raw: dict[str, Any], today: date, canteen: Canteen | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    address = _text(raw.get("address"))
    out["address"] = address if len(address) >= 6 else _Problem(
        msg.IMPORT_ADDRESS_INVALID if address else msg.IMPORT_REQUIRED.format(label="居住地址"))
    hukou = _text(raw.get("hukou"))
    if hukou:
        out["hukou_city"], out["hukou_district"] = split_place(hukou)
    else:
        out["hukou_city"] = _Problem(msg.IMPORT_REQUIRED.format(label="户籍"))
    district = split_place(address)[1] if address else ""
    district = district or (canteen.district if canteen else "")
    out["residence_district"] = district or _Problem(msg.IMPORT_DISTRICT_MISSING)
    out["residence_street"] = _text(raw.get("residence_street")) or (canteen.street if canteen else "")
    return out


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
    status = _text(raw.get("economic_status"))
    status = ECONOMIC_ALIASES.get(status, status)
    out["economic_status"] = status if status in ECONOMIC_STATUSES else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="经济状况", value=status, allowed="低保、低收入、特困或空"))
    out["economic_source"] = _text(raw.get("economic_source"))[:80]
    start = out["economic_valid_from"] = _date_or_problem(raw.get("economic_valid_from"), "认定有效期起")
    end = out["economic_valid_to"] = _date_or_problem(raw.get("economic_valid_to"), "认定有效期止")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        out["validity_order"] = _Problem(msg.IMPORT_VALIDITY_ORDER)
    out["care_level"] = _care_level(_text(raw.get("care_level")))
    level = _text(raw.get("disability_level"))
    level = DISABILITY_ALIASES.get(level, level)
    out["disability_level"] = level if level in DISABILITY_LEVELS else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="失能等级", value=level, allowed="轻、中、重、完全或空"))
    alone = _text(raw.get("lives_alone")).lower()
    out["lives_alone"] = alone in YES if alone in YES | NO else _Problem(
        msg.IMPORT_VALUE_INVALID.format(label="是否独居", value=alone, allowed="是或否"))
    return out


def _care_level(text: str) -> int | None | _Problem:
    digits = text.removesuffix("级")
    if not digits or digits == "无":
        return None
    if digits.isdigit() and 0 <= int(digits) <= 6:
        return int(digits)
    return _Problem(msg.IMPORT_VALUE_INVALID.format(label="照护等级", value=text, allowed="0 到 6 级或空"))


def _date_or_problem(value: Any, label: str) -> date | None | _Problem:
    try:
        return parse_date(value)
    except ValueError:
        return _Problem(msg.IMPORT_DATE_INVALID.format(label=label, value=_text(value)))


def parse_date(value: Any) -> date | None:
    """A date as registers write it: a real date, an Excel serial, 1950-1-2, 1950/01/02, 1950.1.2,
    1950年1月2日 or 19500102. Raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text):
        return date(1899, 12, 30) + timedelta(days=int(float(text)))  # Excel's day zero (with its 1900 leap bug)
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


# ---------------------------------------------------------------- saving

SAVED_FIELDS = ("name", "id_number", "gender", "birth_date", "phone", "hukou_city", "hukou_district",
                "residence_district", "residence_street", "address", "economic_status", "economic_source",
                "economic_valid_from", "economic_valid_to", "care_level", "disability_level", "lives_alone")


def import_seniors(session: Session, table: Table, mapping: dict[str, int], *, today: date, user_id: int | None,
                   canteen_id: int | None = None, valid_only: bool = False, filename: str = "",
                   progress: Progress | None = None) -> ImportOutcome:
    """All or nothing: raises ImportRefused (nothing written) when any row is invalid, unless `valid_only`."""
    canteen = session.get(Canteen, canteen_id) if canteen_id else None
    results = validate(table, mapping, today=today, canteen=canteen, progress=progress)
    invalid = [r for r in results if not r.ok]
    if invalid and not valid_only:
        raise ImportRefused(invalid)
    valid = [r for r in results if r.ok]
    numbers = [r.values["id_number"] for r in valid]
    existing = {s.id_number: s for s in session.exec(select(Senior).where(col(Senior.id_number).in_(numbers)))}
    created = updated = unchanged = 0
    for r in valid:
        fields = {k: r.values[k] for k in SAVED_FIELDS}
        senior = existing.get(fields["id_number"])
        if senior is None:
            session.add(Senior(**fields, default_canteen_id=canteen_id))
            created += 1
        elif _update(senior, fields):
            updated += 1
        else:
            unchanged += 1
    outcome = ImportOutcome(created, updated, unchanged, len(invalid))
    audit.record(session, user_id=user_id, action="senior.import", object_type="senior",
                 detail=f"{filename}：新增 {created}，更新 {updated}，跳过无效 {len(invalid)}")
    session.commit()
    return outcome


def _update(senior: Senior, fields: dict[str, Any]) -> bool:
    changed = {k: v for k, v in fields.items() if getattr(senior, k) != v}
    for key, value in changed.items():
        setattr(senior, key, value)
    if changed:
        senior.updated_at = now()
    return bool(changed)
