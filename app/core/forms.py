"""Typed forms on pydantic: each posted form is a `FormModel` whose fields carry their Chinese label
(`title=`); `parse_form` validates every field at once and raises `InvalidInput` with one Chinese message per
field, so a page shows each next to its field and keeps what the user typed.

Form values arrive as strings: the annotated types below (`Text`, `WholeNumber`, `Clock`, `Day`, `Flag`, ...)
read them the way a person types them (full-width digits, 9：30, 2026/1/2, a blank for "none").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from app.core import messages as msg
from app.core.errors import InvalidInput

# A mainland mobile (11 digits) or a landline with an optional area code: what registers and staff forms accept.
PHONE_RE = re.compile(r"^(1\d{10}|(0\d{2,3}-?)?\d{7,8})$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
INT_RE = re.compile(r"-?[0-9]{1,9}")


def clean_text(value: Any) -> str:
    """NFKC folds full-width digits, letters and spaces; all whitespace goes, registers add it at random."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def parse_date(value: Any) -> date | None:
    """A date as registers write it: a real date, an Excel serial, 1950-1-2, 1950/01/02, 1950.1.2,
    1950年1月2日 or 19500102. Raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
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


def small_int(text: str | None) -> int | None:
    """A typed whole number, or None. Not `int(x) if x.isdigit()`: isdigit() accepts "²" (int() then raises)
    and 5,000-digit strings, and a 25-digit id overflows the database driver."""
    text = (text or "").strip()
    return int(text) if INT_RE.fullmatch(text) else None


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        return None if value == "" else value
    return value


def _to_clock(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    m = TIME_RE.match(unicodedata.normalize("NFKC", value).strip())
    if not m:
        raise ValueError("time")
    return time(int(m.group(1)), int(m.group(2)))


def _to_day(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        day = parse_date(value)
    except ValueError:
        raise ValueError("date") from None  # parse_date's error is the text itself, not a sentence to show
    if day is None:
        raise ValueError("date")
    return day


def _to_flag(value: Any) -> bool:
    """A checkbox: present with "1" (or on/true) when ticked, absent when not."""
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "on", "true", "yes"))


def _to_whole(value: Any) -> Any:
    # str.isdigit() accepts "²" and int() takes 5,000 digits: only plain ASCII digits, at most 9 of them.
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not INT_RE.fullmatch(text):
            raise ValueError("int")
        return int(text)
    return value


Text = Annotated[str, BeforeValidator(lambda v: unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v)]
WholeNumber = Annotated[int, BeforeValidator(_to_whole)]
OptionalWholeNumber = Annotated[int | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None else _to_whole(v))]
Number = Annotated[float, BeforeValidator(_blank_to_none)]
OptionalNumber = Annotated[float | None, BeforeValidator(_blank_to_none)]
Clock = Annotated[time, BeforeValidator(_to_clock)]
Day = Annotated[date, BeforeValidator(_to_day)]
OptionalDay = Annotated[date | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None else _to_day(v))]
Flag = Annotated[bool, BeforeValidator(_to_flag)]


def _mobile(value: str) -> str:
    if value and not re.fullmatch(r"1\d{10}", value):
        raise ValueError(msg.PHONE_INVALID)
    return value


def _phone(value: str) -> str:
    if value and not PHONE_RE.fullmatch(value):
        raise ValueError(msg.SENIOR_PHONE_INVALID)
    return value


MobilePhone = Annotated[Text, AfterValidator(_mobile)]  # a mainland mobile: staff, drivers, helpers
Phone = Annotated[Text, AfterValidator(_phone)]  # a mobile or a landline: seniors, canteens

F = TypeVar("F", bound="FormModel")


class FormModel(BaseModel):
    """A posted form. Unknown keys (the CSRF token, buttons) are ignored; a field's `title` is its Chinese label."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def parse_form(model: type[F], data: Mapping[str, object]) -> F:
    """The form as its typed model, or `InvalidInput` naming every wrong field in Chinese. Changes nothing."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(form_errors(model, exc)) from None


def form_errors(model: type[FormModel], exc: ValidationError) -> dict[str, str]:
    """One Chinese message per field (the first problem found), keyed by the field's form name."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "__all__"
        if key not in errors:
            errors[key] = _message(model.model_fields.get(key), error)
    return errors


def _bound(info: FieldInfo | None, name: str) -> Any:
    for meta in info.metadata if info else ():
        value = getattr(meta, name, None)
        if value is not None:
            return value
    return None


def _message(info: FieldInfo | None, error: Any) -> str:
    label = (info.title if info else None) or "这一项"
    kind, ctx = error["type"], error.get("ctx") or {}
    low, high = _bound(info, "ge"), _bound(info, "le")
    if kind == "value_error" and str(ctx.get("error", "")) not in ("int", "time", "date"):
        return str(ctx.get("error"))  # a validator's own Chinese sentence
    if kind in ("missing", "string_too_short") or (kind == "value_error" and error.get("input") in ("", None)):
        return msg.FORM_REQUIRED.format(label=label)
    if kind == "string_too_long":
        return msg.FORM_TOO_LONG.format(label=label, max=ctx.get("max_length"))
    if kind in ("literal_error", "enum"):
        return msg.FORM_CHOICE.format(label=label)
    if str(ctx.get("error", "")) == "time" or kind.startswith("time"):
        return msg.FORM_TIME.format(label=label)
    if str(ctx.get("error", "")) == "date" or kind.startswith("date"):
        return msg.FORM_DATE.format(label=label)
    if kind.startswith("float") or (kind in ("greater_than_equal", "less_than_equal") and isinstance(low, float)):
        return msg.FORM_NUMBER.format(label=label, low=low, high=high)
    if kind.startswith("int") or kind in ("greater_than_equal", "less_than_equal", "value_error"):
        return msg.FORM_INT.format(label=label, low=low, high=high)
    return msg.FORM_INVALID.format(label=label)


class Problems:
    """Checks that need the database (a name already taken, a canteen that does not exist), collected per field
    after the form's own shape is valid, and raised together as one `InvalidInput`."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, ok: bool, key: str, message: str) -> None:
        if not ok and key not in self.errors:
            self.errors[key] = message

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
