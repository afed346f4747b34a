"""Reading the registers the civil-affairs office hands out (xlsx or CSV) into a plain table.

They are typed by hand: titles merged across the top, two header rows, full-width digits, stray spaces, dates as
text or as Excel serial numbers. Reading normalises all of that; app.seniors.importer validates and saves.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.forms import clean_text
from app.seniors.remarks import is_footer

# field -> (Chinese label, header words that name it on real registers)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓名", "老人姓名", "长者姓名")),
    "id_number": ("身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")),
    "gender": ("性别", ("性别",)),
    "birth_date": ("出生日期", ("出生日期", "出生年月", "出生年月日", "生日")),
    "phone": ("联系电话", ("联系电话", "电话", "手机", "手机号", "联系方式")),
    "hukou": ("户籍", ("户籍", "户籍地", "户口所在地", "户籍所在地", "户口", "户籍性质")),
    "residence_street": ("街道（镇）", ("街道", "街镇", "所属街道", "街道（镇）")),
    "address": ("居住地址", ("居住地址", "现住址", "家庭住址", "地址", "住址")),
    "economic_status": ("经济状况", ("经济状况", "救助类别", "低保低收入", "困难类别")),
    "dibao": ("是否低保", ("低保", "低保户", "是否低保", "是否低保户", "低保对象")),
    "economic_source": ("认定来源", ("认定来源", "认定依据", "认定单位")),
    "economic_valid_from": ("认定有效期起", ("有效期起", "认定有效期起", "起始日期", "认定起")),
    "economic_valid_to": ("认定有效期止", ("有效期止", "认定有效期止", "截止日期", "认定止")),
    "care_level": ("照护等级", ("照护等级", "评估等级", "照护需求等级")),
    "disability_level": ("失能等级", ("失能等级", "失能程度")),
    "lives_alone": ("是否独居", ("是否独居", "独居", "独居老人")),
    "disability_grade": ("残疾等级", ("残疾等级", "残疾级别", "残疾证等级")),
    "allergies": ("过敏/忌口", ("过敏", "忌口", "过敏/忌口", "过敏忌口", "食物过敏", "过敏史")),
    "remarks": ("备注", ("备注", "说明", "情况说明", "备注说明")),
    "contact_name": ("紧急联系人", ("紧急联系人", "联系人", "联系人姓名", "监护人", "监护人姓名")),
    "contact_relation": ("与老人关系", ("与老人关系", "关系", "联系人关系", "与长者关系")),
    "contact_phone": ("紧急联系人电话", ("紧急联系人电话", "联系人电话", "监护人电话", "紧急联系电话")),
}
REQUIRED = ("name", "id_number", "phone", "hukou", "address")
HEADER_SCAN_ROWS = 10
# Limits against a file built to exhaust the server (security review #13, finding 6): a street's register is a few
# thousand rows of a few dozen columns; an .xlsx is a zip whose sheets may unpack to far more than they weigh.
MAX_CELLS = 200_000
MAX_UNPACKED_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    """The register as read: column labels and the data rows under them (values normalised to text/dates)."""

    headers: list[str]
    rows: list[list[Any]]
    # The spreadsheet row number of each row (blank rows are dropped), so errors point at what the operator sees.
    row_numbers: list[int]


Fields = dict[str, tuple[str, tuple[str, ...]]]


def read_table(data: bytes, filename: str, fields: Fields | None = None) -> Table:
    """Read an .xlsx or .csv register (or another table whose headers `fields` knows, such as the building
    register). Raises InvalidInput({"file": ...}) when it cannot be read at all."""
    suffix = filename.lower().rsplit(".", 1)[-1]
    try:
        grid = _xlsx_grid(data) if suffix in ("xlsx", "xlsm") else _csv_grid(data) if suffix == "csv" else None
    except TooLarge:
        raise InvalidInput({"file": msg.IMPORT_FILE_TOO_LARGE.format(cells=MAX_CELLS)}) from None
    except Exception:  # a broken upload: openpyxl and csv raise many kinds; the operator needs one sentence
        raise InvalidInput({"file": msg.IMPORT_FILE_UNREADABLE}) from None
    if grid is None:
        raise InvalidInput({"file": msg.IMPORT_FILE_KIND})
    return _table_from_grid(grid, fields or FIELDS)


class TooLarge(Exception):
    """The register exceeds MAX_CELLS or MAX_UNPACKED_BYTES."""


def _xlsx_grid(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise TooLarge
    ws = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    if ws.max_row * ws.max_column > MAX_CELLS:
        raise TooLarge
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    # Merged header cells: every cell of a merged range takes the top-left value, as the eye reads it (clipped
    # to the cells that exist, so a range declared over a million rows costs nothing).
    for rng in ws.merged_cells.ranges:
        if rng.min_row > len(grid) or rng.min_col > len(grid[rng.min_row - 1]):
            continue
        top_left = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
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
    grid, cells = [], 0
    for row in csv.reader(io.StringIO(text)):
        cells += max(len(row), 1)
        if cells > MAX_CELLS:
            raise TooLarge
        grid.append(list(row))
    return grid


def _score(row: list[Any], fields: Fields) -> int:
    return sum(1 for cell in row if guess_field(clean_text(cell), fields) is not None)


def _table_from_grid(grid: list[list[Any]], fields: Fields) -> Table:
    """The header is the top row naming the most known columns; a second header row under it is merged in."""
    scan = grid[:HEADER_SCAN_ROWS]
    if not scan or max(_score(r, fields) for r in scan) < 2:
        raise InvalidInput({"file": msg.IMPORT_NO_HEADER})
    h = max(range(len(scan)), key=lambda i: (_score(scan[i], fields), -i))
    headers = [clean_text(c) for c in grid[h]]
    start = h + 1
    if start < len(grid) and _score(grid[start], fields) >= 2:  # two-level header: the lower row is more specific
        headers = [clean_text(lo) or hi for hi, lo in zip(headers, grid[start], strict=False)]
        start += 1
    width = len(headers)
    kept = [(start + 1 + i, (list(r) + [None] * width)[:width]) for i, r in enumerate(grid[start:])
            if any(clean_text(c) for c in r) and not is_footer([clean_text(c) for c in r])]
    return Table(headers, [r for _, r in kept], [n for n, _ in kept])


# The table as read is kept between preview and import as JSON, so the file is parsed once, at upload.
def table_to_json(table: Table) -> str:
    def cell(v: Any) -> Any:
        if isinstance(v, datetime):
            return {"dt": v.isoformat()}
        if isinstance(v, date):
            return {"d": v.isoformat()}
        return v if v is None or isinstance(v, int | float | str | bool) else str(v)
    return json.dumps({"headers": table.headers, "rows": [[cell(c) for c in r] for r in table.rows],
                       "row_numbers": table.row_numbers}, ensure_ascii=False)


def table_from_json(text: str) -> Table:
    def cell(v: Any) -> Any:
        if isinstance(v, dict):
            return datetime.fromisoformat(v["dt"]) if "dt" in v else date.fromisoformat(v["d"])
        return v
    data = json.loads(text)
    return Table(data["headers"], [[cell(c) for c in r] for r in data["rows"]], data["row_numbers"])


def guess_field(header: str, fields: Fields | None = None) -> str | None:
    words = clean_text(header)
    for key, (_label, aliases) in (fields or FIELDS).items():
        if words in aliases:
            return key
    return None


def guess_mapping(headers: list[str], fields: Fields | None = None) -> dict[str, int]:
    """field -> column index, for every column whose header is a known name (first match wins)."""
    mapping: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = guess_field(header, fields)
        if key and key not in mapping:
            mapping[key] = i
    return mapping


def mapping_from_names(headers: list[str], pairs: dict[str, str]) -> dict[str, int]:
    """`{"phone": "联系人电话"}` (field -> header text) on top of the guess; for the CLI's --mapping."""
    mapping = guess_mapping(headers)
    folded = [clean_text(h) for h in headers]
    errors = {}
    for key, header in pairs.items():
        if key not in FIELDS:
            errors[key] = msg.IMPORT_UNKNOWN_FIELD.format(field=key)
        elif clean_text(header) not in folded:
            errors[key] = msg.IMPORT_NO_SUCH_COLUMN.format(column=header)
        else:
            mapping[key] = folded.index(clean_text(header))
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


