"""Schemes read back in plain Chinese, so an operator sees what the data really says."""

from __future__ import annotations

from app.pricing import builtin_scheme, describe


def test_zengcheng_reads_back_with_its_conditions_caps_and_local_funders():
    lines = describe(builtin_scheme("guangzhou-zengcheng-2020"))

    assert lines == [
        "适用范围：广州增城",
        "补贴（堂食、自取、送餐；午餐、晚餐；每餐次最多1次；多个类别取最优惠的一个）：",
        "· 60周岁及以上特困、低保老人（60周岁及以上，居住广州，经济状况低保或特困）：本人每餐付1元，其余补贴（每餐最多11元）",
        "· 80周岁及以上老人（80周岁及以上，居住广州）：本人每餐付3元，其余补贴（每餐最多9元）",
        "· 60至79周岁老人（60至79周岁，居住广州）：本人每餐付5元，其余补贴（每餐最多7元）",
        "出资：广州市财政3元（仅限在本市就餐）、增城区财政3元（仅限在本区就餐）、"
        "镇（街）财政承担其余（仅限在本镇（街道）就餐）",
        "送餐费不补贴",
    ]


def test_putuo_reads_back_its_discount_and_thresholds():
    lines = describe(builtin_scheme("shanghai-putuo"))

    assert lines[1:4] == [
        "折扣（食堂运营方承担，堂食）：",
        "· 80周岁及以上普陀居民（80周岁及以上，居住上海，居住区普陀）：八五折",
        "· 60至79周岁普陀居民（60至79周岁，居住上海，居住区普陀）：九折",
    ]
    assert (
        lines[5]
        == "· 60周岁及以上本市户籍低保老人（60周岁及以上，户籍上海，经济状况低保）：折后消费满8元，每餐补贴5元"
    )
    assert lines[-3:] == ["出资：普陀区财政全额承担", "送餐费不补贴", "养老服务消费券：中度、重度、完全失能老人每月最多抵扣500元"]
