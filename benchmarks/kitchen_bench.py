"""Kitchen benchmark: a city's lunch (200,000 order lines) aggregated, and 2,000 labels rendered to PDF.

Run with `.venv/bin/python benchmarks/kitchen_bench.py`; prints seconds per step. Targets on the 2-core
machine: aggregation < 1 s, 2,000 labels to PDF < 15 s.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kitchen  # noqa: E402

T = TypeVar("T")
SHANGHAI = ZoneInfo("Asia/Shanghai")
DISHES = [
    (f"d{i}", name, category)
    for i, (name, category) in enumerate(
        [
            ("红烧肉", "荤菜"),
            ("清蒸鲈鱼", "荤菜"),
            ("番茄炒蛋", "荤菜"),
            ("土豆烧鸡", "荤菜"),
            ("肉末豆腐", "荤菜"),
            ("炒青菜", "素菜"),
            ("香菇菜心", "素菜"),
            ("冬瓜海带", "素菜"),
            ("蒜泥茄子", "素菜"),
            ("白灼西兰花", "素菜"),
            ("紫菜蛋汤", "汤"),
            ("冬瓜排骨汤", "汤"),
            ("米饭", "主食"),
            ("杂粮饭", "主食"),
            ("花卷", "主食"),
        ]
    )
]
ALLERGENS = {
    "清蒸鲈鱼": ("鱼",),
    "番茄炒蛋": ("蛋",),
    "紫菜蛋汤": ("蛋",),
    "肉末豆腐": ("大豆",),
    "花卷": ("小麦",),
}
FULFILMENT_WEIGHTS = [(kitchen.DINE_IN, 5), (kitchen.PICKUP, 2), (kitchen.DELIVERY, 3)]


def synthetic_lines(count: int, *, points: int = 500, seed: int = 7) -> list[kitchen.KitchenLine]:
    """About four dishes per order, so `count` lines are ~50,000 orders spread over `points` canteens."""
    rng = random.Random(seed)
    fulfilments = [name for name, weight in FULFILMENT_WEIGHTS for _ in range(weight)]
    lines: list[kitchen.KitchenLine] = []
    order = 0
    while len(lines) < count:
        order += 1
        lines.extend(_order_lines(rng, order, rng.randrange(points), rng.choice(fulfilments)))
    return lines[:count]


def _order_lines(rng: random.Random, order: int, point: int, fulfilment: str) -> list[kitchen.KitchenLine]:
    texture = rng.choices(kitchen.TEXTURES, weights=[85, 8, 4, 3])[0]
    allergies = ("鱼",) if rng.random() < 0.03 else ()
    delivery = fulfilment == kitchen.DELIVERY
    return [
        kitchen.KitchenLine(
            order_key=f"o{order}",
            senior_key=f"s{order}",
            senior_name="王*华",
            point_key=f"p{point}",
            point_name=f"第{point}助餐点",
            fulfilment=fulfilment,
            dish_key=key,
            dish_name=name,
            category=category,
            texture=texture,
            portion=rng.choice(kitchen.PORTIONS),
            quantity=1,
            status=kitchen.CANCELLED if rng.random() < 0.02 else "confirmed",
            route_key=f"r{point}-{order % 6}" if delivery else None,
            stop_no=order % 40 + 1 if delivery else None,
            area=f"片区{order % 9}",
            building=f"{order % 30 + 1}号楼",
            floor=f"{order % 6 + 1}层",
            room=f"{order % 6 + 1}0{order % 4 + 1}室",
            diet_tags=("低盐",) if order % 5 == 0 else (),
            allergens=ALLERGENS.get(name, ()),
            senior_allergies=allergies,
        )
        for key, name, category in rng.sample(DISHES, 4)
    ]


def timed(label: str, action: Callable[[], T]) -> T:
    start, cpu_start = time.perf_counter(), time.process_time()
    result = action()
    print(f"{label}: {time.perf_counter() - start:.3f} s ({time.process_time() - cpu_start:.3f} CPU-s)")
    return result


def bench_aggregation(count: int = 200_000) -> None:
    lines = timed(f"build {count:,} KitchenLines (validated)", lambda: synthetic_lines(count))
    sheet = timed("prep sheet (target < 1 s)", lambda: kitchen.build_prep_sheet(lines, provisional=False))
    print(
        f"  {len(sheet.rows)} rows, {sheet.total:,} meals, {sheet.order_count:,} orders, "
        f"{len(sheet.points)} points"
    )
    diets = timed("special-diet list", lambda: kitchen.build_special_diet_list(lines))
    print(f"  {diets.senior_count:,} seniors, {diets.conflict_count} allergy conflicts")
    plan = timed("packing lists", lambda: kitchen.build_packing(lines))
    print(f"  {len(plan.lists):,} lists, {len(plan.bags):,} bags")
    cooked = datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)
    labels = timed("label data", lambda: kitchen.build_labels(plan, cooked_at=cooked))
    print(f"  {len(labels):,} labels")


def bench_label_pdf(count: int = 2_000) -> None:
    """The labels sheet for `count` bags, rendered exactly as the PDF download renders it."""
    from app.kitchen.pages import cpu_count, render_sheet_pdf
    from app.kitchen.service import KitchenScope, KitchenSheets

    rng = random.Random(11)
    lines = [line for order in range(1, count + 1) for line in _order_lines(rng, order, 0, kitchen.DELIVERY)]
    stops = {line.order_key: (line.route_key or "", line.stop_no or 1) for line in lines}
    cooked = datetime(2026, 11, 23, 10, 45, tzinfo=SHANGHAI)
    plan = kitchen.build_packing(lines, stop_order=stops)
    labels = kitchen.build_labels(plan, cooked_at=cooked)
    sheets = KitchenSheets(
        scope=KitchenScope(1, "彭浦新村长者食堂", (1,)),
        day=cooked.date(),
        slot="lunch",
        cooked_at=cooked,
        hot_held=False,
        prep=kitchen.build_prep_sheet(lines, provisional=False),
        samples=(),
        diets=kitchen.SpecialDietList(()),
        packing=plan,
        labels=labels,
        point_names={},
        route_names={},
    )
    context = {
        "s": sheets,
        "sheet": "labels",
        "title": "餐盒标签",
        "slot_name": "午餐",
        "printed_at": cooked,
        "layout": "kitchen/print.html",
        "url_for": lambda _name, **kw: f"http://localhost/static/{kw['path']}",
    }
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    pdf = render_sheet_pdf(context, base_url="http://localhost/")
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    print(
        f"{len(labels):,} labels to PDF (target < 15 s): {seconds:.3f} s, {len(pdf) / 1e6:.1f} MB, "
        f"{cpu_count()} worker processes, {cpu:.1f} CPU-seconds (wall time grows when others share the cores)"
    )


def _cpu_seconds() -> float:
    """This process and its finished workers, so a busy shared machine can be told from a slow renderer."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    bench_aggregation()
    bench_label_pdf()


if __name__ == "__main__":
    main()
