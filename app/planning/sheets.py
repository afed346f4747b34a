"""The planning pages' Excel downloads: one sheet, a title row, a bold header, formula-safe cells."""

from __future__ import annotations

import io
from collections.abc import Sequence

from app.core.spreadsheets import safe_row
from app.planning.care import CareWeek, OutreachLine
from app.planning.service import Coverage, Supply

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTREACH_STATUS_NAMES = {"todo": "待联系", "contacted": "已联系", "enrolled": "已办理", "declined": "不需要"}


def workbook(title: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(safe_row([title]))
    ws.append(safe_row(head))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def coverage_xlsx(picture: Coverage) -> bytes:
    rows = [[c.street, c.compound, c.seniors, c.beyond_15min, c.beyond_1000m, c.beyond_500m]
            for c in picture.compounds]
    return workbook("15分钟服务圈覆盖（按小区）", ["街道", "小区", "长者", "步行超过15分钟", "超过1000米", "超过500米"], rows)


def supply_xlsx(supply: Supply) -> bytes:
    rows = [[s.street, s.seniors_65, s.target, s.capacity, s.ratio_permille / 10 if s.ratio_permille is not None
             else "", "达标" if s.meets else "未达标"] for s in [*supply.streets, supply.district]]
    return workbook("助餐供给能力", ["街道", "65岁以上户籍长者", "10%目标（餐/日）", "日供餐能力", "供给率(%)", "结论"], rows)


def outreach_xlsx(lines: list[OutreachLine]) -> bytes:
    rows = [[x.senior.residence_street, x.compound, x.senior.name, x.age, x.senior.phone, "、".join(x.reasons),
             OUTREACH_STATUS_NAMES[x.status], x.note] for x in lines]
    return workbook("政策找人名单", ["街道", "小区", "姓名", "年龄", "电话", "原因", "进展", "备注"], rows)


def care_xlsx(week: CareWeek) -> bytes:
    rows = [[x.senior.residence_street, x.compound, x.senior.name, "、".join(x.reasons),
             "已探访" if x.visited_this_week else "未探访", len(x.month_visits),
             x.last_visit.at.strftime("%Y-%m-%d") if x.last_visit else "从未"] for x in week.lines]
    return workbook(f"探访关爱 {week.week[0]:%Y-%m-%d} 周", ["街道", "小区", "姓名", "类别", "本周", "本月次数", "最近探访"],
                    rows)
