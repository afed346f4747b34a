"""`python -m app settlement --month 2026-11 [--canteen ID | --district 普陀] [--csv OUT [--part P]] [--xlsx OUT]`:
the same report as the settlement page, for scripts. Without an output file the summary is printed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.errors import AppError
from app.pricing import yuan
from app.subsidy import settlement as st
from app.subsidy.settlement_export import PART_NAMES, PARTS, to_csv, to_xlsx


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("settlement", help="补贴核销报表（按月或日期区间，按食堂或区）")
    period = parser.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="月份，如 2026-11")
    period.add_argument("--from", dest="start", help="开始日期，如 2026-10-01（配合 --to）")
    parser.add_argument("--to", dest="end", default="", help="结束日期（含），如 2026-12-31")
    parser.add_argument("--canteen", type=int, help="只核销这个食堂（编号）")
    parser.add_argument("--district", default="", help="只核销这个区的食堂，如 普陀")
    parser.add_argument("--csv", type=Path, metavar="OUT", help="写出 CSV（UTF-8，Excel 可直接打开）")
    parser.add_argument(
        "--part",
        choices=PARTS,
        default="summary",
        help="CSV 写哪一部分：" + "、".join(f"{p}={n}" for p, n in PART_NAMES.items()),
    )
    parser.add_argument("--xlsx", type=Path, metavar="OUT", help="写出 Excel（每部分一张表）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.core.db import get_engine

    try:
        scope = _scope(args)
        with Session(get_engine()) as session:
            report = st.settle(session, scope)
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.csv:
        args.csv.write_bytes(to_csv(report, args.part))
    if args.xlsx:
        args.xlsx.write_bytes(to_xlsx(report))
    if not (args.csv or args.xlsx):
        sys.stdout.write(to_csv(report, "summary").decode("utf-8-sig"))
    print(_footer(report), file=sys.stderr)
    return 0


def _scope(args: argparse.Namespace) -> st.Scope:
    if args.month:
        return st.month_scope(args.month, canteen_id=args.canteen, district=args.district)
    return st.range_scope(args.start, args.end or "", canteen_id=args.canteen, district=args.district)


def _footer(report: st.Settlement) -> str:
    total = report.total
    return f"{report.title}：{total.visits} 人次，补贴 {yuan(total.subsidy_fen)} 元，异常 {len(report.exceptions)} 条"
