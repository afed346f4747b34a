"""The weekly menu editor's posted forms, typed (app.core.forms): each wrong field gets its Chinese message.

Prices and limits stay text here: the planner parses them with the rules it shares with the catalogue (元 with
at most two decimals, a blank limit for 不限), so one message says what is wrong either way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.core.forms import Day, FormModel, Text


class WeekForm(FormModel):
    """Every editor form carries the canteen and the week it was shown for, to come back to the same week."""

    canteen: Text = Field(default="", max_length=12, title="食堂")
    week: Text = Field(default="", max_length=12, title="周")


class AddItemForm(WeekForm):
    day: Day = Field(title="日期")
    slot: Literal["breakfast", "lunch", "dinner"] = Field(title="餐次")
    ref: Text = Field(default="", max_length=40, title="加一道")
    limit: Text = Field(default="", max_length=12, title="限量")


class UpdateItemForm(WeekForm):
    price: Text = Field(default="", max_length=12, title="价格（元）")
    limit: Text = Field(default="", max_length=12, title="限量")


class MoveItemForm(WeekForm):
    direction: Literal["up", "down"] = Field(title="移动方向")


class WeekActionForm(WeekForm):
    action: Literal["copy", "save_template", "apply_template", "publish"] = Field(default="publish", title="操作")
    template: Text = Field(default="", max_length=12, title="模板")
    template_name: Text = Field(default="", max_length=80, title="模板名称")
    weeks: Text = Field(default="4", max_length=4, title="共几周")
    week_no: Text = Field(default="1", max_length=4, title="本周是第几周")


class DishForm(FormModel):
    """A catalogue dish; the ticked textures arrive as a list beside it. Names and prices are checked further by
    the catalogue (a name already taken, 元 with two decimals)."""

    name: Text = Field(default="", max_length=40, title="菜名")
    category: Text = Field(default="", max_length=8, title="类别")
    price: Text = Field(default="", max_length=12, title="价格（元）")
    small_price: Text = Field(default="", max_length=12, title="小份价格（元）")
    diet_tags: Text = Field(default="", max_length=100, title="膳食标签")
    allergens: Text = Field(default="", max_length=100, title="过敏原")
    active: Literal["0", "1"] = Field(default="1", title="供应状态")


class SetMealForm(FormModel):
    """A 套餐; the ticked dishes arrive as a list beside it."""

    name: Text = Field(default="", max_length=40, title="套餐名称")
    price: Text = Field(default="", max_length=12, title="价格（元）")
    low_cost: Literal["", "1"] = Field(default="", title="低价惠民套餐")
    active: Literal["0", "1"] = Field(default="1", title="供应状态")
