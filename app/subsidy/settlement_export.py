"""A settlement as files: Excel (one sheet per part) and CSV (one part per file, UTF-8 with BOM for Excel).
Amounts are yuan with two decimals, converted from fen exactly (Decimal), never through floats."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from app.core import audit
from app.core import messages as msg
from app.core.spreadsheets import safe_row
from app.subsidy.settlement import LedgerRow, Scope, Settlement, SummaryLine, Totals, settle

PARTS = ("summary", "categories", "operating", "ledger", "exceptions", "signoffs")
PART_NAMES = {
    "summary": "出资方汇总",
    "categories": "类别汇总",
    "operating": "运营补贴",
    "ledger": "订单明细",
    "exceptions": "异常",
    "signoffs": "送达签收",
}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOTAL_HEAD = ["人数", "人次", "补贴餐数", "原价(元)", "折扣(元)", "补贴(元)", "自付(元)", "其中消费券(元)"]


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _totals(t: Totals) -> list[object]:
    amounts = (t.list_fen, t.discount_fen, t.subsidy_fen, t.payable_fen, t.voucher_fen)
    return [t.seniors, t.visits, t.subsidised_meals, *(yuan(a) for a in amounts)]


def rows(report: Settlement, part: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows of one part of the report."""
    if part == "summary":
        return ["食堂", "出资方", "补贴类别", *_TOTAL_HEAD], [
            *_summary(report.by_funder),
            ["合计", "", "", *_totals(report.total)],
        ]
    if part == "categories":
        return ["补贴类别", *_TOTAL_HEAD], [
            [line.category_name, *_totals(line.totals)] for line in report.by_category
        ]
    if part == "operating":
        return ["食堂", "方案", "出资方", "就餐人·天", "每人每天(元)", "金额(元)"], [
            [o.canteen_name, o.scheme_key, o.funder_name, o.diner_days, yuan(o.fen_per_diner_day), yuan(o.amount_fen)]
            for o in report.operating
        ]
    if part == "ledger":
        funders = report.funders
        head = [
            "订单号",
            "下单时间",
            "就餐日期",
            "餐次",
            "食堂",
            "方式",
            "状态",
            "长者编号",
            "补贴类别",
            "认定依据",
            "方案",
            "原价(元)",
            "折扣(元)",
            "折扣承担方",
            *(f"{name}(元)" for _, name in funders),
            "补贴合计(元)",
            "自付(元)",
            "消费券(元)",
            "现金自付(元)",
            "支付方式",
        ]
        return head, [_ledger(row, funders) for row in report.ledger]
    if part == "exceptions":
        head = ["类型", "订单号", "长者编号", "日期", "说明"]
        return head, [
            [e.kind_name, e.order_no, e.senior_code, e.service_date or "", e.detail]
            for e in report.exceptions
        ]
    if part == "signoffs":
        head = ["订单号", "就餐日期", "食堂", "长者编号", "签收状态", "登记时间", "备注"]
        return head, [
            [
                s.order_no,
                s.service_date,
                s.canteen_name,
                s.senior_code,
                s.status_name,
                s.reported_at.strftime("%Y-%m-%d %H:%M") if s.reported_at else "",
                s.note,
            ]
            for s in report.signoffs
        ]
    raise ValueError(f"unknown part {part!r}, expected one of {PARTS}")


def _summary(lines: Iterable[SummaryLine]) -> list[list[object]]:
    return [
        [line.canteen_name, line.funder_name, line.category_name, *_totals(line.totals)] for line in lines
    ]


def _ledger(row: LedgerRow, funders: list[tuple[str, str]]) -> list[object]:
    return [
        row.order_no,
        row.created_at.strftime("%Y-%m-%d %H:%M"),
        row.service_date,
        msg.SLOT_NAMES.get(row.slot, row.slot),
        row.canteen_name,
        msg.FULFILMENT_NAMES.get(row.channel, row.channel),
        msg.ORDER_STATUS_NAMES.get(row.status, row.status),
        row.senior_code,
        row.category_name,
        row.evidence,
        row.scheme,
        yuan(row.list_fen),
        yuan(row.discount_fen),
        row.discount_funder,
        *(yuan(row.shares.get(key, 0)) for key, _ in funders),
        yuan(row.subsidy_fen),
        yuan(row.payable_fen),
        yuan(row.voucher_fen),
        yuan(row.cash_fen),
        row.payment_method,
    ]


def to_csv(report: Settlement, part: str) -> bytes:
    head, body = rows(report, part)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(head))
    writer.writerows([_csv_cell(cell) for cell in safe_row(row)] for row in body)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(cell: object) -> object:
    return f"{cell:.2f}" if isinstance(cell, Decimal) else cell


def to_xlsx(report: Settlement) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for part in PARTS:
        sheet = book.create_sheet(PART_NAMES[part])
        head, body = rows(report, part)
        sheet.append(safe_row([report.title]))
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(safe_row(head))
        for row in body:
            sheet.append(safe_row(row))
        for cells in sheet.iter_rows(min_row=3):
            for cell in cells:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = "0.00" if "元" in str(head[cell.column - 1]) else "0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(session: Session, scope: Scope, *, fmt: str, part: str, user_id: int) -> tuple[bytes, str, str]:
    """The report as a file (bytes, file name, media type); exports of the ledger are audited."""
    report = settle(session, scope)
    stem = f"补贴核销_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    if fmt == "xlsx":
        data, name, media = to_xlsx(report), f"{stem}.xlsx", XLSX_MEDIA_TYPE
    else:
        data, name, media = to_csv(report, part), f"{stem}_{PART_NAMES[part]}.csv", "text/csv; charset=utf-8"
    audit.record(
        session,
        user_id=user_id,
        action="settlement.exported",
        object_type="settlement",
        object_id=f"{scope.start}..{scope.end}",
        detail=f"{report.title}（{name}）",
    )
    session.commit()
    return data, name, media
