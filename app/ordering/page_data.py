"""Page data for the ordering pages (senior, helper, counter share one flow): one call per page, so handlers stay
thin and never query. Every function checks who may act for the senior first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.core import audit
from app.core import messages as msg
from app.core.db import get_row
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.principal import Principal
from app.models import Menu
from app.ordering import rules, views
from app.ordering import service as ordering


@dataclass(frozen=True)
class Whom:
    """The senior being ordered for, and in which capacity the signed-in person acts."""

    actor: ordering.Actor
    card: views.SeniorCard

    @property
    def relation(self) -> str:
        return self.actor.relation


def whom(session: Session, principal: Principal, senior_id: int, at: datetime) -> Whom:
    views.load_senior(session, senior_id, at.date())  # read first: whoever asks, one statement for it all
    actor = ordering.actor_for(session, principal, senior_id)
    return Whom(actor, views.senior_card(session, senior_id, at.date()))


@dataclass(frozen=True)
class HomePage:
    whom: Whom
    meal: views.MealView | None
    others: tuple[views.MealView, ...]
    repeat: views.RepeatOffer | None
    orders: tuple[views.OrderView, ...]


def home_page(session: Session, principal: Principal, senior_id: int, menu_id: int | None,
              at: datetime) -> HomePage:
    """The chosen meal (or the next one still open), the next few meals, 和上次一样 and upcoming orders."""
    w = whom(session, principal, senior_id, at)
    upcoming = views.next_meals(session, w.actor, senior_id, at)
    meal = _meal(session, w, menu_id, at) if menu_id else next((m for m in upcoming if m.open), None)
    others = tuple(m for m in upcoming if meal is None or m.menu_id != meal.menu_id)
    repeat = views.repeat_offer(session, w.actor, senior_id, meal, at)
    return HomePage(w, meal, others, repeat,
                    tuple(views.upcoming_orders(session, senior_id, at, canteens=counter_scope(w.actor), past=False)))


def _meal(session: Session, w: Whom, menu_id: int, at: datetime) -> views.MealView:
    menu = get_row(session, Menu, menu_id)
    if menu is None or menu.status != "published":
        raise NotFound(msg.ORDER_MENU_NOT_FOUND)
    if not w.actor.may_use_canteen(menu.canteen_id):
        raise NotFound(msg.ORDER_MENU_NOT_FOUND)
    return views.meal_view(session, w.actor, w.card.id, menu, at)


@dataclass(frozen=True)
class ChoosePage:
    whom: Whom
    meal: views.MealView
    item: views.ItemView


def choose_page(session: Session, principal: Principal, senior_id: int, menu_id: int, item_id: int,
                at: datetime) -> ChoosePage:
    """Step 2: texture (defaulting to the senior's need) and how to eat; an item that cannot be chosen is an
    error next to that item on the menu."""
    w = whom(session, principal, senior_id, at)
    meal = _meal(session, w, menu_id, at)
    item = meal.item(item_id)
    if item is None:
        raise ordering.SoldOut(msg.ORDER_ITEM_NOT_ON_MENU)
    if item.blocked:
        raise _blocked(session, w, meal, item, at)
    return ChoosePage(w, meal, item)


def _blocked(session: Session, w: Whom, meal: views.MealView, item: views.ItemView, at: datetime) -> AppError:
    request = ordering.OrderRequest(w.card.id, meal.menu_id, "dine_in", (ordering.Choice(item.item.id),))
    try:
        ordering.prepare(session, w.actor, request, at=at)
    except AppError as e:
        return e
    return ordering.SoldOut(item.blocked)


@dataclass(frozen=True)
class ConfirmPage:
    whom: Whom
    meal: views.MealView
    draft: ordering.Draft
    cancel_until: str
    no_subsidy: str  # why 补贴 is 0.00, in plain words ("" when there is a subsidy)


def confirm_page(session: Session, principal: Principal, request: ordering.OrderRequest,
                 at: datetime) -> ConfirmPage:
    w = whom(session, principal, request.senior_id, at)
    draft = ordering.prepare(session, w.actor, request, at=at)
    meal = views.meal_view(session, w.actor, request.senior_id, draft.menu, at)
    b = draft.breakdown
    return ConfirmPage(w, meal, draft, rules.moment_words(draft.changeable_until, at.date()),
                       views.no_subsidy_words(b.subsidy_fen, b.scheme_key, b.explanation))


def place(session: Session, principal: Principal, request: ordering.OrderRequest, at: datetime) -> int:
    w = whom(session, principal, request.senior_id, at)
    return ordering.place_order(session, w.actor, request, at=at).id or 0


@dataclass(frozen=True)
class OrderPage:
    whom: Whom
    order: views.OrderView


def order_page(session: Session, principal: Principal, order_id: int, at: datetime) -> OrderPage:
    order = views.order_for(session, principal, order_id, at)
    return OrderPage(whom(session, principal, order.senior_id, at), order)


def cancel(session: Session, principal: Principal, order_id: int, at: datetime) -> OrderPage:
    ordering.cancel_order(session, principal, order_id, at=at)
    return order_page(session, principal, order_id, at)


@dataclass(frozen=True)
class WeekPage:
    whom: Whom
    days: tuple[views.DayRow, ...]
    orders: tuple[views.OrderView, ...]


def week_page(session: Session, principal: Principal, senior_id: int, at: datetime) -> WeekPage:
    w = whom(session, principal, senior_id, at)
    return WeekPage(w, tuple(views.week(session, w.actor, senior_id, at)),
                    tuple(views.upcoming_orders(session, senior_id, at, canteens=counter_scope(w.actor), past=False)))


def counter_scope(actor: ordering.Actor) -> frozenset[int] | None:
    """The canteens whose orders counter staff may see (their own), None for everyone else and district-wide
    counters: the pages show what the API shows."""
    if actor.relation != "counter" or None in actor.counter_canteens:
        return None
    return frozenset(c for c in actor.counter_canteens if c is not None)


def helper_home(session: Session, principal: Principal, at: datetime) -> list[views.LinkedSenior]:
    """Only the helper's own linked seniors, each with what is already ordered."""
    return views.helper_seniors(session, principal.user_id, at)


def masked_search(query: str) -> str:
    """What the audit log keeps of a search: digits (a phone, a card) to their last 4, a name to its surname."""
    q = query.strip()[:40]
    if q.isascii() and q.isdigit():
        return "*" * max(len(q) - 4, 0) + q[-4:]
    return q[:1] + "*" * (len(q) - 1)


def counter_search(session: Session, principal: Principal, query: str, at: datetime) -> list[views.SeniorCard]:
    """Walk-ins by name, phone or card; InvalidInput (next to the search box) when nobody matches. Searching
    people's records is a sensitive read, so each search is audited."""
    if not query.strip():
        return []
    digits = query.strip()
    if digits.isascii() and digits.isdigit() and len(digits) < views.MIN_SEARCH_DIGITS:
        raise InvalidInput({"q": msg.COUNTER_SEARCH_FEW_DIGITS.format(n=views.MIN_SEARCH_DIGITS)})
    scope = principal.canteens_for("counter")
    canteens = None if None in scope else frozenset(c for c in scope if c is not None)
    found = views.find_seniors(session, query, at, canteens=canteens)
    audit.record(session, user_id=principal.user_id, action="senior.counter_search", object_type="senior",
                 object_id=",".join(str(c.id) for c in found)[:40],
                 detail=f"窗口查找“{masked_search(query)}”，找到 {len(found)} 位")
    session.commit()
    if not found:
        raise InvalidInput({"q": msg.ORDER_SEARCH_NONE.format(q=query.strip()[:20])})
    return found
