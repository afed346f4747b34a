"""Operators' command line:

    python -m app import-seniors FILE [--mapping 字段=表头 ...] [--valid-only] [--canteen ID]
    python -m app export-report --from 2026-10-01 --to 2026-10-31 --xlsx OUT [--canteen ID | --district 静安]

Both show a text progress bar on stderr. An import with any invalid row saves nothing and lists every row with
its reason (exit code 1), unless --valid-only is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import messages as msg
from app.services.errors import AppError, InvalidInput

BAR_WIDTH = 30


def progress_bar(label: str) -> object:
    """A callable (done, total) that redraws one line: 导入 [#########.....] 62% 186/300."""
    shown = {"percent": -1}

    def draw(done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        percent = 100 * done // max(total, 1)
        if percent == shown["percent"] and done < total:
            return  # redraw once per percent, not once per row
        shown["percent"] = percent
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% {done}/{total}{end}")
        sys.stderr.flush()
    return draw


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = subparsers.add_parser("import-seniors", help="从民政名册（xlsx 或 csv）导入长者，全部有效才保存")
    imp.add_argument("file", type=Path, help="名册文件 .xlsx 或 .csv")
    imp.add_argument("--mapping", nargs="*", default=[], metavar="字段=表头",
                     help="指定某一项在哪一列，如 phone=老人手机；字段：" + "、".join(_field_names()))
    imp.add_argument("--valid-only", action="store_true", help="明确只导入有效的行（无效的行不保存）")
    imp.add_argument("--canteen", type=int, help="常去食堂编号（地址里没有区时用它的区和街道）")
    imp.set_defaults(func=run_import)
    rep = subparsers.add_parser("export-report", help="导出日期范围内的助餐统计（Excel）")
    rep.add_argument("--from", dest="start", required=True, help="开始日期，如 2026-10-01")
    rep.add_argument("--to", dest="end", required=True, help="结束日期（含）")
    rep.add_argument("--xlsx", type=Path, required=True, metavar="OUT", help="写出的 Excel 文件")
    rep.add_argument("--canteen", type=int, help="只统计这个食堂（编号）")
    rep.add_argument("--district", default="", help="只统计这个区的食堂")
    rep.set_defaults(func=run_report)


def _field_names() -> list[str]:
    from app.services.senior_import import FIELDS

    return [f"{key}（{label}）" for key, (label, _aliases) in FIELDS.items()]


def run_import(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import get_engine
    from app.models import now
    from app.services import senior_import as si

    try:
        table = si.read_table(args.file.read_bytes(), args.file.name)
        pairs = dict(p.split("=", 1) for p in args.mapping if "=" in p)
        mapping = si.mapping_from_names(table.headers, pairs)
        with Session(get_engine()) as session:
            outcome = si.import_seniors(session, table, mapping, today=now().date(), user_id=None,
                                        canteen_id=args.canteen, valid_only=args.valid_only,
                                        filename=args.file.name, progress=progress_bar("检查"))  # type: ignore[arg-type]
    except si.ImportRefused as refused:
        for row in refused.invalid:
            print(f"第 {row.row_no} 行：{'；'.join(row.errors)}", file=sys.stderr)
        print(refused.message, file=sys.stderr)
        return 1
    except (InvalidInput, OSError) as e:
        print(e.message if isinstance(e, AppError) else str(e), file=sys.stderr)
        return 2
    print(msg.IMPORT_DONE.format(created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged,
                                 skipped=outcome.skipped_invalid))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import get_engine
    from app.services import audit, dashboard, reports

    bar = progress_bar("导出")
    try:
        start, end = reports.date_range(args.start, args.end)
        bar(1, 3)  # type: ignore[operator]
        with Session(get_engine()) as session:
            report = reports.build(session, dashboard.Scope(args.canteen, args.district), start, end)
            bar(2, 3)  # type: ignore[operator]
            args.xlsx.write_bytes(reports.to_xlsx(report))
            audit.record(session, user_id=None, action="report.export", object_type="report",
                         detail=f"命令行 {start} 至 {end} -> {args.xlsx.name}")
            session.commit()
        bar(3, 3)  # type: ignore[operator]
    except AppError as e:
        print(f"\n{e.message}", file=sys.stderr)
        return 2
    print(f"{start} 至 {end}：{report.total_meals} 餐，{report.seniors} 位长者，已写出 {args.xlsx}")
    return 0
