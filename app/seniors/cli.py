"""Importing a register on the command line:

    python -m app import-seniors FILE [--mapping 字段=表头 ...] [--valid-only] [--canteen ID]

It shows a text progress bar on stderr. An import with any invalid row saves nothing and lists every row with
its reason (exit code 1), unless --valid-only is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core import messages as msg
from app.core.errors import AppError, InvalidInput
from app.core.progress import progress_bar


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = subparsers.add_parser("import-seniors", help="从民政名册（xlsx 或 csv）导入长者，全部有效才保存")
    imp.add_argument("file", type=Path, help="名册文件 .xlsx 或 .csv")
    imp.add_argument("--mapping", nargs="*", default=[], metavar="字段=表头",
                     help="指定某一项在哪一列，如 phone=老人手机；字段：" + "、".join(_field_names()))
    imp.add_argument("--valid-only", action="store_true", help="明确只导入有效的行（无效的行不保存）")
    imp.add_argument("--confirm-warnings", action="store_true", help="已核对提示（如不满 60 岁）的行，照样导入")
    imp.add_argument("--canteen", type=int, help="常去食堂编号（地址里没有区时用它的区和街道）")
    imp.set_defaults(func=run_import)


def _field_names() -> list[str]:
    from app.seniors.importer import FIELDS

    return [f"{key}（{label}）" for key, (label, _aliases) in FIELDS.items()]


def run_import(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.core.db import get_engine
    from app.models import now
    from app.seniors import importer as si

    try:
        table = si.read_table(args.file.read_bytes(), args.file.name)
        pairs = dict(p.split("=", 1) for p in args.mapping if "=" in p)
        mapping = si.mapping_from_names(table.headers, pairs)
        with Session(get_engine()) as session:
            outcome = si.import_seniors(session, table, mapping, today=now().date(), user_id=None,
                                        canteen_id=args.canteen, valid_only=args.valid_only,
                                        confirmed=args.confirm_warnings,
                                        filename=args.file.name, progress=progress_bar("检查"))
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
