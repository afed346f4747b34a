"""Planning's definitions, written down once (no session, no framework). Where the policy texts are vague the
choice is marked *assumption*."""

from __future__ import annotations

import re
from datetime import date, timedelta

SUPPLY_TARGET_PERCENT = 10  # 助餐供给能力不低于65岁以上户籍老年人口的10%
SUPPLY_AGE = 65
EVIDENCE_WARN_DAYS = 30  # *assumption*: evidence ending within 30 days goes on the 政策找人 list
HARDSHIP_DISABILITY = ("中", "重", "完全")  # *assumption*: 失能 means moderate or worse
HARDSHIP_CARE_LEVEL = 4  # *assumption*: 照护等级 4–6 counts as 失能
HARDSHIP_ECONOMIC = ("低保", "特困")
OUTREACH_AGE = 60  # the default scheme's discount starts at 60

_HOUSE_NO = re.compile(r"\d+(号楼|号|幢|栋)$")


def compound_of(building: str, address: str) -> str:
    """The 小区 a senior lives in: the building field without its house number (彭浦新村12号 → 彭浦新村)."""
    text = (building or "").strip()
    name = _HOUSE_NO.sub("", text).strip()
    return name or text or "（未填小区）"


def age_on(birth: date, day: date) -> int:
    """Age in full years (周岁) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def hardship_reasons(*, lives_alone: bool, all_elderly: bool, disability_level: str, care_level: int | None,
                     economic_status: str) -> list[str]:
    """Why a senior counts as 特殊困难 for 探访关爱 (empty: not on the visit list)."""
    reasons = []
    if lives_alone:
        reasons.append("独居")
    elif all_elderly:
        reasons.append("纯老")
    if disability_level in HARDSHIP_DISABILITY or (care_level or 0) >= HARDSHIP_CARE_LEVEL:
        reasons.append("失能")
    if economic_status in HARDSHIP_ECONOMIC:
        reasons.append(economic_status)
    return reasons


def evidence_problem(status: str, source: str, valid_from: date | None, valid_to: date | None,
                     today: date) -> str:
    """For a senior whose register says 低保 / 低收入 / 特困: what is wrong with the evidence ("" if nothing)."""
    if not status:
        return ""
    if not source or valid_from is None or valid_to is None:
        return "无有效证明"
    if valid_to < today or valid_from > today:
        return "证明已过期" if valid_to < today else "证明未生效"
    if valid_to <= today + timedelta(days=EVIDENCE_WARN_DAYS):
        return "证明即将到期"
    return ""


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday around `day` (周探访)."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt - timedelta(days=1)


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    return start, month_of(start.replace(month=first_month + 2))[1]


def target_meals(seniors_65: int) -> int:
    """10 % of the 65+ hukou seniors, rounded up to whole meals."""
    return -(-seniors_65 * SUPPLY_TARGET_PERCENT // 100)
