"""The district's building register, imported from Excel/CSV: 小区, 楼号, road address and coordinates in the
datum the file was made in (AMap's GCJ-02 by default; stored as WGS-84). All or nothing: one bad row and no
building is written, and the operator is told the row and the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.forms import clean_text
from app.models import Building
from app.seniors import address, remarks
from app.seniors.location import PointForm, bd09_to_gcj02, gcj02_to_wgs84, read_point
from app.seniors.register import Fields, Table, guess_mapping, read_table

Datum = Literal["gcj02", "wgs84", "bd09"]
DATUMS: dict[str, str] = {"gcj02": "高德/腾讯地图（GCJ-02）", "wgs84": "GPS（WGS-84）", "bd09": "百度地图（BD-09）"}
BUILDING_FIELDS: Fields = {
    "compound": ("小区", ("小区", "小区名称", "小区名", "住宅小区", "居住小区")),
    "aliases": ("小区别名", ("别名", "小区别名", "又名", "俗称")),
    "road": ("道路门牌", ("道路门牌", "门牌地址", "地址", "路弄", "道路", "所在道路", "门牌")),
    "number": ("楼号", ("楼号", "号", "幢号", "栋号", "楼栋号", "门牌号")),
    "lat": ("纬度", ("纬度", "lat", "latitude")),
    "lng": ("经度", ("经度", "lng", "lon", "longitude")),
    "floors": ("楼层数", ("楼层数", "层数", "总层数", "楼层")),
    "lift": ("电梯", ("电梯", "有无电梯", "是否有电梯")),
}
BUILDING_REQUIRED = ("compound", "number", "lat", "lng")
NUMBER_RE = re.compile(r"(\d{1,5}[A-Za-z]?)(?:号楼|号|栋|幢|座)?")


@dataclass(frozen=True)
class BuildingOutcome:
    created: int
    updated: int


class BuildingFileRefused(InvalidInput):
    """Some rows are wrong: nothing was saved. `problems` lists each row's reason in words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__({"file": msg.BUILDING_FILE_REFUSED.format(count=len(problems))})
        self.problems = problems


def read_buildings(data: bytes, filename: str, *, district: str, datum: str) -> list[Building]:
    """The file's buildings (not yet saved), or InvalidInput / BuildingFileRefused saying what is wrong."""
    errors = {}
    if datum not in DATUMS:
        errors["datum"] = msg.BUILDING_DATUM_INVALID
    if not 2 <= len(clean_text(district)) <= 20:
        errors["district"] = msg.BUILDING_DISTRICT_INVALID
    if errors:
        raise InvalidInput(errors)
    table = _table(data, filename)
    mapping = guess_mapping(table.headers, BUILDING_FIELDS)
    missing = [BUILDING_FIELDS[k][0] for k in BUILDING_REQUIRED if k not in mapping]
    if missing:
        raise InvalidInput({"file": msg.BUILDING_COLUMN_REQUIRED.format(label="”“".join(missing))})
    return _rows(table, mapping, clean_text(district).removesuffix("区"), datum)


def _table(data: bytes, filename: str) -> Table:
    try:
        return read_table(data, filename, BUILDING_FIELDS)
    except InvalidInput as e:
        if e.errors.get("file") == msg.IMPORT_NO_HEADER:
            raise InvalidInput({"file": msg.BUILDING_NO_HEADER}) from None
        raise


def _rows(table: Table, mapping: dict[str, int], district: str, datum: str) -> list[Building]:
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    out = []
    for row_no, row in zip(table.row_numbers, table.rows, strict=True):
        cells = {k: row[i] for k, i in mapping.items()}
        building = _building(row_no, cells, district, datum, problems)
        if building is None:
            continue
        key = (building.compound, building.number)
        if key in seen:
            problems.append(msg.BUILDING_ROW_TWICE.format(row=row_no, compound=key[0], number=key[1],
                                                          first=seen[key]))
        seen.setdefault(key, row_no)
        out.append(building)
    if problems:
        raise BuildingFileRefused(problems)
    return out


def _building(row_no: int, cells: dict[str, Any], district: str, datum: str, problems: list[str]
              ) -> Building | None:
    before = len(problems)
    compound = address.plain(clean_text(cells.get("compound")))[:60]
    if not compound:
        problems.append(msg.BUILDING_ROW_COMPOUND.format(row=row_no))
    number_text = address.plain(clean_text(cells.get("number")))
    number = NUMBER_RE.fullmatch(number_text)
    if not number:
        problems.append(msg.BUILDING_ROW_NUMBER.format(row=row_no, value=number_text))
    point = _point(row_no, clean_text(cells.get("lat")), clean_text(cells.get("lng")), datum, problems)
    floors = _floors(row_no, clean_text(cells.get("floors")), problems)
    lift_text = clean_text(cells.get("lift"))
    lift = remarks.flag(lift_text) if lift_text else None
    if lift_text and lift is None:
        problems.append(msg.BUILDING_ROW_LIFT.format(row=row_no, value=lift_text))
    if len(problems) > before or number is None or point is None:
        return None
    road = address.plain(clean_text(cells.get("road")))[:60]
    return Building(district=district, compound=compound, aliases=clean_text(cells.get("aliases"))[:200],
                    road=road, number=number.group(1), road_key=address.road_key(road, number.group(1)),
                    lat=point[0], lng=point[1], floors=floors, has_lift=lift)


def _point(row_no: int, lat_text: str, lng_text: str, datum: str, problems: list[str]) -> tuple[float, float] | None:
    try:
        lat, lng = float(lat_text), float(lng_text)
    except ValueError:
        problems.append(msg.BUILDING_ROW_COORD.format(row=row_no, lat=lat_text, lng=lng_text))
        return None
    if 73 <= lat <= 136 and 3 <= lng <= 54:
        problems.append(msg.BUILDING_ROW_SWAPPED.format(row=row_no, lat=lat_text, lng=lng_text))
        return None
    if not (3 <= lat <= 54 and 73 <= lng <= 136):
        problems.append(msg.BUILDING_ROW_OUTSIDE.format(row=row_no, lat=lat_text, lng=lng_text))
        return None
    if datum == "bd09":
        lat, lng = bd09_to_gcj02(lat, lng)
    if datum != "wgs84":
        lat, lng = gcj02_to_wgs84(lat, lng)
    return round(lat, 6), round(lng, 6)


def _floors(row_no: int, text: str, problems: list[str]) -> int | None:
    if not text:
        return None
    digits = text.removesuffix("层")
    if re.fullmatch(r"\d{1,2}", digits) and 1 <= int(digits) <= 60:
        return int(digits)
    problems.append(msg.BUILDING_ROW_FLOORS.format(row=row_no, value=text))
    return None


def import_buildings(session: Session, data: bytes, filename: str, *, district: str, datum: str,
                     user_id: int | None) -> BuildingOutcome:
    """Read every row first (nothing is written on any problem), then add new buildings and update known ones
    (same district, compound and number), in one commit."""
    rows = read_buildings(data, filename, district=district, datum=datum)
    district = rows[0].district if rows else ""
    known = {(b.compound, b.number): b for b in session.exec(select(Building).where(Building.district == district))}
    created = updated = 0
    for row in rows:
        old = known.get((row.compound, row.number))
        if old is None:
            session.add(row)
            created += 1
            continue
        for key in ("aliases", "road", "road_key", "lat", "lng", "floors", "has_lift"):
            setattr(old, key, getattr(row, key))
        session.add(old)
        updated += 1
    audit.record(session, user_id=user_id, action="building.import", object_type="building",
                 detail=f"{filename}（{DATUMS[datum]}）：{district}区 新增 {created}，更新 {updated}")
    session.commit()
    return BuildingOutcome(created, updated)


def list_buildings(session: Session, limit: int = 200) -> list[Building]:
    return list(session.exec(select(Building).order_by(col(Building.district), col(Building.compound),
                                                       func.length(Building.number), col(Building.number))
                             .limit(limit)).all())


def count_buildings(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Building)).one()


# ---------------------------------------------------------------- one building by hand (issue 14: "edit it")

BUILDING_FORM_FIELDS = ("district", "compound", "aliases", "road", "number", "point", "datum", "floors", "lift")


def save_building(session: Session, data: dict[str, str], *, user_id: int | None) -> Building:
    """Add a building the register lacks, or correct one (same district, compound and number): the point is
    pasted coordinates or an AMap / Baidu link, read as the senior record's point is. Bad input changes nothing."""
    form = {k: clean_text(data.get(k, "")) for k in BUILDING_FORM_FIELDS}
    errors: dict[str, str] = {}
    problems: list[str] = []
    district = form["district"].removesuffix("区")
    if not 2 <= len(district) <= 20:
        errors["district"] = msg.BUILDING_DISTRICT_INVALID
    compound = address.plain(form["compound"])[:60]
    if not compound:
        errors["compound"] = msg.BUILDING_COMPOUND_REQUIRED
    number = NUMBER_RE.fullmatch(address.plain(form["number"]))
    if not number:
        errors["number"] = msg.BUILDING_NUMBER_INVALID
    point = _hand_point(form, errors)
    floors = _floors(0, form["floors"], problems)
    if problems:
        errors["floors"] = msg.BUILDING_FLOORS_INVALID
    lift = remarks.flag(form["lift"]) if form["lift"] else None
    if errors or number is None or point is None:
        raise InvalidInput(errors)
    return _upsert(session, Building(district=district, compound=compound, aliases=form["aliases"][:200],
                                     road=address.plain(form["road"])[:60], number=number.group(1),
                                     road_key=address.road_key(address.plain(form["road"]), number.group(1)),
                                     lat=point[0], lng=point[1], floors=floors, has_lift=lift), user_id)


def _hand_point(form: dict[str, str], errors: dict[str, str]) -> tuple[float, float] | None:
    try:
        lat, lng = read_point(PointForm.model_validate({"point": form["point"], "datum": form["datum"] or "gcj02"}))
    except (ValueError, ValidationError) as e:
        errors["point"] = str(e) if isinstance(e, ValueError) and not isinstance(e, ValidationError) \
            else msg.POINT_UNREADABLE
        return None
    return round(lat, 6), round(lng, 6)


def _upsert(session: Session, row: Building, user_id: int | None) -> Building:
    old = session.exec(select(Building).where(Building.district == row.district, Building.compound == row.compound,
                                              Building.number == row.number)).first()
    if old is not None:
        for key in ("aliases", "road", "road_key", "lat", "lng", "floors", "has_lift"):
            setattr(old, key, getattr(row, key))
        row = old
    session.add(row)
    session.flush()
    audit.record(session, user_id=user_id, action="building.save", object_type="building", object_id=row.id,
                 detail=f"{row.district}区 {row.compound} {row.number} 号" + ("（更正）" if old else "（新增）"))
    session.commit()
    return row
