"""The accounts area's typed forms (app.core.forms): sign-in, one's own password, inviting someone."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from app.core import messages as msg
from app.core.forms import FormModel, Text


def _no_spaces(value: object) -> object:
    # 8800 0001 as printed on the card is the same card
    return "".join(value.split()) if isinstance(value, str) else value


CardNumber = Annotated[Text, BeforeValidator(_no_spaces)]


class SignIn(FormModel):
    next: str = Field("/", max_length=500)


class SeniorSignIn(SignIn):
    card_no: CardNumber = Field("", title="助餐卡号", max_length=40)
    pin: Text = Field("", title="卡密码", max_length=20)


class StaffSignIn(SignIn):
    phone: Text = Field("", title="手机号", max_length=20)
    password: str = Field("", title="密码", max_length=200)


class PasswordChange(FormModel):
    old_password: str = Field("", title="原密码", max_length=200)
    password: str = Field("", title="新密码", max_length=200)
    password2: str = Field("", title="再输一次新密码", max_length=200)



def _required(message: str, longest: int, too_long: str) -> AfterValidator:
    def check(value: str) -> str:
        if not value:
            raise ValueError(message)
        if len(value) > longest:
            raise ValueError(too_long)
        return value
    return AfterValidator(check)


def _mobile(value: str) -> str:
    if not re.fullmatch(r"1[0-9]{10}", value):
        raise ValueError(msg.PHONE_INVALID)
    return value


class InviteForm(FormModel):
    """Who is invited; the roles come as one checkbox and one canteen per role (`service.grants_from_form`)."""

    name: Annotated[Text, _required(msg.NAME_REQUIRED, 40, msg.NAME_TOO_LONG)] = Field("", title="姓名")
    phone: Annotated[Text, _required(msg.PHONE_REQUIRED, 20, msg.PHONE_INVALID), AfterValidator(_mobile)] = Field(
        "", title="手机号")
