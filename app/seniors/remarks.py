"""What registers write in words, read into the record's values: 户籍 as 本市/沪/a district, yes/no as 是/√/空,
残疾等级 as 一级…四级, and the 备注 column's health and housing facts ("对花生过敏", "住6楼无电梯", "已故", "住院中").

Each reading returns the value and, when the text was not already the stored form, a note in words for the
preview ("户籍“沪” → 上海"), so the operator sees every normalisation before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.models import TEXTURES

SHANGHAI = "上海"
SHANGHAI_WORDS = frozenset({"本市", "沪", "上海", "上海市", "本市户籍", "沪籍", "上海户籍"})
# Shanghai's districts as registers write them without the city ("静安区", "浦东新区").
SHANGHAI_DISTRICTS = ("黄浦", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "浦东", "金山",
                      "松江", "青浦", "奉贤", "崇明")
YES = frozenset({"是", "有", "y", "yes", "1", "√", "✓", "✔", "对"})
NO = frozenset({"否", "", "无", "n", "no", "0", "×", "✗", "✘", "-", "—", "/"})
# 残疾等级 一级 and 二级 are 重度残疾 (重残), a special group some schemes name.
SEVERE_GRADES = frozenset({"一级", "二级", "1级", "2级", "1", "2", "一", "二"})
GRADES = SEVERE_GRADES | {"三级", "四级", "3级", "4级", "3", "4", "三", "四"}
FOOTER_WORDS = ("合计", "总计", "小计", "审核人", "制表人", "填报人", "负责人", "填表人")
TEXTURE_WORDS = {"软食": "软食", "软烂": "软食", "碎食": "碎食", "切碎": "碎食", "糊状": "糊状", "流食": "糊状",
                 "流质": "糊状", "吞咽困难": "糊状"}


def hukou_place(text: str, split: tuple[str, str]) -> tuple[str, str, str]:
    """(city, district, note): "沪" -> 上海; "静安区" -> 上海 + 静安; `split` is split_place's reading."""
    city, district = split
    words = text.replace(" ", "")
    if words in SHANGHAI_WORDS:
        return SHANGHAI, "", "" if words == SHANGHAI else f"户籍“{text}” → {SHANGHAI}"
    short = district.removesuffix("新")
    if not city and short in SHANGHAI_DISTRICTS:
        return SHANGHAI, short, f"户籍“{text}” → {SHANGHAI}{short}区"
    if city in ("本市", "沪"):
        return SHANGHAI, district, f"户籍“{text}” → {SHANGHAI}{district}"
    return city, district, ""


def flag(text: str) -> bool | None:
    """是/√/有 -> True, 否/空/× -> False, anything else None (refused with its value named)."""
    word = text.strip().lower()
    return True if word in YES else False if word in NO else None


def is_footer(cells: list[str]) -> bool:
    """A 合计 or 审核人 line under the data, wherever in the row the office typed it."""
    first = next((c for c in cells if c), "")
    return any(first.startswith(w) for w in FOOTER_WORDS) or any(c.startswith(("审核人", "制表人")) for c in cells)


def room_floor(address: str) -> tuple[str, int | None]:
    """"…2号502室" -> ("502", 5): in Shanghai's numbering the hundreds are the floor (1203室 is the 12th)."""
    m = re.search(r"(\d{3,4})\s*室", address)
    if not m:
        return "", None
    return m.group(1), int(m.group(1)[:-2])


@dataclass
class Remarks:
    """What the 备注 column says, each fact with the words it came from."""

    allergies: list[str] = field(default_factory=list)
    texture: str = ""
    floor: int | None = None
    has_lift: bool | None = None
    status: str = ""  # "deceased" (not imported), "paused" (in hospital), "" (as usual)
    notes: list[str] = field(default_factory=list)


def read_remarks(text: str) -> Remarks:
    out = Remarks()
    for part in re.split(r"[，,。；;、\s]+", text.strip()):
        if part:
            _read_part(part, out)
    return out


def _read_part(part: str, out: Remarks) -> None:
    allergy = re.fullmatch(r"(?:对)?(.{1,8}?)(?:过敏|不耐受)|(?:忌口?|不吃|忌食)(.{1,8})", part)
    if allergy:
        food = allergy.group(1) or allergy.group(2)
        out.allergies.append(food)
        out.notes.append(f"备注“{part}” → 过敏/忌口：{food}")
    if m := re.search(r"(\d{1,2})\s*(?:楼|层)", part):
        out.floor = int(m.group(1))
        out.notes.append(f"备注“{part}” → {out.floor} 楼")
    if "无电梯" in part or "没有电梯" in part or "没电梯" in part:
        out.has_lift = False
        out.notes.append(f"备注“{part}” → 无电梯")
    elif "有电梯" in part:
        out.has_lift = True
        out.notes.append(f"备注“{part}” → 有电梯")
    for word, texture in TEXTURE_WORDS.items():
        if word in part and texture in TEXTURES:
            out.texture = texture
            out.notes.append(f"备注“{part}” → 饮食形态：{texture}")
            break
    if "已故" in part or "去世" in part or "死亡" in part:
        out.status = "deceased"
    elif "住院" in part:
        out.status = "paused"
        out.notes.append(f"备注“{part}” → 暂停送餐（住院）")


def allergy_list(text: str) -> list[str]:
    """The 过敏/忌口 column: "海鲜、花生米" -> ["海鲜", "花生米"]; "无" -> []."""
    words = [w.strip() for w in re.split(r"[，,、；;/\s]+", text) if w.strip()]
    return [re.sub(r"^对|过敏$", "", w) for w in words if w not in ("无", "否", "没有", "-")]
