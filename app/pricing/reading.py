"""Readers for scheme JSON: each checks one value and raises a Chinese `ValueError` naming its path."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Obj:
    """A JSON object read at `path`; it remembers what was read, so mistyped fields are refused."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise error(path, "应为对象（{...}）")
        self.value, self.path = value, path
        self.seen: set[str] = set()

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, default: Any = None) -> Any:
        self.seen.add(name)
        return self.value.get(name, default)

    def need(self, name: str) -> Any:
        self.seen.add(name)
        if self.value.get(name) in (None, ""):
            raise error(self.at(name), "必须填写")
        return self.value[name]

    def done(self) -> None:
        unknown = sorted(set(self.value) - self.seen)
        if unknown:
            raise error(self.at(unknown[0]), "未知字段（请检查拼写）")


def error(path: str, problem: str) -> ValueError:
    return ValueError(f"{path or '方案'}：{problem}")


def read_key(obj: Obj, name: str) -> str:
    value = obj.need(name)
    if not isinstance(value, str) or not _KEY.match(value):
        raise error(obj.at(name), f"应为小写英文字母、数字、- 或 _ 组成的标识（最长64位），实际为 {value!r}")
    return value


def read_text(obj: Obj, name: str) -> str:
    value = obj.need(name)
    if not isinstance(value, str) or not value.strip():
        raise error(obj.at(name), "应为非空文字")
    return value.strip()


def read_int(obj: Obj, name: str, *, minimum: int = 0, required: bool = False) -> Any:
    value = obj.need(name) if required else obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise error(obj.at(name), f"应为不小于 {minimum} 的整数，实际为 {value!r}")
    return value


def read_fen(obj: Obj, name: str, *, required: bool = False) -> Any:
    value = obj.need(name) if required else obj.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise error(obj.at(name), f"金额以分为单位，应为非负整数（3元写作 300），实际为 {value!r}")
    return value


def read_percent(obj: Obj, name: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(100)) -> Decimal:
    value = obj.need(name)
    if isinstance(value, float | bool) or not isinstance(value, int | str):
        raise error(obj.at(name), f'百分比请写成整数或带引号的小数（如 25 或 "87.5"），实际为 {value!r}')
    try:
        percent = Decimal(str(value).strip())
    except InvalidOperation:
        raise error(obj.at(name), f"不是有效的数字：{value!r}") from None
    if not percent.is_finite() or not low < percent <= high:
        raise error(obj.at(name), f"应大于 {low} 且不超过 {high}，实际为 {value}")
    return percent


def read_bool(obj: Obj, name: str) -> bool | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, bool):
        raise error(obj.at(name), f"应为 true 或 false，实际为 {value!r}")
    return value


def read_date(obj: Obj, name: str, *, required: bool = False) -> Any:
    value = obj.need(name) if required else obj.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise error(obj.at(name), f"日期格式应为 YYYY-MM-DD，实际为 {value!r}") from None


def read_choices(obj: Obj, name: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> frozenset[str]:
    """A list of allowed words; a single string is accepted as a one-item list."""
    value = obj.get(name, list(default))
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise error(obj.at(name), f"应为非空列表，可选值：{'、'.join(allowed) if allowed else '文字'}")
    bad = [i for i in items if allowed and i not in allowed]
    if bad:
        raise error(obj.at(name), f"不认识 {bad[0]!r}，可选值：{'、'.join(a or '（空）' for a in allowed)}")
    return frozenset(items)
