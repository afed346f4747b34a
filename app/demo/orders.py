"""Demo orders, placed through `ordering.place_order` like real ones, so the kitchen sheets, dispatch routes and
settlement have believable data: today's lunch for about 60 % of seniors (dinner for about half of those),
lunches for the next three days for some, each by the senior's own way of eating, placed by the senior
(card users), their helper, or the canteen (counter, or the office taking phone orders). Lunches earlier this
week were eaten: most dine-in and pickup ones were checked in at the counter, a few were not (no-shows), so the
settlement claims only served meals and lists the rest."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app import ordering
from app.core.errors import AppError
from app.core.settings import TZ
from app.models import Canteen, HelperLink, Menu, Order, Senior, User, UserRole

SEED = 5_2026
CHECKED_IN_SHARE = 0.9  # of past dine-in and pickup meals; the rest never came (no-shows)


def build_demo_orders(session: Session, canteens: Sequence[Canteen], people: Sequence[Senior], today: date,
                      progress: Callable[[str], None] = lambda _s: None) -> int:
    """Place the demo orders; returns how many were placed. Orders are timed the afternoon before (all
    cutoffs still open), so the demo looks the same whatever time of day it is built."""
    progress("订单")
    rng = random.Random(SEED)
    # Rows read once stay loaded across the many small commits (the demo is the only writer).
    with Session(session.get_bind(), expire_on_commit=False) as own:
        actors = _actors(own, canteens)
        helped = set(own.exec(select(HelperLink.senior_id)).all())
        menus = _menus(own, today)
        items: dict[int, list[ordering.ItemFacts]] = {}
        placed = 0
        ids = [p.id for p in people]
        chosen = own.exec(select(Senior).where(col(Senior.id).in_(ids), Senior.status == "active")
                          .order_by(col(Senior.id))).all()
        for n, senior in enumerate(chosen):
            for day, slot in _meals_for(rng, today, senior.id in helped):
                menu = menus.get((senior.default_canteen_id or 0, day, slot))
                if menu is None:
                    continue
                if menu.id not in items:
                    items[menu.id or 0] = ordering.menu_items(own, menu.id or 0)
                at = datetime.combine(min(day, today) - timedelta(days=1), time(9), TZ) + timedelta(seconds=40 * n)
                placed += _place(own, actors(senior), senior, menu, items[menu.id or 0], at, rng)
        _check_in_past(own, canteens, today, rng)
    return placed


def _check_in_past(session: Session, canteens: Sequence[Canteen], today: date, rng: random.Random) -> None:
    """Past dine-in and pickup lunches checked in at the counter by its clerk around lunchtime, most of them."""
    clerks = {r.canteen_id: r.user_id for r in session.exec(select(UserRole).where(UserRole.role == "counter"))}
    office = session.exec(select(UserRole.user_id).where(UserRole.role == "operator")).first() or 0
    past = session.exec(select(Order).where(Order.service_date < today, Order.status == "placed",
                                            col(Order.fulfilment).in_(("dine_in", "pickup")))
                        .order_by(col(Order.id))).all()
    for order in past:
        if rng.random() < CHECKED_IN_SHARE:
            at = datetime.combine(order.service_date, time(11, 5), TZ) + timedelta(minutes=rng.randint(0, 90))
            by = clerks.get(order.canteen_id) or office
            ordering.check_in_order(session, order.id or 0, by_user_id=by, at=at)


def _meals_for(rng: random.Random, today: date, helped: bool) -> list[tuple[date, str]]:
    """A helper's seniors always have today's lunch, so the family view has something to show."""
    meals: list[tuple[date, str]] = []
    if rng.random() < 0.6 or helped:
        meals.append((today, "lunch"))
        if rng.random() < 0.5:
            meals.append((today, "dinner"))
    for offset in (1, 2, 3):
        if rng.random() < 0.3:
            meals.append((today + timedelta(days=offset), "lunch"))
    for back in range(1, today.weekday() + 1):  # this week's menus start on Monday
        if rng.random() < 0.5:
            meals.append((today - timedelta(days=back), "lunch"))
    return meals


def _menus(session: Session, today: date) -> dict[tuple[int, date, str], Menu]:
    monday = today - timedelta(days=today.weekday())
    rows = session.exec(select(Menu).where(col(Menu.service_date).between(monday, today + timedelta(days=3)),
                                           Menu.status == "published")).all()
    return {(m.canteen_id, m.service_date, m.slot): m for m in rows}


def _actors(session: Session, canteens: Sequence[Canteen]) -> Callable[[Senior], ordering.Actor]:
    """Linked seniors order through their helper, card users for themselves, the rest at their canteen."""
    own = {u.senior_id: u.id for u in session.exec(select(User).where(col(User.senior_id).is_not(None)))}
    helped = {link.senior_id: link.helper_id
              for link in session.exec(select(HelperLink).where(col(HelperLink.revoked_at).is_(None)))}
    counters = {r.canteen_id: r.user_id for r in session.exec(select(UserRole).where(UserRole.role == "counter"))}
    office = session.exec(select(UserRole.user_id).where(UserRole.role == "operator")).first()

    def actor(senior: Senior) -> ordering.Actor:
        if senior.id in helped:
            return ordering.Actor(helped[senior.id], "helper", "helper")
        if senior.id in own:
            return ordering.Actor(own[senior.id] or 0, "self", "self")
        counter = counters.get(senior.default_canteen_id)
        if counter is not None:
            return ordering.Actor(counter, "counter", "counter", frozenset({senior.default_canteen_id}))
        # Canteens without a counter account in the demo: the office enters phone orders.
        return ordering.Actor(office or 0, "counter", "api", frozenset({None}))
    return actor


def _place(session: Session, actor: ordering.Actor, senior: Senior, menu: Menu, menu_items: list[ordering.ItemFacts],
           at: datetime, rng: random.Random) -> bool:
    items = [i for i in menu_items if ordering.suitable(i, senior)]
    sets = [i for i in items if i.kind == "set"]
    for item in rng.sample(sets, len(sets)) + rng.sample(items, len(items)):
        for fulfilment in dict.fromkeys((senior.preferred_fulfilment, "dine_in")):
            request = ordering.OrderRequest(senior.id or 0, menu.id or 0, fulfilment, (ordering.Choice(item.id),),
                                            f"demo-{senior.id}-{menu.id}")
            try:
                ordering.place_order(session, actor, request, at=at)
            except AppError:
                continue
            return True
    return False
