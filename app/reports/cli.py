"""Reports on the command line:

    python -m app export-report --from 2026-10-01 --to 2026-10-31 --xlsx OUT [--canteen ID | --district 静安]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.errors import AppError
from app.core.progress import progress_bar


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = subparsers.add_parser("export-report", help="导出日期范围内的助餐统计（Excel）")
    rep.add_argument("--from", dest="start", required=True, help="开始日期，如 2026-10-01")
    rep.add_argument("--to", dest="end", required=True, help="结束日期（含）")
    rep.add_argument("--xlsx", type=Path, required=True, metavar="OUT", help="写出的 Excel 文件")
    rep.add_argument("--canteen", type=int, help="只统计这个食堂（编号）")
    rep.add_argument("--district", default="", help="只统计这个区的食堂")
    rep.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.core import audit
    from app.core.db import get_engine
    from app.reports import dashboard
    from app.reports import service as reports

    bar = progress_bar("导出")
    try:
        start, end = reports.date_range(args.start, args.end)
        bar(1, 3)
        with Session(get_engine()) as session:
            report = reports.build(session, dashboard.Scope(args.canteen, args.district), start, end)
            bar(2, 3)
            args.xlsx.write_bytes(reports.to_xlsx(report))
            audit.record(session, user_id=None, action="report.export", object_type="report",
                         detail=f"命令行 {start} 至 {end} -> {args.xlsx.name}")
            session.commit()
        bar(3, 3)
    except AppError as e:
        print(f"\n{e.message}", file=sys.stderr)
        return 2
    print(f"{start} 至 {end}：{report.total_meals} 餐，{report.seniors} 位长者，已写出 {args.xlsx}")
    return 0
