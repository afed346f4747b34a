"""The accounts area's typed forms (app.core.forms): sign-in and one's own password."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

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

