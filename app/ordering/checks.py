"""The checks a meal order must pass before it is priced: who may act for the senior, whether the senior is
served, whether the meal (or its delivery) is still open, one meal per slot, and the delivery radius. Each
refusal is an `AppError` whose `field` names the cause, so a page can say it next to what the user chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core import revision
from app.core.db import get_row, memo
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.principal import Principal
from app.models import Canteen, CanteenSlot, HelperLink, Menu, Order, Senior
from app.models.orders import STANDING_STATUSES as STANDING
from app.ordering import rules


class OrderClosed(Conflict):
    """The cutoff of the meal (or of its delivery) has passed."""


class SoldOut(Conflict):
    def __init__(self, message: str, *, alternative_id: int | None = None) -> None:
        super().__init__(message, field="item")
        self.alternative_id = alternative_id


class AllergyBlocked(SoldOut):
    """A well-formed order the senior's own allergies stand against: a conflict with their record, not bad input."""


class OutOfRange(Conflict):
    """A well-formed delivery order the senior's address or the meal's slot cannot take (409, as for sold out)."""


@dataclass(frozen=True)
class Actor:
    """Who is placing the order and in what capacity: the senior, a linked helper, or counter staff."""

    user_id: int
    relation: str
    via: str
    counter_canteens: frozenset[int | None] = frozenset()

    def may_use_canteen(self, canteen_id: int) -> bool:
        if self.relation != "counter":
            return True
        return None in self.counter_canteens or canteen_id in self.counter_canteens


# ------------------------------------------------------------------ who may order for whom


def actor_for(session: Session, principal: Principal, senior_id: int, *, api: bool = False) -> Actor:
    """The capacity in which `principal` acts for the senior; Forbidden when they have none."""
    via = "api" if api else None
    if principal.senior_id == senior_id:
        return Actor(principal.user_id, "self", via or "self")
    if principal.has("helper") and is_linked(session, principal.user_id, senior_id):
        return Actor(principal.user_id, "helper", via or "helper")
    if principal.has("counter"):
        if get_row(session, Senior, senior_id) is None:
            raise NotFound(msg.SENIOR_NOT_FOUND)
        return Actor(principal.user_id, "counter", via or "counter", principal.canteens_for("counter"))
    raise Forbidden(msg.ORDER_NOT_LINKED)


def is_linked(session: Session, helper_id: int, senior_id: int) -> bool:
    link = session.exec(select(HelperLink.id).where(
        HelperLink.helper_id == helper_id, HelperLink.senior_id == senior_id,
        col(HelperLink.revoked_at).is_(None))).first()
    return link is not None


def check_senior_active(senior: Senior, day: date) -> None:
    if senior.status in ("deceased", "moved"):
        raise Forbidden(msg.ORDER_SENIOR_INACTIVE.format(name=senior.name))
    if senior.status == "paused" and (senior.paused_until is None or day <= senior.paused_until):
        raise Forbidden(msg.ORDER_SENIOR_PAUSED.format(name=senior.name))


# ------------------------------------------------------------------ open, once, in reach


def check_open(session: Session, actor: Actor, menu: Menu, slot: CanteenSlot, fulfilment: str,
                at: datetime) -> datetime:
    cutoff = rules.cutoff_for(slot, menu.service_date, fulfilment, actor.relation)
    if at <= cutoff:
        return cutoff
    today = at.date()
    day, slot_name = rules.day_words(menu.service_date, today), msg.SLOT_NAMES[menu.slot]
    nxt = next_open_words(session, actor, menu, fulfilment, at)
    if fulfilment == "delivery" and at <= rules.cutoff_for(slot, menu.service_date, "dine_in", actor.relation):
        text = msg.ORDER_DELIVERY_CLOSED.format(day=day, slot=slot_name, next=nxt or "其他日子",
                                                cutoff=rules.moment_words(cutoff, today))
        raise OrderClosed(text, field="fulfilment")
    if nxt:
        raise OrderClosed(msg.ORDER_SLOT_CLOSED.format(day=day, slot=slot_name, next=nxt), field="slot")
    raise OrderClosed(msg.ORDER_SLOT_CLOSED_NO_NEXT.format(day=day, slot=slot_name), field="slot")


def next_open_words(session: Session, actor: Actor, menu: Menu, fulfilment: str, at: datetime) -> str:
    """明天 (same meal tomorrow) or 今天晚餐: the next published meal still open for this way of eating. Once per
    request and meal: a week's menus ask it for every closed meal and way, each walking the later menus."""
    return memo(session, ("next_open", menu.canteen_id, menu.service_date, menu.slot, fulfilment, actor.relation,
                          at), lambda: _next_open_words(session, actor, menu, fulfilment, at))


def _next_open_words(session: Session, actor: Actor, menu: Menu, fulfilment: str, at: datetime) -> str:
    later = published_between(session, menu.canteen_id, menu.service_date, menu.service_date + timedelta(days=7),
                           at.date())
    order = {s: i for i, s in enumerate(("breakfast", "lunch", "dinner"))}
    for m in sorted(later, key=lambda m: (m.service_date, order[m.slot])):
        slot = rules.slot_row(session, m.canteen_id, m.slot)
        if (m.service_date, order[m.slot]) <= (menu.service_date, order[menu.slot]) or slot is None:
            continue
        if fulfilment in rules.fulfilments_for(slot) and at <= rules.cutoff_for(
                slot, m.service_date, fulfilment, actor.relation):
            day = rules.day_words(m.service_date, at.date())
            return day if m.slot == menu.slot else day + msg.SLOT_NAMES[m.slot]
    return ""


LATER_DAYS = 15  # the published menus of a canteen one request reads at once, from today


def published_between(session: Session, canteen_id: int, first: date, last: date, today: date) -> list[Menu]:
    """The canteen's published menus from `first` (today at the earliest: none before can still be open) to
    `last`, by date. One query per request and canteen serves the page's meals and every closed meal's "next
    open" words, not one per meal's date."""
    start = max(first, today)
    if last > today + timedelta(days=LATER_DAYS):
        return _published(session, canteen_id, start, last)
    window = memo(session, ("later", canteen_id, today), lambda: _window(session, canteen_id, today))
    return [m for m in window if start <= m.service_date <= last]


def _window(session: Session, canteen_id: int, today: date) -> tuple[Menu, ...]:
    """The canteen's published menus of the next `LATER_DAYS` days, kept per process under the catalogue stamp
    like built menus (publishing or withdrawing a menu moves it): every menu page and menus call asks for them,
    and they change a few times a week (issue 21). Copies no session owns, shared read-only."""
    last = today + timedelta(days=LATER_DAYS)
    if not revision.stamp_known(session):  # read the stamp with the menus: one statement, not two
        menus = tuple(_published(session, canteen_id, today, last))
        return _file_window(session, canteen_id, today, menus) if menus else menus
    return cast(tuple[Menu, ...], revision.kept(session, ("published", canteen_id, today), lambda: tuple(
        Menu.model_validate(m) for m in _published(session, canteen_id, today, last))))


def _file_window(session: Session, canteen_id: int, today: date, menus: tuple[Menu, ...]) -> tuple[Menu, ...]:
    return cast(tuple[Menu, ...], revision.kept(session, ("published", canteen_id, today),
                                                lambda: tuple(Menu.model_validate(m) for m in menus)))


def _published(session: Session, canteen_id: int, first: date, last: date) -> list[Menu]:
    """The menus, and the catalogue stamp in the same statement: the built menus kept under it need no query
    of their own for it (issue 21)."""
    rows = session.exec(_PUBLISHED, params={"canteen_id": canteen_id, "first": first, "last": last}).all()
    if rows:
        revision.stamp_read(session, rows[0][1])
    return [menu for menu, _stamp in rows]


_PUBLISHED = (select(Menu, revision.STAMP_COLUMN)
              .where(col(Menu.canteen_id) == bindparam("canteen_id"), col(Menu.status) == "published",
                     col(Menu.service_date).between(bindparam("first"), bindparam("last")))
              .order_by(col(Menu.service_date)))


def check_not_ordered(session: Session, senior: Senior, menu: Menu, at: datetime) -> None:
    """One meal per senior, date and slot: a second tap from a fresh screen must not cook twice. (Placing an
    order reads this with its idempotency key in one query and leaves the answer in the request memo.)"""
    existing = memo(session, standing_key(senior.id or 0, menu), lambda: session.exec(select(Order).where(
        Order.senior_id == senior.id, Order.service_date == menu.service_date, Order.slot == menu.slot,
        col(Order.status).in_(STANDING))).first())
    if existing is not None:
        raise Conflict(msg.ORDER_ALREADY_PLACED.format(
            day=rules.day_words(menu.service_date, at.date()), slot=msg.SLOT_NAMES[menu.slot],
            public_no=existing.public_no), field="slot")


def standing_key(senior_id: int, menu: Menu) -> tuple[object, ...]:
    """The request-memo key of the senior's standing order for the menu's date and slot (None: none)."""
    return ("standing_meal", senior_id, menu.service_date, menu.slot)


def check_delivery(canteen: Canteen, senior: Senior, fulfilment: str) -> None:
    if fulfilment != "delivery":
        return
    distance = rules.distance_m(canteen, senior)
    if distance is None:
        raise OutOfRange(msg.ORDER_NO_ADDRESS, field="fulfilment")
    if distance > canteen.delivery_radius_m:
        raise OutOfRange(msg.ORDER_OUT_OF_RANGE.format(
            canteen=canteen.name, name=senior.name, radius=f"{canteen.delivery_radius_m / 1000:g}",
            distance=f"{distance / 1000:.1f}"), field="fulfilment")
