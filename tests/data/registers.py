"""A messy civil-affairs register, built the way real ones arrive: a merged title, a two-level header with merged
cells, full-width digits, stray spaces, and dates as text, as real dates and as Excel serial numbers."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook

from app.seniors.identity import make_id_number

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

WANG = make_id_number("310106", date(1944, 3, 5), 11, male=False)
ZHANG = make_id_number("310106", date(1950, 7, 20), 13, male=True)
LI = make_id_number("320501", date(1938, 12, 1), 15, male=False)
BAD_CHECKSUM = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
ZHAO = make_id_number("310106", date(1947, 1, 9), 17, male=True)
QIAN = make_id_number("310106", date(1952, 5, 5), 19, male=False)


def _serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


# (序号, 姓名, 身份证号, 出生日期, 联系电话, 居住地址, 户籍, 救助类别, 有效期起, 有效期止, 是否独居)
VALID_ROWS: list[tuple[Any, ...]] = [
    (1, " 王 秀英 ", WANG.translate(FULL_WIDTH), _serial(date(1944, 3, 5)), "１３９１２３４５６７８",
     "上海市静安区临汾路 380 弄 2 号 301 室", "上海市普陀区", "低保", "2026/1/1", datetime(2026, 12, 31), "是"),
    (2, "张建国", ZHANG, "1950年7月20日", 13812345678.0, "上海市静安区共康路 118 弄 5 号 502 室", " 上海市静安区 ",
     "无", None, None, "否"),
    (3, "李桂英", LI, datetime(1938, 12, 1), "021-56601234", "上海市静安区闻喜路 255 弄 9 号 101 室", "江苏省苏州市",
     "低收入户", "20260301", "2027.2.28", " 是 "),
]
INVALID_ROWS: list[tuple[Any, ...]] = [
    (4, "赵德明", BAD_CHECKSUM, None, "13900001111", "上海市静安区临汾路 100 号 201 室", "上海", "", None, None, "否"),
    (5, "钱美华", QIAN, "1952-06-05", "13900002222", "上海市静安区临汾路 200 号 301 室", "上海", "", None, None, "否"),
    (6, "孙福根", ZHAO, None, "139000", "上海市静安区临汾路 300 号 401 室", "上海", "困难户", None, None, "否"),
]
# Spreadsheet rows of the data: title (1), blank (2), two header rows (3, 4), then data from row 5.
INVALID_ROW_NUMBERS = [8, 9, 10]


def messy_register(rows: list[tuple[Any, ...]] | None = None) -> bytes:
    """The register as .xlsx bytes; `rows` defaults to the three valid rows."""
    wb = Workbook()
    ws = wb.active
    ws.append(["彭浦镇2026年老年助餐服务对象名册"])
    ws.merge_cells("A1:K1")
    ws.append([])
    ws.append(["序号", "姓名", "身份证号", "出生日期", "联系方式", None, "户籍", "经济状况", None, None, "是否独居"])
    ws.append([None, None, None, None, "联系电话", "居住地址", None, "救助类别", "有效期起", "有效期止", None])
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:G4", "H3:J3", "K3:K4"):
        ws.merge_cells(cells)
    for row in VALID_ROWS if rows is None else rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def messy_register_with_mistakes() -> bytes:
    return messy_register(VALID_ROWS + INVALID_ROWS)


# A register as a street office really hands it over: 户籍 as 本市/沪/a district, a 低保 column of 是/√/空, a
# 残疾等级, a 过敏 column, remarks with health and housing facts, someone under 60, someone deceased, and a
# 合计 / 审核人 footer.
YOUNG = make_id_number("310106", date(1970, 4, 1), 21, male=True)
GONE = make_id_number("310106", date(1930, 2, 2), 23, male=False)
SUN = make_id_number("310106", date(1933, 8, 8), 25, male=True)
REAL_HEADER = ["序号", "姓名", "身份证号码", "联系电话", "现住址", "户口所在地", "是否低保", "独居", "残疾等级",
               "过敏/忌口", "备注"]
REAL_ROWS: list[list[Any]] = [
    [1, "王秀英", WANG, "13912345678", "上海市静安区临汾路380弄2号502室", "本市", "是", "√", "", "", "对花生过敏"],
    [2, "张建国", ZHANG, "13812345678", "静安区共康路118弄5号301室", "沪", "", "", "二级", "海鲜、花生米",
     "住6楼无电梯"],
    [3, "李桂英", LI, "13712345678", "上海市静安区闻喜路255弄9号101室", "静安区", "√", "否", "", "", "住院中"],
    [4, "钱小弟", YOUNG, "13612345678", "上海市静安区临汾路100号201室", "上海市", "", "", "", "", ""],
    [5, "孙老太", GONE, "13512345678", "上海市静安区临汾路200号301室", "上海", "", "是", "", "", "已故"],
    [6, "孙福根", SUN, "13412345678", "上海市静安区临汾路300号401室", "江苏省苏州市", "否", "", "", "", ""],
]
REAL_FOOTER: list[list[Any]] = [["合计", "6 人"], ["审核人：周主任", None, None, "制表人：小李"]]


def real_register(rows: list[list[Any]] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["临汾路街道老年助餐服务对象名册"])
    ws.merge_cells("A1:K1")
    ws.append(REAL_HEADER)
    for row in (REAL_ROWS if rows is None else rows) + REAL_FOOTER:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂英", "建国", "玉兰", "德明", "福根", "美华", "凤英", "国强", "淑珍", "阿毛", "金娣"]
STREETS = ["临汾路 380 弄", "共康路 118 弄", "闻喜路 255 弄", "岭南路 30 弄", "保德路 545 弄"]
ECONOMY = ["", "无", "低保", "低收入户", "特困"]


def large_register(count: int) -> bytes:
    """A whole street's register, `count` valid rows in the messy layout: dates written four ways, phones as
    numbers and text, full-width digits every seventh row. Large enough that the page imports it in the
    background."""
    rows: list[tuple[Any, ...]] = []
    for i in range(count):
        born = date(1930 + i % 30, 1 + i % 12, 1 + i % 28)
        number = make_id_number("310106", born, 100 + i % 899, male=i % 2 == 0)
        if i % 7 == 0:
            number = number.translate(FULL_WIDTH)
        dates: list[Any] = [_serial(born), born.strftime("%Y年%-m月%-d日"), datetime(born.year, born.month, born.day),
                            born.isoformat()]
        phone: Any = 13900000000.0 + i if i % 2 else f"139{i:08d}"
        street = STREETS[i % len(STREETS)]
        rows.append((i + 1, SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], number, dates[i % 4], phone,
                     f"上海市静安区{street} {1 + i % 40} 号 {1 + i % 6}0{1 + i % 4} 室", "上海市静安区",
                     ECONOMY[i % len(ECONOMY)], None, None, "是" if i % 3 == 0 else "否"))
    return messy_register(rows)
