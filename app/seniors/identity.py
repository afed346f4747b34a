"""Resident ID numbers (GB 11643): checksum, birth date and sex encoded in them."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# ASCII digits only: str.isdigit() also accepts other scripts' digits (Ethiopic ፩, Arabic-Indic ٣), which int()
# then refuses or reads as something else.
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def make_id_number(region: str, birth: date, sequence: int, male: bool) -> str:
    """Build a checksum-valid number; the sequence's last digit is odd for men and even for women."""
    seq = sequence % 1000
    if (seq % 2 == 1) != male:
        seq = (seq + 1) % 1000
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def validate_id_number(id_number: str) -> str | None:
    """Returns a Chinese problem description, or None when the number is well-formed."""
    n = id_number.strip().upper()
    if not _SHAPE.fullmatch(n):
        return "身份证号应为 18 位（最后一位可以是 X）"
    try:
        birth_from_id(n)
    except ValueError:
        return "身份证号中的出生日期不存在"
    if check_digit(n[:17]) != n[17]:
        return "身份证号校验位不对，请核对是否抄错"
    return None


def birth_from_id(id_number: str) -> date:
    s = id_number[6:14]
    return date(int(s[:4]), int(s[4:6]), int(s[6:8]))


def male_from_id(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 1
