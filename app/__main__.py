"""Command line: `python -m app migrate | demo | serve | ...`.

Each area may add subcommands in a module `app/cli_<area>.py` exposing `register(subparsers)`; they are found
automatically, so areas never edit this file.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Sequence

import app as app_pkg


def _migrate(_args: argparse.Namespace) -> int:
    from alembic.config import Config

    from alembic import command
    from app.core.settings import ROOT

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.core.db import get_engine
    from app.demo import DEMO_PASSWORD, DEMO_PIN, build_demo, database_is_empty

    with Session(get_engine()) as session:
        if not database_is_empty(session):
            if args.if_empty:
                print("数据库里已有数据，跳过演示数据。")
                return 0
            print("数据库不是空的：演示数据只能装进空数据库（先删除 data/canteen.db）。", file=sys.stderr)
            return 1
        summary = build_demo(session, seniors=args.seniors, progress=lambda s: print(f"  生成{s}…", flush=True))
    print("演示数据已生成。登录方式：")
    for role, phone, name in summary.staff:
        print(f"  {role:<10} {name}: 手机 {phone} 密码 {DEMO_PASSWORD}")
    phone, name, linked = summary.helper
    print(f"  helper     {name}: 手机 {phone} 密码 {DEMO_PASSWORD}（关照 {'、'.join(linked)}）")
    print("  driver     孙师傅: 手机 13900000011 密码 " + DEMO_PASSWORD)
    cards = summary.senior_cards[:3]
    print("  senior     " + "；".join(f"{n} 卡号 {c}" for c, n in cards) + f"，卡密码 {DEMO_PIN}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.core.log_config import logging_config
    from app.core.settings import get_settings

    args.workers = args.workers or get_settings().web_workers
    base = f"http://{args.host}:{args.port}"
    print(f"长者食堂已启动：{base}/")
    for path, what in (("/order", "长者点餐"), ("/helper", "家属代订"), ("/counter", "窗口点餐"),
                       ("/kitchen", "厨房"), ("/dispatch", "送餐调度"), ("/driver", "送餐员"),
                       ("/admin", "运营管理"), ("/api/docs", "API 文档")):
        print(f"  {what:<6} {base}{path}")
    # Background work never runs in the web process: one worker child runs it (procrastinate on PostgreSQL, the
    # local runner on SQLite; more can run anywhere with `python -m app worker`), and stops with the site.
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "app", "worker", "--with-parent"])
    # X-Forwarded-* only from CANTEEN_TRUSTED_PROXIES (uvicorn would otherwise believe 127.0.0.1 by default; the
    # app's SecurityMiddleware applies the same list under any server)
    trusted = get_settings().trusted_proxies.strip()
    try:
        uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port, reload=False,
                    workers=args.workers, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
                    log_config=logging_config(get_settings().log_level), access_log=False)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description="长者食堂助餐平台")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="升级数据库到最新结构").set_defaults(func=_migrate)
    demo = sub.add_parser("demo", help="生成演示街镇（静安区彭浦镇）的数据")
    demo.add_argument("--seniors", type=int, default=300)
    demo.add_argument("--if-empty", action="store_true", help="数据库已有数据时什么也不做")
    demo.set_defaults(func=_demo)
    serve = sub.add_parser("serve", help="启动网站")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None, help="网站进程数（默认 CANTEEN_WEB_WORKERS，开发时为 1）")
    serve.set_defaults(func=_serve)
    # Each area may add its own commands in `app/<area>/cli.py` (a `register(subparsers)` function).
    for info in sorted(pkgutil.iter_modules(app_pkg.__path__), key=lambda i: i.name):
        if info.ispkg and importlib.util.find_spec(f"app.{info.name}.cli") is not None:
            importlib.import_module(f"app.{info.name}.cli").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.core.log_config import configure_logging
    from app.core.settings import get_settings

    args = build_parser().parse_args(argv)
    configure_logging(get_settings().log_level)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
