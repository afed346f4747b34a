"""What the ordering pages and the API show: a meal's menu as the senior may order it, the week ahead, upcoming
orders with whether they can still be cancelled, "和上次一样", a helper's seniors and the counter's search.

Each item says in words why it cannot be chosen (allergy, texture, sold out) before anyone taps it, using the
same rules `ordering.prepare` enforces."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, or_, select

from app.core import messages as msg
from app.core import revision
from app.core.db import get_row, memo
from app.core.errors import AppError, Forbidden, NotFound
from app.core.memo import memo_has
from app.core.principal import Principal
from app.core.privacy import mask_phone
from app.core.settings import TZ
from app.models import Canteen, CanteenSlot, HelperLink, Menu, MenuItem, Order, OrderLine, Senior
from app.ordering import rules
from app.ordering import service as ordering
from app.ordering.checks import published_between

SLOT_ORDER = {"breakfast": 0, "lunch": 1, "dinner": 2}
FULFILMENT_ORDER = ("dine_in", "pickup", "delivery")


@dataclass(frozen=True)
class ItemView:
    item: rules.ItemFacts
    textures: tuple[str, ...]
    blocked: str
    alternative_id: int | None


@dataclass(frozen=True)
class WayView:
    """One way of eating a meal (堂食 / 自取 / 送餐上门): open until when, or why not."""

    fulfilment: str
    open: bool
    cutoff_words: str
    problem: str


@dataclass(frozen=True)
class OrderView:
    id: int
    public_no: str
    order_no: str  # short, read out over the phone: 0012 (orders from before short numbers: their public_no)
    senior_id: int
    senior_name: str
    canteen_name: str
    service_date: date
    day_words: str
    slot: str
    fulfilment: str
    status: str
    items: tuple[str, ...]
    list_fen: int
    discount_fen: int
    subsidy_fen: int
    payable_fen: int
    delivery_fee_fen: int
    explanation: str
    category_name: str
    address: str
    arrival: str
    cancellable: bool
    changeable_until_words: str
    placed_via: str
    no_subsidy: str = ""  # why there is no subsidy, in plain words ("" when there is one)


@dataclass(frozen=True)
class MealView:
    menu_id: int
    canteen_id: int
    canteen_name: str
    service_date: date
    day_words: str
    slot: str
    items: tuple[ItemView, ...]
    ways: tuple[WayView, ...]
    order: OrderView | None

    @property
    def title(self) -> str:
        return self.day_words + msg.SLOT_NAMES[self.slot]

    @property
    def open(self) -> bool:
        return self.order is None and any(w.open for w in self.ways)

    def way(self, fulfilment: str) -> WayView | None:
        return next((w for w in self.ways if w.fulfilment == fulfilment), None)

    def item(self, item_id: int) -> ItemView | None:
        return next((i for i in self.items if i.item.id == item_id), None)


@dataclass(frozen=True)
class SeniorCard:
    """What every ordering page shows about whom it orders for (no ID number, phone masked)."""

    id: int
    name: str
    age: int
    texture: str
    allergies: tuple[str, ...]
    restrictions: tuple[str, ...]
    preferred_fulfilment: str
    address: str
    phone_masked: str
    card_no: str
    relation: str


# ------------------------------------------------------------------ the senior and their canteen


def senior_card(session: Session, senior_id: int, today: date, relation: str = "") -> SeniorCard:
    senior = get_row(session, Senior, senior_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    age = today.year - senior.birth_date.year - ((today.month, today.day) < (senior.birth_date.month,
                                                                              senior.birth_date.day))
    return SeniorCard(senior.id or 0, senior.name, age, senior.texture, tuple(senior.allergy_list),
                      tuple(senior.restriction_list), senior.preferred_fulfilment, senior.address,
                      mask_phone(senior.phone), senior.card_no or "", relation)


def canteen_id_for(session: Session, actor: ordering.Actor, senior_id: int) -> int:
    """Counter staff order at their own counter; everyone else at the senior's usual canteen."""
    if actor.relation == "counter":
        own = sorted(c for c in actor.counter_canteens if c is not None)
        if own:
            return own[0]
    senior = get_row(session, Senior, senior_id)
    if senior is None or senior.default_canteen_id is None:
        raise NotFound(msg.ORDER_NO_CANTEEN)
    return senior.default_canteen_id


# ------------------------------------------------------------------ one meal


def meal_view(session: Session, actor: ordering.Actor, senior_id: int, menu: Menu, at: datetime) -> MealView:
    senior = get_row(session, Senior, senior_id)
    canteen = rules.canteen_row(session, menu.canteen_id)
    if senior is None or canteen is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    items = rules.menu_items(session, menu.id or 0)
    today = at.date()
    return MealView(menu.id or 0, canteen.id or 0, canteen.name, menu.service_date,
                    rules.day_words(menu.service_date, today), menu.slot,
                    _named(item_views(tuple(items), rules.Diet.of(senior)), senior.name),
                    _ways(session, actor, senior, canteen, menu, at), _standing_order(session, senior_id, menu, at))


@lru_cache(maxsize=4096)
def item_views(items: tuple[rules.ItemFacts, ...], diet: rules.Diet) -> tuple[ItemView, ...]:
    """Each item as this diet may order it. A pure function of the items (sold counts included) and the diet,
    kept per process: a week of menus asks it for every item and every blocked item's alternative, and the same
    menus and diets come back request after request (issue 21)."""
    return tuple(_item_view(diet, i, items) for i in items)


_NAME = "\x00name\x00"  # where the senior's name goes in a kept view's words (kept views hold no name)


def _named(views: tuple[ItemView, ...], name: str) -> tuple[ItemView, ...]:
    if not any(_NAME in v.blocked for v in views):
        return views
    return tuple(dataclasses.replace(v, blocked=v.blocked.replace(_NAME, name)) if _NAME in v.blocked else v
                 for v in views)


def _item_view(senior: rules.Diet, item: rules.ItemFacts, items: Sequence[rules.ItemFacts]) -> ItemView:
    conflict = rules.allergy_conflict(item, senior.allergy_list)
    safe = rules.safe_textures(item, senior.texture)
    blocked = ""
    if conflict:
        blocked = f"含有{'、'.join(conflict)}，{_NAME}对{'、'.join(conflict)}过敏"
    elif not safe:
        blocked = f"没有{senior.texture}做法"
    elif item.sold_out:
        blocked = "已订完"
    alt = rules.alternative_for(item, items, senior) if blocked else None
    return ItemView(item, safe, blocked, alt.id if alt else None)


def _ways(session: Session, actor: ordering.Actor, senior: Senior, canteen: Canteen, menu: Menu,
          at: datetime) -> tuple[WayView, ...]:
    slot = rules.slot_row(session, canteen.id or 0, menu.slot)
    if slot is None:
        return ()
    ways = []
    for fulfilment in rules.fulfilments_for(slot):
        cutoff = rules.cutoff_for(slot, menu.service_date, fulfilment, actor.relation)
        problem = _way_problem(session, actor, senior, canteen, menu, slot, fulfilment, at)
        ways.append(WayView(fulfilment, not problem, rules.moment_words(cutoff, at.date()) + "前可订", problem))
    return tuple(ways)


def _way_problem(session: Session, actor: ordering.Actor, senior: Senior, canteen: Canteen, menu: Menu,
                 slot: CanteenSlot, fulfilment: str, at: datetime) -> str:
    try:
        ordering.check_open(session, actor, menu, slot, fulfilment, at)
        ordering.check_delivery(canteen, senior, fulfilment)
    except AppError as e:
        return e.message
    return ""


def _standing_order(session: Session, senior_id: int, menu: Menu, at: datetime) -> OrderView | None:
    order = _standing_orders(session, senior_id, at.date()).get((menu.service_date, menu.slot))
    return order_view_of(session, order, at) if order else None


def _standing_orders(session: Session, senior_id: int, today: date) -> dict[tuple[date, str], Order]:
    """The senior's standing orders from today on, read once for every meal of the page."""
    return memo(session, ("standing", senior_id, today), lambda: _file_standing(
        session, [(order, line) for order, line in session.exec(
            _STANDING_FROM, params={"senior_id": senior_id, "today": today}).all()]))


def _file_standing(session: Session, rows: Sequence[tuple[Order | None, OrderLine | None]]
                   ) -> dict[tuple[date, str], Order]:
    # the orders with their lines; the lines go where `_lines_of` keeps them
    orders: dict[int, Order] = {}
    lines: dict[int, list[OrderLine]] = {}
    for order, line in rows:
        if order is None:
            continue
        orders.setdefault(order.id or 0, order)
        found = lines.setdefault(order.id or 0, [])
        if line is not None:
            found.append(line)
    known: dict[int, list[OrderLine]] = memo(session, "order_lines", dict)
    known.update(lines)
    return {(o.service_date, o.slot): o for o in orders.values()}


def load_senior(session: Session, senior_id: int, today: date) -> None:
    """The senior, the catalogue stamp and the senior's standing orders from today with their lines, in one
    statement, left in the request memo where `get_row`, the kept catalogue and `_standing_orders` look: a
    menu page or menus call then reads the published menus and built items from the process's shelf and asks
    the database only for sold counts (issue 21). Does nothing once the senior has been read."""
    if memo_has(session, (Senior.__name__, senior_id)):
        return
    rows = session.exec(_SENIOR_AND_STANDING, params={"senior_id": senior_id, "today": today}).all()
    senior = rows[0][0] if rows else None
    memo(session, (Senior.__name__, senior_id), lambda: senior)
    if senior is None:
        return
    if not revision.stamp_known(session):
        revision.stamp_read(session, rows[0][3])
    standing = _file_standing(session, [(order, line) for _s, order, line, _stamp in rows])
    memo(session, ("standing", senior_id, today), lambda: standing)


# Read on every menu request: built once, so only its compiled form is looked up (issue 21).
_STANDING_FROM = (select(Order, OrderLine)
                  .outerjoin(OrderLine, col(OrderLine.order_id) == col(Order.id))
                  .where(col(Order.senior_id) == bindparam("senior_id"),
                         col(Order.service_date) >= bindparam("today"), col(Order.status).in_(ordering.STANDING))
                  .order_by(col(Order.id), col(OrderLine.id)))
_SENIOR_AND_STANDING = (
    select(Senior, Order, OrderLine, revision.STAMP_COLUMN)
    .outerjoin(Order, (col(Order.senior_id) == col(Senior.id)) & (col(Order.service_date) >= bindparam("today"))
               & col(Order.status).in_(ordering.STANDING))
    .outerjoin(OrderLine, col(OrderLine.order_id) == col(Order.id))
    .where(col(Senior.id) == bindparam("senior_id"))
    .order_by(col(Order.id), col(OrderLine.id)))
_LINES_OF = (select(OrderLine).where(col(OrderLine.order_id).in_(bindparam("ids", expanding=True)))
             .order_by(col(OrderLine.id)))


def meal_views(session: Session, actor: ordering.Actor, senior_id: int, menus: Sequence[Menu],
                at: datetime) -> list[MealView]:
    rules.load_menu_items(session, [m.id or 0 for m in menus])
    return [meal_view(session, actor, senior_id, m, at) for m in menus]


def find_menu(session: Session, canteen_id: int, day: date, slot: str) -> Menu | None:
    return session.exec(select(Menu).where(Menu.canteen_id == canteen_id, Menu.service_date == day,
                                           Menu.slot == slot, Menu.status == "published")).first()


def published_menus(session: Session, canteen_id: int, start: date, days: int) -> list[Menu]:
    """From `start` (today) for `days` days, by date and slot."""
    menus = published_between(session, canteen_id, start, start + timedelta(days=days - 1), start)
    return sorted(menus, key=lambda m: (m.service_date, SLOT_ORDER[m.slot]))


def next_meals(session: Session, actor: ordering.Actor, senior_id: int, at: datetime,
               count: int = 4) -> list[MealView]:
    """The next meals still open (or already ordered), today first: the senior's front page."""
    canteen_id = canteen_id_for(session, actor, senior_id)
    menus = published_menus(session, canteen_id, at.date(), 8)
    rules.load_menu_items(session, [m.id or 0 for m in menus])
    found = []
    for menu in menus:  # built one by one: the page shows the first `count`, not a week and a day of meals
        if meal_over(session, menu.canteen_id, menu.service_date, menu.slot, at):
            continue
        view = meal_view(session, actor, senior_id, menu, at)
        if view.open or view.order is not None:
            found.append(view)
        if len(found) == count:
            break
    return found


def meal_over(session: Session, canteen_id: int, day: date, slot: str, at: datetime) -> bool:
    """Serving of this meal has ended: it is no longer upcoming (a meal eaten is not 已订好的餐 any more)."""
    row = rules.slot_row(session, canteen_id, slot)
    return row is not None and at >= datetime.combine(day, row.serve_end, TZ)


@dataclass(frozen=True)
class DayRow:
    day: date
    day_words: str
    meals: tuple[MealView, ...]


def week(session: Session, actor: ordering.Actor, senior_id: int, at: datetime, days: int = 7) -> list[DayRow]:
    """One row per day from today, each published meal of every slot served (早餐 too) with its order or
    whether it is still open."""
    canteen_id = canteen_id_for(session, actor, senior_id)
    rows: dict[date, list[MealView]] = {}
    menus = published_menus(session, canteen_id, at.date(), days)
    for view in meal_views(session, actor, senior_id, menus, at):
        rows.setdefault(view.service_date, []).append(view)
    return [DayRow(d, rules.day_words(d, at.date()), tuple(m)) for d, m in sorted(rows.items())]


# ------------------------------------------------------------------ orders


def order_view_of(session: Session, order: Order, at: datetime) -> OrderView:
    lines = _lines_of(session, [order.id or 0])[order.id or 0]
    senior = get_row(session, Senior, order.senior_id)
    canteen = rules.canteen_row(session, order.canteen_id)
    return _order_view(order, lines, senior, canteen, rules.slot_row(session, order.canteen_id, order.slot), at)


def _lines_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
    """Order lines for several orders in one query, kept for the request (a week page shows many orders)."""
    known: dict[int, list[OrderLine]] = memo(session, "order_lines", dict)
    missing = [o for o in order_ids if o not in known]
    if missing:
        found: dict[int, list[OrderLine]] = {o: [] for o in missing}
        for line in session.exec(_LINES_OF, params={"ids": missing}).all():
            found[line.order_id].append(line)
        known.update(found)
    return {o: known[o] for o in order_ids}


def placed_view(session: Session, placed: ordering.Placed, at: datetime) -> OrderView:
    """The confirmation of an order just placed from the rows still in hand; a replayed key reads it again."""
    if not placed.created:
        return order_view_of(session, placed.order, at)
    return _order_view(placed.order, placed.lines, placed.senior, placed.canteen, placed.slot, at)


def _order_view(order: Order, lines: Sequence[OrderLine], senior: Senior | None, canteen: Canteen | None,
                slot: CanteenSlot | None, at: datetime) -> OrderView:
    today = at.date()
    try:
        ordering.check_cancellable(order, at)
        cancellable = True
    except AppError:
        cancellable = False
    return OrderView(
        order.id or 0, order.public_no, short_order_no(order), order.senior_id, senior.name if senior else "",
        canteen.name if canteen else "", order.service_date, rules.day_words(order.service_date, today),
        order.slot, order.fulfilment, order.status, tuple(_line_words(ln) for ln in lines), order.list_fen,
        order.discount_fen, order.subsidy_fen, order.payable_fen, order.delivery_fee_fen, order.explanation,
        order.category_name, order.address_snapshot,
        rules.arrival_words(slot, order.service_date, order.fulfilment, today) if slot else "",
        cancellable, rules.moment_words(order.changeable_until, today), order.placed_via,
        no_subsidy_words(order.subsidy_fen, order.scheme_key, order.explanation))


def short_order_no(order: Order) -> str:
    """The number a senior reads out: four digits (more only past 9999 orders a day at one canteen)."""
    return f"{order.short_no:04d}" if order.short_no else order.public_no


def _line_words(line: OrderLine) -> str:
    extra = [w for w in (line.texture if line.texture != "普通" else "", "小份" if line.portion == "小份" else "") if w]
    qty = f" × {line.quantity}" if line.quantity > 1 else ""
    return line.name + (f"（{'、'.join(extra)}）" if extra else "") + qty


def upcoming_orders(session: Session, senior_id: int, at: datetime, *, limit: int = 20,
                    canteens: frozenset[int] | None = None, past: bool = True) -> list[OrderView]:
    """`canteens` narrows to those canteens (counter staff see only orders at their own). `past=False` leaves
    out today's meals whose serving has ended: the pages' 已订好的餐 lists what is still to come (issue 17);
    the API keeps every standing order of today."""
    # from the senior's standing orders, which the page's meals have usually read already in this request
    standing = _standing_orders(session, senior_id, at.date()).values()
    orders = sorted((o for o in standing if o.status == "placed" and (canteens is None or o.canteen_id in canteens)),
                    key=lambda o: (o.service_date, o.slot))[:limit]
    views = [order_view_of(session, o, at) for o in orders
             if past or not meal_over(session, o.canteen_id, o.service_date, o.slot, at)]
    return sorted(views, key=lambda v: (v.service_date, SLOT_ORDER[v.slot]))


def order_for(session: Session, principal: Principal, order_id: int, at: datetime) -> OrderView:
    """One order, for whoever may act for its senior (the counter only at its own canteen)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(msg.ORDER_NOT_FOUND)
    actor = ordering.actor_for(session, principal, order.senior_id)
    if not actor.may_use_canteen(order.canteen_id):
        raise Forbidden(msg.ORDER_COUNTER_OTHER_CANTEEN)
    return order_view_of(session, order, at)


# Notes the pricing engine writes when a cap leaves nothing (app.pricing.engine._room).
_CAP_NOTES = ("已享受过补贴", "次数已用完", "额度已用完", "额度为零")


def no_subsidy_words(subsidy_fen: int, scheme_key: str, explanation: str) -> str:
    """Why an order has no subsidy, in plain words, from its price snapshot ("" when it has one): the canteen
    has no scheme, a cap is used up, a rule of the scheme (way of eating, meal, least spend), or the senior is
    not eligible."""
    if subsidy_fen > 0:
        return ""
    notes = [n for n in explanation.split("；") if n]
    if not scheme_key or any(n.startswith("本食堂不在") for n in notes):
        return msg.NO_SUBSIDY_NOT_REGISTERED
    cap = next((n for n in notes if any(c in n for c in _CAP_NOTES)), "")
    if cap:
        return msg.NO_SUBSIDY_CAP_REACHED.format(note=cap)
    rule = next((n for n in notes if n.startswith("补贴仅限") or "可享补贴" in n), "")
    if rule:
        return msg.NO_SUBSIDY_RULE.format(note=rule)
    return msg.NO_SUBSIDY_NOT_ELIGIBLE


# ------------------------------------------------------------------ 和上次一样


@dataclass(frozen=True)
class RepeatOffer:
    """The senior's last order of one slot (早餐, 午餐 or 晚餐), matched onto the meal the page shows."""

    request: ordering.OrderRequest
    meal: MealView
    item_name: str
    texture: str
    fulfilment: str
    payable_fen: int
    list_fen: int
    explanation: str


def repeat_offer(session: Session, actor: ordering.Actor, senior_id: int, meal: MealView | None,
                 at: datetime) -> RepeatOffer | None:
    """和上次一样 for the meal on the page: the last order of the same slot, so lunch and dinner repeat
    separately and the offer always names dishes of the menu it sits above. None when that meal is not open
    or the dishes are not on its menu."""
    if meal is None or not meal.open:
        return None
    menu = rules.menu_row(session, meal.menu_id)
    rows = session.exec(_LAST_OF_SLOT, params={"senior_id": senior_id, "slot": meal.slot}).all()
    if not rows or menu is None:
        return None
    last = rows[0][0]
    return _offer_on(session, actor, senior_id, menu, meal, last, [(line, kind, ref) for _o, line, kind, ref in rows],
                     at)


# The senior's last order of the slot with its lines and what each line's item was (set meal or dish), in one
# statement: the offer is on every menu page a senior opens (issue 21).
_LAST_ID = (select(Order.id).where(col(Order.senior_id) == bindparam("senior_id"), col(Order.slot) == bindparam("slot"),
                                   col(Order.status) != "cancelled")
            .order_by(col(Order.created_at).desc(), col(Order.id).desc()).limit(1).scalar_subquery())
_LAST_OF_SLOT = (select(Order, OrderLine, MenuItem.kind, func.coalesce(MenuItem.set_meal_id, MenuItem.dish_id))
                 .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
                 .outerjoin(MenuItem, col(MenuItem.id) == col(OrderLine.menu_item_id))
                 .where(col(Order.id) == _LAST_ID).order_by(col(OrderLine.id)))


def _offer_on(session: Session, actor: ordering.Actor, senior_id: int, menu: Menu, meal: MealView, last: Order,
              lines: Sequence[tuple[OrderLine, str | None, int | None]], at: datetime) -> RepeatOffer | None:
    targets = rules.menu_items(session, menu.id or 0)
    choices = []
    for line, kind, ref in lines:
        match = next((t for t in targets if kind is not None and t.kind == kind and t.ref_id == ref), None)
        if match is None:
            return None
        choices.append(ordering.Choice(match.id, line.quantity, line.texture, line.portion))
    request = ordering.OrderRequest(senior_id, menu.id or 0, last.fulfilment, tuple(choices))
    if menu.service_date >= at.date():
        # the page has read the senior's standing orders from today on: the "already ordered" check finds its
        # answer there instead of asking again
        standing = _standing_orders(session, senior_id, at.date()).get((menu.service_date, menu.slot))
        memo(session, ordering.standing_key(senior_id, menu), lambda: standing)
    try:
        draft = ordering.prepare(session, actor, request, at=at)
    except AppError:
        return None
    names = "、".join(ln.item.name for ln in draft.lines)
    return RepeatOffer(request, meal, names, draft.lines[0].texture, last.fulfilment,
                       draft.breakdown.payable_fen, draft.breakdown.list_fen, draft.breakdown.explanation)


# ------------------------------------------------------------------ helpers and the counter


@dataclass(frozen=True)
class LinkedSenior:
    card: SeniorCard
    orders: tuple[OrderView, ...]


def helper_seniors(session: Session, helper_id: int, at: datetime) -> list[LinkedSenior]:
    links = session.exec(select(HelperLink).where(HelperLink.helper_id == helper_id,
                                                  col(HelperLink.revoked_at).is_(None))
                         .order_by(col(HelperLink.id))).all()
    return [LinkedSenior(senior_card(session, link.senior_id, at.date(), link.relation),
                         tuple(upcoming_orders(session, link.senior_id, at, limit=6, past=False))) for link in links]


# "1" would match the last digit of every phone: a search by digits names at least this many.
MIN_SEARCH_DIGITS = 4


def find_seniors(session: Session, query: str, at: datetime, *, limit: int = 12,
                 canteens: frozenset[int] | None = None) -> list[SeniorCard]:
    """A walk-in found by name (part of it), phone or card number (whole, or its last 4 digits or more).
    `canteens` narrows to the seniors of those canteens (a counter's own), except a whole card number: the card
    in the clerk's hand is its holder, wherever they usually eat."""
    q = query.strip()
    if not q:
        return []
    # autoescape: a "%" or "_" typed into the search is a character, never a wildcard listing everyone.
    conditions = [col(Senior.name).contains(q, autoescape=True)]
    digits = q.isascii() and q.isdigit()
    if digits and len(q) >= MIN_SEARCH_DIGITS:
        conditions += [col(Senior.phone).like(f"%{q}"), col(Senior.card_no).like(f"%{q}")]
    query_rows = select(Senior).where(or_(*conditions), Senior.status == "active")
    if canteens is not None:
        query_rows = query_rows.where(or_(col(Senior.default_canteen_id).in_(canteens), Senior.card_no == q))
    rows = session.exec(query_rows.order_by(col(Senior.name), col(Senior.id)).limit(limit)).all()
    return [senior_card(session, s.id or 0, at.date()) for s in rows]
