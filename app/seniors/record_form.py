"""The senior record's edit form, typed (app.core.forms): every field read the way an operator types it and
checked at once, each problem in Chinese next to its field; nothing partial is saved. Residence (居住地) is
kept apart from 户籍: subsidy schemes read both (app.pricing.facts.EligibilityFacts)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from app.core import allergens
from app.core import messages as msg
from app.core.forms import PHONE_RE, FormModel, Text, parse_date, small_int
from app.models import FULFILMENTS, TEXTURES, split_tags
from app.models.people import DISABILITY_LEVELS, ECONOMIC_STATUSES


def _one_of(allowed: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(msg.SENIOR_CHOICE_INVALID)
        return value
    return AfterValidator(check)


def _whole(low: int, high: int, message: str, *, blank: bool = False) -> BeforeValidator:
    def read(value: Any) -> int | None:
        text = unicodedata.normalize("NFKC", value if isinstance(value, str) else str(value)).strip()
        if blank and text == "":
            return None
        number = small_int(text)
        if number is None or not low <= number <= high:
            raise ValueError(message)
        return number
    return BeforeValidator(read)


def _day(value: Any) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(msg.SENIOR_DATE_INVALID) from None


def _phone(value: str) -> str:
    if not PHONE_RE.fullmatch(value):
        raise ValueError(msg.SENIOR_PHONE_INVALID)
    return value


def _address(value: str) -> str:
    if len(value) < 6:
        raise ValueError(msg.SENIOR_ADDRESS_INVALID)
    return value


def _tags(limit: int) -> AfterValidator:
    return AfterValidator(lambda v: ",".join(split_tags(v))[:limit])


def _required(message: str) -> AfterValidator:
    def check(value: str) -> str:
        if not value:
            raise ValueError(message)
        return value
    return AfterValidator(check)


Checkbox = Annotated[bool, BeforeValidator(lambda v: isinstance(v, str) and v.strip() == "1")]
SeniorDay = Annotated[date | None, BeforeValidator(_day)]


class SeniorForm(FormModel):
    phone: Annotated[Text, AfterValidator(_phone)] = Field(default="", title="联系电话")
    address: Annotated[Text, AfterValidator(_address)] = Field(default="", title="居住地址", max_length=200)
    floor: Annotated[int, _whole(-3, 60, msg.SENIOR_FLOOR_INVALID)] = Field(default=1, title="楼层")
    has_lift: Checkbox = False
    texture: Annotated[Text, _one_of(TEXTURES)] = Field(default="普通", title="食物质地")
    allergies: Annotated[Text, AfterValidator(lambda v: allergens.normalise(v)[0][:200])] = ""
    diet_restrictions: Annotated[Text, _tags(200)] = ""
    preferred_fulfilment: Annotated[Text, _one_of(FULFILMENTS)] = Field(default="dine_in", title="常用方式")
    default_canteen_id: Annotated[int | None, _whole(1, 10**9, msg.CANTEEN_NOT_FOUND, blank=True)] = None
    driver_notes: Annotated[Text, AfterValidator(lambda v: v[:300])] = ""
    hukou_city: Annotated[Text, AfterValidator(lambda v: v[:20]), _required(msg.SENIOR_HUKOU_REQUIRED)] = ""
    hukou_district: Annotated[Text, AfterValidator(lambda v: v[:20])] = ""
    residence_city: Annotated[Text, AfterValidator(lambda v: v[:20]), _required(msg.SENIOR_RESIDENCE_REQUIRED)] = \
        "上海"
    residence_district: Annotated[Text, AfterValidator(lambda v: v.removesuffix("区")[:20]),
                                  _required(msg.SENIOR_RESIDENCE_DISTRICT_REQUIRED)] = ""
    residence_street: Annotated[Text, AfterValidator(lambda v: v[:40])] = ""
    economic_status: Annotated[Text, _one_of(ECONOMIC_STATUSES)] = ""
    economic_source: Annotated[Text, AfterValidator(lambda v: v[:80])] = ""
    economic_valid_from: SeniorDay = None
    economic_valid_to: SeniorDay = None
    care_level: Annotated[int | None, _whole(0, 6, msg.SENIOR_CARE_INVALID, blank=True)] = None
    disability_level: Annotated[Text, _one_of(DISABILITY_LEVELS)] = ""
    lives_alone: Checkbox = False
    all_elderly_household: Checkbox = False
    special_groups: Annotated[Text, _tags(100)] = ""

    @field_validator("economic_valid_to")
    @classmethod
    def _validity(cls, end: date | None, info: ValidationInfo) -> date | None:
        """Said next to the end date: an order of dates, or a 低保 without its end (it lapses, DOMAIN.md)."""
        start = info.data.get("economic_valid_from")
        if start and end and end < start:
            raise ValueError(msg.IMPORT_VALIDITY_ORDER)
        if info.data.get("economic_status") and not end:
            raise ValueError(msg.SENIOR_VALIDITY_REQUIRED)
        return end
