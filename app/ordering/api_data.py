"""The ordering operations for the JSON API (a WeChat mini-program, a kiosk): the same rules as the pages, orders
marked placed_via="api", one call per endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core.principal import Principal
from app.ordering import rules, views
from app.ordering import service as ordering


def menus(session: Session, principal: Principal, senior_id: int, days: int,
          at: datetime) -> list[views.MealView]:
    """Published lunches and dinners from today for `days` days, as the senior may order them."""
    views.load_senior(session, senior_id, at.date())  # read first: whoever asks, one statement for it all
    actor = ordering.actor_for(session, principal, senior_id, api=True)
    canteen_id = views.canteen_id_for(session, actor, senior_id)
    found = views.published_menus(session, canteen_id, at.date(), days)
    return views.meal_views(session, actor, senior_id, found, at)


@dataclass(frozen=True)
class Quote:
    draft: ordering.Draft
    cancel_until_words: str


def quote(session: Session, principal: Principal, request: ordering.OrderRequest, at: datetime) -> Quote:
    actor = ordering.actor_for(session, principal, request.senior_id, api=True)
    draft = ordering.prepare(session, actor, request, at=at)
    return Quote(draft, rules.moment_words(draft.changeable_until, at.date()))


def place(session: Session, principal: Principal, request: ordering.OrderRequest,
          at: datetime) -> tuple[views.OrderView, bool]:
    """The order and whether it was created now (False: the idempotency key had been used already)."""
    actor = ordering.actor_for(session, principal, request.senior_id, api=True)
    placed = ordering.place_or_replay(session, actor, request, at=at)
    return views.placed_view(session, placed, at), placed.created


def orders(session: Session, principal: Principal, senior_id: int, at: datetime) -> list[views.OrderView]:
    actor = ordering.actor_for(session, principal, senior_id, api=True)
    canteens = None
    if actor.relation == "counter" and None not in actor.counter_canteens:
        canteens = frozenset(c for c in actor.counter_canteens if c is not None)
    return views.upcoming_orders(session, senior_id, at, limit=50, canteens=canteens)


def cancel(session: Session, principal: Principal, order_id: int, at: datetime) -> views.OrderView:
    order = ordering.cancel_order(session, principal, order_id, at=at, api=True)
    return views.order_view_of(session, order, at)
