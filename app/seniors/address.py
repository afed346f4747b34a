"""Shanghai addresses as registers write them, folded to one form so a senior's address finds its building.

"上海市静安区江宁路街道江宁路１０００弄５幢502室", "静安区江宁路1000弄5号楼" and "江宁路一千弄五号" differ only in
how they are typed: full-width digits, 栋/幢/座/号楼 for 号, the city, district, street (街道/镇) and 居委 before
the road, Chinese numerals, and the unit and room after the building. What is kept is the road, the lane (弄) and
the building (号), or a compound's name and its building number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=[弄号栋幢座楼支单])")
PREFIX_RES = (
    re.compile(r"^(?:中国)?上海市?"),
    re.compile(r"^(?:黄浦|徐汇|长宁|静安|普陀|虹口|杨浦|闵行|宝山|嘉定|浦东新|浦东|金山|松江|青浦|奉贤|崇明)(?:新区|区)"),
    re.compile(r"^\D{2,8}?(?:街道|镇)(?=\D)"),
    re.compile(r"^\D{2,10}?(?:居委会|居委|居民委员会)"),
)
BUILDING_RE = re.compile(r"(\d+)(?:号楼|号|栋|幢|座)")  # never a bare 楼: "5楼" is a floor
LANE_RE = re.compile(r"(\d+)(?:弄|支弄)")


@dataclass(frozen=True)
class AddressKey:
    """`text` is the folded address up to the building; `road_key` "江宁路1000弄5号" when a road is named, else "";
    `number` the building's 号 ("5"), "" when the address names none."""

    text: str
    road_key: str
    number: str


def chinese_number(word: str) -> int:
    """"五" -> 5, "十二" -> 12, "一千" -> 1000, "一零零零" -> 1000 (digits read one by one)."""
    if not any(c in UNITS for c in word):
        return int("".join(str(DIGITS[c]) for c in word))
    total, digit = 0, 0
    for c in word:
        if c in UNITS:
            total += (digit or 1) * UNITS[c]
            digit = 0
        else:
            digit = DIGITS[c]
    return total + digit


def plain(text: str) -> str:
    """Full-width to half-width, no spaces, Chinese numerals before 弄/号/栋 as digits."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).replace("—", "-")
    return NUMERAL_RE.sub(lambda m: str(chinese_number(m.group(0))), text)


def fold(text: str) -> str:
    """Full-width to half-width, no spaces, Chinese numerals before 弄/号/栋 as digits, the place before the road
    removed, and everything from the unit (单元) or room (室) on dropped."""
    text = plain(text)
    for pattern in PREFIX_RES:
        text = pattern.sub("", text, count=1)
    text = re.sub(r"(\d+号)-?\d{3,4}(室)?$", r"\1", text)  # "5号-502", "5号502室"
    text = re.sub(r"(\d+)-\d{3,4}(室)?$", r"\1号", text)  # "1000弄5-502": building 5, room 502
    return re.split(r"\d+单元|\d+室|\d{3,4}$", text)[0]


def address_key(text: str) -> AddressKey:
    folded = fold(text)
    found = list(BUILDING_RE.finditer(folded))  # the last 号 is the building's ("100弄5号"; "8号楼" too)
    if not found:
        return AddressKey(folded, "", "")
    building = found[-1]
    head = folded[:building.start()]
    number = building.group(1)
    road = re.match(r"^(\D+?(?:路|街|道|巷|大道|公路))(\d+(?:弄|支弄))?", head)
    road_key = f"{road.group(1)}{road.group(2) or ''}{number}号" if road and \
        (road.end() == len(head)) else ""
    return AddressKey(folded[:building.end()], road_key, number)


def road_key(road: str, number: str) -> str:
    """The building register's own road + number in the same form: ("江宁路１０００弄", "5") -> "江宁路1000弄5号"."""
    if not road:
        return ""
    return address_key(f"{road}{fold(number).removesuffix('号')}号").road_key


def compound_names(compound: str, aliases: str) -> list[str]:
    """A compound's name and aliases, folded, longest first (so "静安新村二村" is tried before "静安新村")."""
    names = [plain(n) for n in [compound, *re.split(r"[，,、；;/]", aliases)] if plain(n)]
    return sorted(dict.fromkeys(names), key=len, reverse=True)


def number_after(name: str, key: AddressKey) -> str | None:
    """The building number right after a compound's name in the folded address ("静安新村5号" -> "5")."""
    at = key.text.find(name)
    if at < 0:
        return None
    m = re.match(r"(?:\d+弄)?(\d+)(?:号|栋|幢|座)", key.text[at + len(name):])
    return m.group(1) if m else ""
