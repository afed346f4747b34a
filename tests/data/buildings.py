"""A street's building register as the 街道 office keeps it: a title row, compounds with aliases, road addresses
written with full-width digits and 弄, building numbers as "2号" or "5幢", coordinates copied from AMap (GCJ-02)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from routing import wgs84_to_gcj02

# The WGS-84 truth of each building; the file holds the GCJ-02 AMap shows for it.
LINFEN_2 = (31.302100, 121.446500)  # 临汾路380弄2号, 临汾小区 (no lift, 6 floors)
GONGKANG_5 = (31.310400, 121.447900)  # 共康路118弄5号, 共康四村 (lift)
WENXI_9 = (31.296800, 121.440200)  # 闻喜路255弄9号, 闻喜苑


def _gcj(point: tuple[float, float]) -> tuple[str, str]:
    lat, lng = wgs84_to_gcj02(*point)
    return f"{lat:.6f}", f"{lng:.6f}"


HEADER = ["小区", "小区别名", "道路门牌", "楼号", "纬度", "经度", "楼层数", "电梯"]
ROWS: list[list[Any]] = [
    ["临汾小区", "临汾一村", "临汾路３８０弄", "2号", *_gcj(LINFEN_2), "6", "无"],
    ["共康四村", "", "共康路118弄", "5幢", *_gcj(GONGKANG_5), 11, "有"],
    ["闻喜苑", "闻喜小区、闻喜新苑", "闻喜路255弄", 9, *_gcj(WENXI_9), "6层", ""],
]


def building_register(rows: list[list[Any]] | None = None, header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["临汾路街道住宅楼栋登记表（坐标取自高德地图）"])
    ws.merge_cells("A1:H1")
    ws.append(header or HEADER)
    for row in ROWS if rows is None else rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def building_csv(rows: list[list[Any]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")
