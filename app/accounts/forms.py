"""The accounts area's typed forms (app.core.forms): sign-in, own password, inviting staff."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from app.core.forms import FormModel, MobilePhone, Text


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


class InviteForm(FormModel):
    """Name and phone of an invitee; the roles come as one checkbox and one canteen per role (`grants_from_form`)."""

    name: Text = Field("", title="姓名", max_length=40)
    phone: MobilePhone = Field("", title="手机号", max_length=20)
