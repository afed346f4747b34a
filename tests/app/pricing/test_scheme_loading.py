"""Schemes are validated on load: the admin form shows these messages next to the scheme text."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.pricing import (
    BUILTIN_SCHEME_KEYS,
    builtin_scheme,
    builtin_scheme_data,
    load_scheme,
    load_scheme_json,
)


def putuo() -> dict[str, Any]:
    return copy.deepcopy(builtin_scheme_data("shanghai-putuo"))


@pytest.mark.parametrize("key", BUILTIN_SCHEME_KEYS)
def test_every_shipped_scheme_loads(key):
    scheme = builtin_scheme(key)

    assert (scheme.key, scheme.version) == (key, 1)


def test_scheme_loads_from_json_text():
    text = json.dumps(putuo(), ensure_ascii=False)

    assert load_scheme_json(text) == builtin_scheme("shanghai-putuo")


def test_broken_json_names_line_and_column():
    with pytest.raises(ValueError, match=r"^JSON 格式错误：第 2 行第 1 列附近"):
        load_scheme_json('{"key": "x",\n}')


def mutated(change) -> dict[str, Any]:
    data = putuo()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("name"), "name：必须填写"),
        (
            lambda d: d.update(key="普陀"),
            "key：应为小写英文字母、数字、- 或 _ 组成的标识（最长64位），实际为 '普陀'",
        ),
        (lambda d: d.update(version=0), "version：应为不小于 1 的整数，实际为 0"),
        (
            lambda d: d.update(effective_from="2026/01/01"),
            "effective_from：日期格式应为 YYYY-MM-DD，实际为 '2026/01/01'",
        ),
        (lambda d: d.update(effective_to="2025-12-31"), "effective_to：结束日期不能早于生效日期"),
        (lambda d: d.update(colour="red"), "colour：未知字段（请检查拼写）"),
        (lambda d: d["area"].update(street="x"), "area.street：未知字段（请检查拼写）"),
        (
            lambda d: d["funders"].append({"key": "operator", "name": "重复"}),
            "funders[2].key：标识 'operator' 重复",
        ),
        (
            lambda d: d["funders"][0].update(local_level="street"),
            "funders[0].local_level：应为 city、district、town 之一或不填，实际为 'street'",
        ),
        (lambda d: d["discount"].update(funder="bank"), "discount.funder：出资方 'bank' 未在 funders 中定义"),
        (
            lambda d: d["discount"].update(channels=["takeaway"]),
            "discount.channels：不认识 'takeaway'，可选值：dine_in、pickup、delivery",
        ),
        (
            lambda d: d["discount"]["tiers"][0].update(pay_percent=85.5),
            'discount.tiers[0].pay_percent：百分比请写成整数或带引号的小数（如 25 或 "87.5"），实际为 85.5',
        ),
        (
            lambda d: d["discount"]["tiers"][0].update(pay_percent=120),
            "discount.tiers[0].pay_percent：应大于 0 且不超过 100，实际为 120",
        ),
        (
            lambda d: d["discount"]["tiers"][1]["when"].update(max_age=50),
            "discount.tiers[1].when.max_age：最高年龄 50 小于最低年龄 60",
        ),
        (
            lambda d: d["subsidy"]["categories"][0]["when"].update(economic_status=["贫困"]),
            "subsidy.categories[0].when.economic_status：不认识 '贫困'，可选值：低保、低收入、特困",
        ),
        (
            lambda d: d["subsidy"]["categories"][1].update(min_spend_fen=15.0),
            "subsidy.categories[1].min_spend_fen：金额以分为单位，应为非负整数（3元写作 300），实际为 15.0",
        ),
        (
            lambda d: d["subsidy"]["categories"][2]["benefit"].update(kind="cash"),
            "subsidy.categories[2].benefit.kind："
            "应为 fixed、per_day、percent、free、pay_fixed 之一，实际为 'cash'",
        ),
        (
            lambda d: d["subsidy"]["categories"][2]["benefit"].pop("amount_fen"),
            "subsidy.categories[2].benefit.amount_fen：必须填写",
        ),
        (
            lambda d: d["subsidy"]["categories"][2]["benefit"].update(percent=25),
            "subsidy.categories[2].benefit.percent：补贴方式 fixed 不使用此字段",
        ),
        (
            lambda d: d["subsidy"]["categories"][2].update(key="a-dibao"),
            "subsidy.categories[2].key：标识 'a-dibao' 重复",
        ),
        (
            lambda d: d["subsidy"]["caps"].update(meals_per_day=-1),
            "subsidy.caps.meals_per_day：应为不小于 0 的整数，实际为 -1",
        ),
        (lambda d: d["subsidy"]["caps"].update(per_year=1), "subsidy.caps.per_year：未知字段（请检查拼写）"),
        (
            lambda d: d["subsidy"].update(threshold_basis="after"),
            "subsidy.threshold_basis：应为 before_discount（折前）或 after_discount（折后）",
        ),
        (
            lambda d: d["subsidy"].update(funding=[{"funder": "putuo-district", "amount_fen": 100}]),
            "subsidy.funding：必须恰好有一个出资方承担其余部分（不填 amount_fen 和 percent 的那一项）",
        ),
        (lambda d: d["subsidy"].update(categories=[]), "subsidy.categories：至少需要一个补贴类别"),
        (
            lambda d: (d.pop("discount"), d.pop("subsidy")),
            "方案：至少要有 discount（折扣）或 subsidy（补贴）其中之一",
        ),
    ],
)
def test_invalid_scheme_is_refused_with_a_message_naming_the_field(change, message):
    with pytest.raises(ValueError) as refused:
        load_scheme(mutated(change))

    assert str(refused.value) == message


def test_a_scheme_must_be_an_object():
    with pytest.raises(ValueError, match="^方案：应为对象"):
        load_scheme([1, 2])
