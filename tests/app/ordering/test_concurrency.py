"""On SQLite and PostgreSQL alike, orders racing for the last portions never oversell, and orders racing for one
senior's daily subsidy grant it once (the senior row lock, SQLite's write lock taken at BEGIN, and the unique
indexes behind them)."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.errors import AppError
from app.core.settings import TZ
from app.models import MenuItem, Order
from app.ordering import service as ordering
from tests.factories import make_canteen, make_dish_menu, make_senior, make_user, principal_of, seed_schemes

DAY = date(2030, 3, 4)
AT = datetime(2030, 3, 4, 8, 0, tzinfo=TZ)


def _race(engine: Engine, jobs: list[tuple[Any, ordering.OrderRequest]]) -> list[object]:
    """Run every (actor, request) at once, each in its own session, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, actor: Any, request: ordering.OrderRequest) -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                results[i] = ordering.place_order(s, actor, request, at=AT).id
            except AppError as e:
                results[i] = e

    threads = [threading.Thread(target=run, args=(i, a, r)) for i, (a, r) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_seniors_racing_for_the_last_five_portions_get_exactly_five(
    session: Session, engine: Engine
) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    menu = make_dish_menu(
        session, canteen, DAY, dishes=[dict(name="红烧肉", price_fen=900, quantity_limit=5)]
    )
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    counter = principal_of(session, make_user(session, ("counter", canteen.id)))
    seniors = [make_senior(session, today=DAY, default_canteen_id=canteen.id) for _ in range(20)]
    jobs = [
        (
            ordering.actor_for(session, counter, s.id or 0),
            ordering.OrderRequest(
                s.id or 0, menu.id or 0, "dine_in", (ordering.Choice(item.id or 0),), f"race-key-{s.id:04d}"
            ),
        )
        for s in seniors
    ]

    results = _race(engine, jobs)

    session.expire_all()
    placed = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ordering.SoldOut)]
    assert len(placed) == 5 and len(refused) == 15
    assert session.get(MenuItem, item.id).sold_count == 5  # type: ignore[union-attr]
    assert len(session.exec(select(Order).where(Order.menu_id == menu.id)).all()) == 5


def test_two_orders_at_once_for_one_senior_take_the_daily_subsidy_once(
    session: Session, engine: Engine
) -> None:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀")
    lunch = make_dish_menu(session, canteen, DAY, "lunch", dishes=[dict(name="套餐甲", price_fen=2000)])
    dinner = make_dish_menu(session, canteen, DAY, "dinner", dishes=[dict(name="套餐乙", price_fen=2000)])
    senior = make_senior(session, age=85, today=DAY, default_canteen_id=canteen.id)
    helper, user = make_user(session, "helper"), make_user(session, "senior", senior=senior)
    from tests.factories import link_helper

    link_helper(session, helper, senior)
    jobs = []
    for who, menu in ((user, lunch), (helper, dinner)):
        item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
        actor = ordering.actor_for(session, principal_of(session, who), senior.id or 0)
        jobs.append(
            (
                actor,
                ordering.OrderRequest(
                    senior.id or 0,
                    menu.id or 0,
                    "dine_in",
                    (ordering.Choice(item.id or 0),),
                    f"subsidy-{who.id:04d}",
                ),
            )
        )

    results = _race(engine, jobs)

    session.expire_all()
    orders = session.exec(select(Order).where(Order.senior_id == senior.id)).all()
    assert all(isinstance(r, int) for r in results)
    assert sorted(o.subsidy_fen for o in orders) == [0, 300]
    assert sum(o.subsidised_meals for o in orders) == 1


def test_the_same_key_sent_twice_at_once_makes_one_order(session: Session, engine: Engine) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    menu = make_dish_menu(session, canteen, DAY, dishes=[dict(name="番茄炒蛋", price_fen=500)])
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    senior = make_senior(session, today=DAY, default_canteen_id=canteen.id)
    actor = ordering.actor_for(
        session, principal_of(session, make_user(session, "senior", senior=senior)), senior.id or 0
    )
    request = ordering.OrderRequest(
        senior.id or 0, menu.id or 0, "dine_in", (ordering.Choice(item.id or 0),), "double-tap-0001"
    )

    results = _race(engine, [(actor, request)] * 4)

    assert len(set(results)) == 1 and isinstance(results[0], int)
    assert len(session.exec(select(Order)).all()) == 1


def test_twenty_orders_at_once_at_one_canteen_get_the_numbers_one_to_twenty(
    session: Session, engine: Engine
) -> None:
    seed_schemes(session)
    canteen = make_canteen(session)
    menu = make_dish_menu(session, canteen, DAY, dishes=[dict(name="清蒸鱼", price_fen=900)])
    item = session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).one()
    counter = principal_of(session, make_user(session, ("counter", canteen.id)))
    seniors = [make_senior(session, today=DAY, default_canteen_id=canteen.id) for _ in range(20)]
    jobs = [
        (
            ordering.actor_for(session, counter, s.id or 0),
            ordering.OrderRequest(
                s.id or 0, menu.id or 0, "dine_in", (ordering.Choice(item.id or 0),), f"number-key-{s.id:04d}"
            ),
        )
        for s in seniors
    ]

    results = _race(engine, jobs)

    session.expire_all()
    assert all(isinstance(r, int) for r in results)
    orders = session.exec(select(Order).where(Order.menu_id == menu.id)).all()
    assert sorted(o.short_no or 0 for o in orders) == list(range(1, 21))
    assert sorted(o.public_no for o in orders) == [f"300304-{canteen.id}-{n:04d}" for n in range(1, 21)]
