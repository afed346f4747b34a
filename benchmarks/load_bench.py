"""Load benchmark: the ordering app against a bare FastAPI baseline, same PostgreSQL, same machine, same run.

    python benchmarks/load_bench.py [--levels 1,4,16,64] [--requests 400] [--seconds 20] [--seniors 400]
                                    [--workers 1] [--csv bench-results/load.csv]

For each concurrency level it drives, over loopback only and bounded in count and time:
  orders      POST /api/v1/orders, each request a different senior (the baseline: a one-row insert)
  menus API   GET /api/v1/menus?senior_id=… (7 days)        (the baseline: a one-row read)
  menu page   GET /order (the senior's menu page)            (the baseline: a one-row read)
and prints requests/s, p50/p95/p99, 5xx and other failures, server CPU per request and (in process) SQL
statements per request. Afterwards it checks that every 2xx order is in the database once and every price
snapshot balances. A throwaway PostgreSQL is started with scripts/pg-test-server unless LOAD_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    app: str
    level: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    gen_cpu_s: float = 0.0
    db_cpu_s: float = float("nan")

    @property
    def done(self) -> int:
        return len(self.latencies_ms)

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500 and s != 503)

    @property
    def shed(self) -> int:
        return self.statuses.get(503, 0)


# ---------------------------------------------------------------- database and servers


def database_url() -> str:
    given = os.environ.get("LOAD_DATABASE_URL")
    if given:
        return given
    env = {**os.environ, "PGTEST_PORT": os.environ.get("PGTEST_PORT", "54398"),
           "PGTEST_DATA": os.environ.get("PGTEST_DATA", "/tmp/canteen-pgload")}
    base = subprocess.run([str(ROOT / "scripts" / "pg-test-server")], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS canteen_load WITH (FORCE)")
        conn.execute("CREATE DATABASE canteen_load")
    return base.rsplit("/", 1)[0] + "/canteen_load"


def prepare(url: str, seniors: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["migrate"], ["demo", "--seniors", str(seniors)]):
        subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)


@dataclass(frozen=True)
class Senior:
    senior_id: int
    token: str


def sign_in_seniors(url: str) -> list[tuple[Senior, int, int]]:
    """(senior, menu_id, menu_item_id) for every future published menu a plain senior can order a plain dish
    from, senior-major inside each menu so neighbouring requests are different seniors."""
    os.environ["DATABASE_URL"] = url
    from sqlmodel import Session, col, select

    from app.accounts.auth import issue_session
    from app.core.db import make_engine
    from app.models import Dish, Menu, MenuItem, Order, User, UserRole, now
    from app.models import Senior as SeniorRow
    from app.models.orders import STANDING_STATUSES

    engine = make_engine(url)
    with Session(engine) as session:
        tomorrow = now().date().toordinal() + 1
        menus = [m for m in session.exec(select(Menu).where(col(Menu.published_at).is_not(None))
                                         .order_by(col(Menu.service_date), col(Menu.id))).all()
                 if m.service_date.toordinal() >= tomorrow]
        # Per menu, the plain dishes (no allergens) with the textures they can be made in.
        dishes: dict[int, list[tuple[int, set[str]]]] = {}
        for item, dish in session.exec(select(MenuItem, Dish).join(Dish, col(MenuItem.dish_id) == col(Dish.id))
                                       .where(MenuItem.kind == "dish", col(MenuItem.quantity_limit).is_(None))):
            if not dish.allergens:
                dishes.setdefault(item.menu_id, []).append((item.id or 0, set(dish.textures.split(","))))
        # Every active senior gets a card account the way the counter would issue one (the demo gives a few).
        people = session.exec(select(SeniorRow).where(SeniorRow.status == "active")).all()
        users = {u.senior_id: u for u in session.exec(select(User).where(col(User.senior_id).is_not(None)))}
        for row in people:
            if row.id not in users:
                users[row.id] = User(name=row.name, senior_id=row.id)
                session.add(users[row.id])
                session.flush()
                session.add(UserRole(user_id=users[row.id].id or 0, role="senior"))
        textures = {row.id or 0: row.texture for row in people}
        session.commit()
        menu_ids = [(m.id or 0, (m.service_date, m.slot)) for m in menus]
        seniors = [Senior(sid, issue_session(session, users[sid])) for sid in textures]
        # meals the demo district has already ordered are not fresh orders (they would be 409s)
        ordered = {(o.senior_id, (o.service_date, o.slot)) for o in session.exec(
            select(Order).where(col(Order.status).in_(STANDING_STATUSES)))}
    engine.dispose()
    # One order per senior per date and slot (across canteens): each pair is a meal the senior has not ordered,
    # of a dish the senior can eat (no allergen, a texture they need).
    combos, seen = [], set(ordered)
    for menu_id, meal in menu_ids:
        for s in seniors:
            fits = [i for i, tex in dishes.get(menu_id, []) if textures[s.senior_id] in tex]
            if fits and (s.senior_id, meal) not in seen:
                seen.add((s.senior_id, meal))
                combos.append((s, menu_id, fits[0]))
    return combos


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str

    def cpu_s(self) -> float:
        """utime + stime of the server and its worker processes, from /proc."""
        return process_cpu_s([self.process.pid, *_children(self.process.pid)])


def process_cpu_s(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(parts[11]) + int(parts[12])) / TICKS
    return total


def database_cpu_s() -> float:
    """CPU of the throwaway PostgreSQL (postmaster and its backends): the two apps share it, so a request's
    cost to the machine is server + database + load generator. NaN for a database given by URL."""
    if os.environ.get("LOAD_DATABASE_URL"):
        return float("nan")
    try:
        postmaster = int(Path(os.environ.get("PGTEST_DATA", "/tmp/canteen-pgload"), "postmaster.pid")
                         .read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return float("nan")
    try:  # backends that ended count in the postmaster's cutime + cstime (it reaps them)
        parts = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        ended = (int(parts[13]) + int(parts[14])) / TICKS
    except (FileNotFoundError, IndexError, ValueError):
        ended = 0.0
    return ended + process_cpu_s([postmaster, *_children(postmaster)])


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    out = [int(k) for k in kids]
    return out + [g for k in out for g in _children(k)]


def start(name: str, target: list[str], url: str, port: int, workers: int) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "CANTEEN_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(cmd, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=2)
            return Server(name, process, base)
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{name} did not start on port {port}")


# ---------------------------------------------------------------- the load generator


async def drive(name: str, server: Server, level: int, requests: Iterator[Callable[[httpx.AsyncClient],
                Any]], limit: int, seconds: float) -> Result:
    """`level` clients in a loop, each taking the next request, until `limit` requests or `seconds` pass."""
    result = Result(name, server.name, level)
    deadline = time.monotonic() + seconds
    taken = 0
    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal taken
        while taken < limit and time.monotonic() < deadline:
            taken += 1
            try:
                make = next(requests)
            except StopIteration:
                return
            start_t = time.perf_counter()
            try:
                response = await make(client)
                result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
            except httpx.HTTPError as e:
                result.errors += 1
                kind = type(e).__name__
                result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
                continue
            result.latencies_ms.append((time.perf_counter() - start_t) * 1000)

    cpu0, gen0, db0, t0 = server.cpu_s(), time.process_time(), database_cpu_s(), time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(level)))
    result.wall_s, result.cpu_s = time.perf_counter() - t0, server.cpu_s() - cpu0
    result.gen_cpu_s, result.db_cpu_s = time.process_time() - gen0, database_cpu_s() - db0
    return result


def order_requests(combos: Iterator[tuple[Senior, int, int]], placed: list[int]) -> Iterator[Callable[..., Any]]:
    for senior, menu_id, item_id in combos:
        async def go(client: httpx.AsyncClient, s: Senior = senior, m: int = menu_id, i: int = item_id) -> Any:
            body = {"senior_id": s.senior_id, "menu_id": m, "fulfilment": "dine_in",
                    "items": [{"menu_item_id": i, "quantity": 1}], "idempotency_key": f"load{s.senior_id}m{m}"}
            response = await client.post("/api/v1/orders", json=body, headers=_headers(s.token))
            if response.status_code in (200, 201):
                placed.append(response.json()["id"])
            return response
        yield go


def menu_requests(seniors: list[Senior], path: str) -> Iterator[Callable[..., Any]]:
    n = 0
    while True:
        s = seniors[n % len(seniors)]
        n += 1

        async def go(client: httpx.AsyncClient, s: Senior = s) -> Any:
            return await client.get(path.format(senior_id=s.senior_id), headers=_headers(s.token))
        yield go


def bare_requests(kind: str) -> Iterator[Callable[..., Any]]:
    n = 0
    while True:
        n += 1

        async def go(client: httpx.AsyncClient, n: int = n) -> Any:
            if kind == "insert":
                return await client.post("/insert", json={"senior_id": n})
            return await client.get(f"/read/{1 + n % 50}")
        yield go


def _headers(token: str) -> dict[str, str]:
    # a signed-in request carries its session's own CSRF token (issue 13)
    from app.core.principal import csrf_for_session

    csrf = csrf_for_session(token)
    return {"Cookie": f"canteen_session={token}; canteen_csrf={csrf}", "X-CSRF-Token": csrf}


# ---------------------------------------------------------------- statements per request, and the checks


def statements_per_request(url: str, combos: list[tuple[Senior, int, int]]) -> dict[str, int]:
    """SQL statements each endpoint runs, counted in process on the same database after one warm-up call (the
    caches a running server has). Orders: a fresh order for a pair the warm-up did not use."""
    os.environ["DATABASE_URL"] = os.environ["CANTEEN_DATABASE_URL"] = url
    import warnings

    from sqlalchemy import event

    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

    from app.core.db import get_engine
    from app.core.principal import csrf_for_session
    from app.core.settings import get_settings
    from app.main import create_app

    get_settings.cache_clear()
    get_engine.cache_clear()
    counted = {"n": 0}

    def count(*_args: Any) -> None:
        counted["n"] += 1

    event.listen(get_engine(), "before_cursor_execute", count)
    client = TestClient(create_app())

    def as_senior(senior: Senior) -> TestClient:
        client.cookies.set("canteen_session", senior.token)
        client.cookies.set("canteen_csrf", csrf_for_session(senior.token))
        return client

    def order(combo: tuple[Senior, int, int]) -> Any:
        senior, menu_id, item_id = combo
        return as_senior(senior).post("/api/v1/orders", headers={"X-CSRF-Token": csrf_for_session(senior.token)}, json={
            "senior_id": senior.senior_id, "menu_id": menu_id, "fulfilment": "dine_in",
            "items": [{"menu_item_id": item_id}], "idempotency_key": f"count{senior.senior_id}m{menu_id}"})

    first = combos[0][0]
    calls: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "menus API": (lambda: as_senior(first).get(f"/api/v1/menus?senior_id={first.senior_id}"),) * 2,
        "menu page": (lambda: as_senior(first).get("/order"),) * 2,
        "orders": (lambda: order(combos[0]), lambda: order(combos[1])),
    }
    out: dict[str, int] = {}
    for name, (warm, measured) in calls.items():
        warm()
        counted["n"] = 0
        response = measured()
        out[name] = counted["n"]
        if response.status_code >= 300:
            print(f"warning: counting {name} answered {response.status_code}", file=sys.stderr)
    return out


def check_orders(url: str, placed: list[int]) -> str:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM meal_order WHERE id = ANY(%s)", (placed,))}
        unbalanced = conn.execute(
            "SELECT count(*) FROM meal_order WHERE list_fen <> discount_fen + subsidy_fen + payable_fen").fetchone()
    missing = set(placed) - ids
    dupes = len(placed) - len(set(placed))
    return (f"2xx orders {len(placed)}, found in the database {len(ids)}, missing {len(missing)}, "
            f"answered twice {dupes}, unbalanced snapshots {unbalanced[0] if unbalanced else '?'}")


# ---------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,4,16,64")
    parser.add_argument("--requests", type=int, default=400, help="at most this many requests per level")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long per level")
    parser.add_argument("--seniors", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for both apps")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]

    url = database_url()
    print(f"preparing the demo district with {args.seniors} seniors on {url.rsplit('@', 1)[-1]} …", flush=True)
    prepare(url, args.seniors)
    combos = sign_in_seniors(url)
    seniors = sorted({c[0] for c in combos}, key=lambda s: s.senior_id)
    print(f"{len(seniors)} seniors signed in, {len(combos)} (senior, menu) pairs to order", flush=True)
    counts = statements_per_request(url, [combos[-1], combos[-2]])
    combos = combos[:-2]
    app = start("app", ["app.main:create_app", "--factory"], url, 8791, args.workers)
    bare = start("bare", ["benchmarks.bare_app:app"], url, 8792, args.workers)
    results: list[Result] = []
    placed: list[int] = []
    orders = iter(combos)
    try:
        asyncio.run(drive("warm", bare, 1, bare_requests("insert"), 60, 10))
        asyncio.run(drive("warm", app, 1, menu_requests(seniors, "/api/v1/menus?senior_id={senior_id}"), 5, 30))
        for level in levels:
            for name, server, gen in (
                ("orders", app, order_requests(orders, placed)),
                ("orders", bare, bare_requests("insert")),
                ("menus API", app, menu_requests(seniors, "/api/v1/menus?senior_id={senior_id}")),
                ("menu page", app, menu_requests(seniors, "/order")),
                ("reads", bare, bare_requests("read")),
            ):
                result = asyncio.run(drive(name, server, level, gen, args.requests, args.seconds))
                results.append(result)
                _print(result, counts)
    finally:
        for s in (app, bare):
            s.process.terminate()
            s.process.wait(timeout=30)
    print(check_orders(url, placed))
    _summary(results)
    if args.csv:
        _write_csv(args.csv, results, counts)
    return 0


def _print(r: Result, counts: dict[str, int]) -> None:
    rate = r.done / r.wall_s if r.wall_s else 0.0
    cpu_ms = 1000 * r.cpu_s / r.done if r.done else float("nan")

    def per(seconds: float) -> float:
        return 1000 * seconds / r.done if r.done else float("nan")
    statements = counts.get(r.name, 1) if r.app == "app" else 1
    print(f"{r.app:4} {r.name:9} c={r.level:<3} {r.done:5} req {rate:7.1f}/s  p50 {r.pct(.5):7.1f}  "
          f"p95 {r.pct(.95):7.1f}  p99 {r.pct(.99):7.1f} ms  2xx {r.ok:5}  5xx {r.server_errors}  "
          f"503 {r.shed}  other {r.done - r.ok - r.server_errors - r.shed}  failed {r.errors}  cpu {cpu_ms:6.1f} ms/req "
          f"(db {per(r.db_cpu_s):4.1f}, load generator {per(r.gen_cpu_s):4.1f})  sql {statements}/req"
          + (f"  ({', '.join(f'{k} {n}' for k, n in r.error_kinds.items())})" if r.error_kinds else ""), flush=True)


def _best(results: list[Result], app: str, names: tuple[str, ...]) -> float:
    """The highest rate among levels whose p99 stayed under 300 ms with no 5xx."""
    rates = [r.done / r.wall_s for r in results if r.app == app and r.name in names and r.done
             and r.pct(.99) < 300 and r.server_errors == 0 and r.errors == 0]
    return max(rates, default=0.0)


def _summary(results: list[Result]) -> None:
    insert = _best(results, "bare", ("orders",))
    read = _best(results, "bare", ("reads",))
    print("\nbest rate with p99 < 300 ms (and no 5xx):")
    for name, base, label in (("orders", insert, "inserts"), ("menus API", read, "reads"),
                              ("menu page", read, "reads")):
        ours = _best(results, "app", (name,))
        ratio = ours / base if base else float("nan")
        print(f"  {name:9} {ours:7.1f}/s   bare FastAPI {label} {base:7.1f}/s   ratio {ratio:4.2f} (target ≥ 0.50)")
    total_5xx = sum(r.server_errors for r in results if r.app == "app")
    print(f"  5xx from the app at any level: {total_5xx}")


def _write_csv(path: Path, results: list[Result], counts: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["app", "endpoint", "concurrency", "requests", "rate_per_s", "p50_ms", "p95_ms", "p99_ms",
                    "ok", "5xx", "503", "failed", "cpu_ms_per_req", "db_cpu_ms_per_req",
                    "generator_cpu_ms_per_req", "sql_per_req"])
        for r in results:
            w.writerow([r.app, r.name, r.level, r.done, round(r.done / r.wall_s, 2) if r.wall_s else 0,
                        round(r.pct(.5), 1), round(r.pct(.95), 1), round(r.pct(.99), 1), r.ok, r.server_errors,
                        r.shed, r.errors, round(1000 * r.cpu_s / r.done, 2) if r.done else "",
                        round(1000 * r.db_cpu_s / r.done, 2) if r.done else "",
                        round(1000 * r.gen_cpu_s / r.done, 2) if r.done else "",
                        counts.get(r.name, 1) if r.app == "app" else 1])


if __name__ == "__main__":
    sys.exit(main())
