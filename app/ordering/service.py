"""Placing and cancelling meal orders: portions never oversold, allergy and texture safety, one price from the
subsidy engine, and one order per idempotency key (who may order, cutoffs and the delivery radius are checked in
`ordering_checks`, re-exported here).

`place_order` locks the senior's row before quoting, so two concurrent orders cannot both take a daily subsidy,
and takes portions with a conditional UPDATE, so many concurrent orders cannot oversell the last ones. Every
refusal is an `AppError` whose `field` names the cause ("slot", "item", "fulfilment"), so a page can say it next
to what the user chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, insert, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel, col, select

from app import pricing
from app import subsidy as pricing_service
from app.core import audit, db, revision
from app.core import messages as msg
from app.core.db import get_row
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from app.core.principal import Principal
from app.core.settings import get_settings
from app.models import (
    Canteen,
    CanteenSlot,
    Menu,
    MenuItem,
    Order,
    OrderEvent,
    OrderLine,
    OrderNumberCounter,
    OrderSubsidy,
    Senior,
)
from app.ordering import rules, writes
from app.ordering.checks import (
    STANDING,
    Actor,
    AllergyBlocked,
    OrderClosed,
    OutOfRange,
    SoldOut,
    actor_for,
    check_delivery,
    check_not_ordered,
    check_open,
    check_senior_active,
    is_linked,
    next_open_words,
    standing_key,
)

__all__ = [
    "STANDING", "Actor", "AllergyBlocked", "Choice", "Draft", "DraftLine", "OrderClosed", "OrderRequest",
    "OutOfRange", "SoldOut", "actor_for", "cancel_order", "check_cancellable", "check_delivery",
    "check_not_ordered", "check_open", "check_senior_active", "is_linked", "next_open_words", "order_by_key",
    "place_or_replay", "place_order", "prepare",
]

# Until canteens carry their own fee, doorstep delivery costs this (DOMAIN.md: 2–4 元, usually unsubsidised).
DELIVERY_FEE_FEN = 300
MAX_QUANTITY = 5
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Choice:
    """One menu item; texture "" means the texture closest to the senior's own need."""

    menu_item_id: int
    quantity: int = 1
    texture: str = ""
    portion: str = "标准"


@dataclass(frozen=True)
class OrderRequest:
    senior_id: int
    menu_id: int
    fulfilment: str
    choices: tuple[Choice, ...]
    idempotency_key: str = ""
    note: str = ""


@dataclass(frozen=True)
class DraftLine:
    item: rules.ItemFacts
    quantity: int
    texture: str
    portion: str
    unit_price_fen: int


@dataclass(frozen=True)
class Draft:
    """A checked, priced order not yet written: what the confirmation page shows and place_order stores."""

    senior: Senior
    canteen: Canteen
    menu: Menu
    slot: CanteenSlot
    fulfilment: str
    lines: tuple[DraftLine, ...]
    breakdown: pricing.PriceBreakdown
    cutoff: datetime
    changeable_until: datetime
    arrival: str


# ------------------------------------------------------------------ checking and pricing a request


def prepare(session: Session, actor: Actor, request: OrderRequest, *, at: datetime | None = None,
            senior: Senior | None = None, portions_taken_after: bool = False) -> Draft:
    """Check every rule and price the order, writing nothing. Raises the AppError of the first problem.
    `portions_taken_after`: the caller takes the portions with `_reserve` next, whose conditional UPDATE is the
    check that holds, so the portions left are not read first (issue 21: one statement less per order)."""
    at = at or rules.current_time()
    senior = senior or get_row(session, Senior, request.senior_id)
    if senior is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    menu, canteen, slot = _meal(session, actor, request)
    check_senior_active(senior, menu.service_date)
    cutoff = check_open(session, actor, menu, slot, request.fulfilment, at)
    check_not_ordered(session, senior, menu, at)
    lines = _lines(session, senior, menu, request.choices, counted=not portions_taken_after)
    check_delivery(canteen, senior, request.fulfilment)
    fee = DELIVERY_FEE_FEN if request.fulfilment == "delivery" else 0
    breakdown = pricing_service.quote(
        session, senior.id or 0, canteen.id or 0, menu.service_date, menu.slot, request.fulfilment,
        [pricing.Line(str(ln.item.id), ln.item.name, ln.unit_price_fen, ln.quantity) for ln in lines],
        delivery_fee_fen=fee, canteen_row=canteen)
    until = max(cutoff, at + timedelta(minutes=get_settings().grace_minutes))
    return Draft(senior, canteen, menu, slot, request.fulfilment, lines, breakdown, cutoff, until,
                 rules.arrival_words(slot, menu.service_date, request.fulfilment, at.date()))


def _meal(session: Session, actor: Actor, request: OrderRequest) -> tuple[Menu, Canteen, CanteenSlot]:
    menu = rules.menu_row(session, request.menu_id)
    if menu is None or menu.status != "published":
        raise NotFound(msg.ORDER_MENU_NOT_FOUND)
    if not actor.may_use_canteen(menu.canteen_id):
        raise Forbidden(msg.ORDER_COUNTER_OTHER_CANTEEN)
    canteen = rules.canteen_row(session, menu.canteen_id)
    slot = rules.slot_row(session, menu.canteen_id, menu.slot)
    if canteen is None or slot is None:
        raise NotFound(msg.ORDER_MENU_NOT_FOUND)
    if request.fulfilment not in ("dine_in", "pickup", "delivery"):
        raise InvalidInput({"fulfilment": msg.ORDER_FULFILMENT_INVALID})
    if request.fulfilment not in rules.fulfilments_for(slot):
        raise OutOfRange(msg.ORDER_NO_DELIVERY.format(slot=msg.SLOT_NAMES[menu.slot]), field="fulfilment")
    return menu, canteen, slot


def _lines(session: Session, senior: Senior, menu: Menu, choices: tuple[Choice, ...], *,
           counted: bool = True) -> tuple[DraftLine, ...]:
    if not choices:
        raise InvalidInput({"item": msg.ORDER_NO_ITEMS})
    items = rules.menu_items(session, menu.id or 0, sold_counts=counted)
    by_id = {i.id: i for i in items}
    try:
        return tuple(_line(senior, by_id, items, c) for c in choices)
    except (SoldOut, AllergyBlocked):
        if counted:
            raise
        # The refusal names what is left and a safe alternative: say it from today's sold counts.
        return _lines(session, senior, menu, choices)


def _line(senior: Senior, by_id: dict[int, rules.ItemFacts], items: list[rules.ItemFacts],
          choice: Choice) -> DraftLine:
    item = by_id.get(choice.menu_item_id)
    if item is None:
        raise InvalidInput({"item": msg.ORDER_ITEM_NOT_ON_MENU})
    if not 1 <= choice.quantity <= MAX_QUANTITY:
        raise InvalidInput({"quantity": msg.ORDER_QUANTITY_INVALID.format(limit=MAX_QUANTITY)})
    _check_allergy(senior, item, items)
    texture = _texture(senior, item, choice.texture)
    if choice.portion == "小份" and item.small_price_fen is None:
        raise InvalidInput({"portion": msg.ORDER_PORTION_NOT_OFFERED})
    if item.left is not None and item.left < choice.quantity:
        raise _sold_out(senior, item, items)
    price = item.small_price_fen if choice.portion == "小份" and item.small_price_fen is not None else item.price_fen
    return DraftLine(item, choice.quantity, texture, "小份" if choice.portion == "小份" else "标准", price)


def _check_allergy(senior: Senior, item: rules.ItemFacts, items: list[rules.ItemFacts]) -> None:
    conflict = rules.allergy_conflict(item, senior.allergy_list)
    if not conflict:
        return
    alt = rules.alternative_for(item, items, senior)
    words = dict(item=item.name, allergens="、".join(conflict), name=senior.name)
    if alt is None:
        raise AllergyBlocked(msg.ORDER_ALLERGY_NO_ALT.format(**words))
    raise AllergyBlocked(msg.ORDER_ALLERGY.format(**words, alternative=alt.name), alternative_id=alt.id)


def _texture(senior: Senior, item: rules.ItemFacts, wanted: str) -> str:
    safe = rules.safe_textures(item, senior.texture)
    offered = "、".join(item.textures) or "无"
    if not safe:
        raise InvalidInput({"texture": msg.ORDER_TEXTURE_UNSAFE.format(
            name=senior.name, need=senior.texture, offered=offered)})
    if not wanted:
        return safe[0]
    if wanted not in safe:
        raise InvalidInput({"texture": msg.ORDER_TEXTURE_NOT_OFFERED.format(
            texture=wanted, offered="、".join(safe))})
    return wanted


def _sold_out(senior: Senior, item: rules.ItemFacts, items: list[rules.ItemFacts]) -> SoldOut:
    alt = rules.alternative_for(item, items, senior)
    if item.left:
        return SoldOut(msg.ORDER_NOT_ENOUGH_LEFT.format(item=item.name, left=item.left))
    if alt is None:
        return SoldOut(msg.ORDER_SOLD_OUT_NO_ALT.format(item=item.name))
    return SoldOut(msg.ORDER_SOLD_OUT.format(item=item.name, alternative=alt.name), alternative_id=alt.id)


# ------------------------------------------------------------------ placing


def place_order(session: Session, actor: Actor, request: OrderRequest, *, at: datetime | None = None) -> Order:
    """Check, price and store one order, committing once. The same (placer, idempotency key) returns the order
    already stored: a dropped network and a second tap make one order, never two."""
    return place_or_replay(session, actor, request, at=at).order


@dataclass(frozen=True)
class Placed:
    """The order, whether this request created it, and (when it did) the rows its confirmation shows, still
    loaded after the commit so the answer needs no second round of reads."""

    order: Order
    created: bool
    lines: tuple[OrderLine, ...] = ()
    senior: Senior | None = None
    canteen: Canteen | None = None
    slot: CanteenSlot | None = None


def place_or_replay(session: Session, actor: Actor, request: OrderRequest, *,
                    at: datetime | None = None) -> Placed:
    """`place_order`, and whether the order was created now (False: the key's order, stored earlier).

    The senior's row lock (PostgreSQL) and the write lock taken at BEGIN (SQLite) serialise orders for one
    senior; should a race get past them anyway, the database's unique indexes refuse the second order and the
    attempt starts again, seeing the first: then it is the idempotent replay, the service's own refusal
    ("已经订了"), or an order priced without the subsidy the first one took. Never a 500."""
    if not KEY_RE.match(request.idempotency_key):
        raise InvalidInput({"idempotency_key": msg.ORDER_IDEMPOTENCY_REQUIRED})
    at = at or rules.current_time()
    for _attempt in range(3):
        try:
            return _place(session, actor, request, at)
        except IntegrityError:
            session.rollback()
        except AppError:
            session.rollback()
            raise
    raise Conflict(msg.ORDER_RACE_LOST, field="slot")


def _place(session: Session, actor: Actor, request: OrderRequest, at: datetime) -> Placed:
    db.begin_write(session)
    senior = _lock_senior(session, request.senior_id)
    existing = _key_and_meal(session, actor.user_id, request)
    if existing is not None:
        if existing.senior_id != request.senior_id:
            raise Conflict(msg.ORDER_IDEMPOTENCY_REUSED, field="idempotency_key")
        return Placed(existing, created=False)
    draft = prepare(session, actor, request, at=at, senior=senior, portions_taken_after=True)
    order, lines = _store(session, actor, request, draft, at)
    _commit_keeping_rows(session)
    return Placed(order, True, tuple(lines), draft.senior, draft.canteen, draft.slot)


def _commit_keeping_rows(session: Session) -> None:
    """Commit without expiring what this request just wrote and read: they are answered from memory."""
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _lock_senior(session: Session, senior_id: int) -> Senior:
    """The senior's row lock (as `subsidy.lock_senior`), reading the catalogue stamp in the same statement."""
    row = session.exec(_LOCK_SENIOR, params={"senior_id": senior_id}).first()
    if row is None:
        raise NotFound(msg.SENIOR_NOT_FOUND)
    revision.stamp_read(session, row[1])
    return cast(Senior, row[0])


def _key_and_meal(session: Session, user_id: int, request: OrderRequest) -> Order | None:
    """The order of this idempotency key, read in the same query as the senior's standing order for the meal
    (which `check_not_ordered` then finds in the request memo): one round trip for both, after the senior's
    row lock, so neither can change before this request commits."""
    menu = rules.menu_row(session, request.menu_id)
    if menu is None:
        return order_by_key(session, user_id, request.idempotency_key)
    found = session.exec(_KEY_AND_MEAL, params={
        "user_id": user_id, "key": request.idempotency_key, "senior_id": request.senior_id,
        "day": menu.service_date, "slot": menu.slot}).all()
    keyed = next((o for o in found if o.placed_by_id == user_id and o.idempotency_key == request.idempotency_key),
                 None)
    standing = next((o for o in found if o.senior_id == request.senior_id and o.service_date == menu.service_date
                     and o.slot == menu.slot and o.status in STANDING), None)
    db.memo(session, standing_key(request.senior_id, menu), lambda: standing)
    return keyed


# The order path's statements, built once at import: SQLAlchemy then finds each compiled form by its cache key
# instead of building the expression anew per order (issue 21).
_LOCK_SENIOR = (select(Senior, revision.STAMP_COLUMN).where(col(Senior.id) == bindparam("senior_id"))
                .with_for_update(of=Senior))
_KEY_AND_MEAL = select(Order).where(
    ((col(Order.placed_by_id) == bindparam("user_id")) & (col(Order.idempotency_key) == bindparam("key")))
    | ((col(Order.senior_id) == bindparam("senior_id")) & (col(Order.service_date) == bindparam("day"))
       & (col(Order.slot) == bindparam("slot")) & col(Order.status).in_(STANDING)))
# Takes portions: the row lock and the re-checked WHERE hold the limit however many orders race. No ORM rows
# of menu items are loaded on this path (ordering reads them as ItemFacts), so there is nothing to synchronise.
_ITEMS = MenuItem.__table__  # type: ignore[attr-defined]
# As a statement on the table, not the ORM entity: SQLAlchemy's ORM bulk-update path cost more than the UPDATE.
_TAKE_PORTIONS = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item_id"),
           or_(_ITEMS.c.quantity_limit.is_(None),
               _ITEMS.c.sold_count + bindparam("quantity") <= _ITEMS.c.quantity_limit))
    .values(sold_count=_ITEMS.c.sold_count + bindparam("quantity"))
)


def order_by_key(session: Session, user_id: int, key: str) -> Order | None:
    return session.exec(select(Order).where(Order.placed_by_id == user_id, Order.idempotency_key == key)).first()


def _store(session: Session, actor: Actor, request: OrderRequest, draft: Draft,
           at: datetime) -> tuple[Order, list[OrderLine]]:
    """Take the portions, then write the order's rows: on PostgreSQL number, order, lines, shares and event are
    one statement (`writes`), so the locks on the item and counter rows every order of this meal waits for last
    two round trips; on SQLite (one writer) they are written in sequence."""
    _reserve(session, draft)
    senior, menu = draft.senior, draft.menu
    delivery = draft.fulfilment == "delivery"
    order = Order(
        public_no="", short_no=0, senior_id=senior.id or 0,
        canteen_id=menu.canteen_id, menu_id=menu.id or 0, service_date=menu.service_date, slot=menu.slot,
        fulfilment=draft.fulfilment, placed_by_id=actor.user_id, placed_via=actor.via,
        idempotency_key=request.idempotency_key, created_at=at, changeable_until=draft.changeable_until,
        address_snapshot=senior.address if delivery else "", lat=senior.lat if delivery else None,
        lng=senior.lng if delivery else None, note=request.note.strip()[:200],
        subsidy_day=pricing_service.subsidy_day_for(session, draft.breakdown, menu.service_date),
        **pricing_service.snapshot_fields(draft.breakdown))
    lines = [OrderLine(order_id=0, menu_id=menu.id or 0, menu_item_id=ln.item.id, name=ln.item.name,
                       quantity=ln.quantity, texture=ln.texture, portion=ln.portion,
                       unit_price_fen=ln.unit_price_fen) for ln in draft.lines]
    shares = pricing_service.subsidy_rows(0, draft.breakdown)
    event = OrderEvent(order_id=0, at=at, status="placed", by_user_id=actor.user_id,
                       note=msg.ROLE_NAMES.get(actor.relation if actor.relation != "self" else "senior", ""))
    if session.get_bind().dialect.name == "postgresql":
        written = writes.write_order(session, _columns(order, "short_no", "public_no"),
                                     [_columns(ln, "order_id") for ln in lines],
                                     [_columns(s, "order_id") for s in shares], _columns(event, "order_id"))
        oid, order.short_no, order.public_no = written.order_id, written.short_no, written.public_no
    else:
        oid = _store_in_sequence(session, order, lines, shares, event)
    # Written as plain INSERTs, not through the unit of work: the rows are new, nothing else in the session
    # refers to them, and the flush's bookkeeping was a fifth of an order's time (issue 21). The order joins
    # the session as the stored row it now is; the lines stay in hand for the confirmation.
    order.id = oid
    for line in lines:
        line.order_id = oid
    make_transient_to_detached(order)
    session.add(order)  # persistent now, as a loaded row is: callers may refresh or change it
    if actor.relation != "self":
        audit.record(session, user_id=actor.user_id, action=f"order.placed_by_{actor.relation}",
                     object_type="meal_order", object_id=oid, detail=f"为长者 {senior.id} 下单 {order.public_no}")
    return order, lines


def _store_in_sequence(session: Session, order: Order, lines: list[OrderLine], shares: list[OrderSubsidy],
                       event: OrderEvent) -> int:
    """SQLite: the short number, then each table's INSERT."""
    order.short_no = next_short_no(session, order.service_date, order.canteen_id)
    order.public_no = writes.public_no(order.service_date, order.canteen_id, order.short_no)
    oid = int(session.execute(_INSERT_ORDER, _columns(order)).scalar_one())
    for row in (*lines, *shares, event):
        row.order_id = oid
    session.execute(_INSERT_LINES, [_columns(ln) for ln in lines])
    if shares:
        session.execute(_INSERT_SHARES, [_columns(s) for s in shares])
    session.execute(_INSERT_EVENT, _columns(event))
    return oid


def _columns(row: SQLModel, *left_out: str) -> dict[str, Any]:
    """A new row's column values (its defaults filled in by the model), without the id the database gives and
    the columns the statement fills itself."""
    return row.model_dump(exclude={"id", *left_out})


_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)  # type: ignore[attr-defined]
_INSERT_LINES = insert(OrderLine.__table__)  # type: ignore[attr-defined]
_INSERT_SHARES = insert(OrderSubsidy.__table__)  # type: ignore[attr-defined]
_INSERT_EVENT = insert(OrderEvent.__table__)  # type: ignore[attr-defined]


def next_short_no(session: Session, day: date, canteen_id: int) -> int:
    """The next short order number of this canteen and date, in one statement: INSERT ... ON CONFLICT DO UPDATE
    ... RETURNING makes the counter row at 1 or moves it on under its row lock, so concurrent orders wait for
    each other and never share a number. A rolled-back order gives its number back with the row."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = _NEXT_NO_PG if dialect is postgresql else _NEXT_NO_SQLITE
    return int(session.execute(statement, {"day": day, "canteen_id": canteen_id}).scalar_one())


def _next_no_statement(dialect: object) -> Any:
    """Built once at import: the statement's compiled form is then reused from SQLAlchemy's cache."""
    counter = OrderNumberCounter.__table__  # type: ignore[attr-defined]
    insert = dialect.insert(counter).values(  # type: ignore[attr-defined]
        service_date=bindparam("day"), canteen_id=bindparam("canteen_id"), last_no=1)
    return insert.on_conflict_do_update(
        index_elements=["service_date", "canteen_id"], set_={"last_no": counter.c.last_no + 1},
    ).returning(counter.c.last_no)


_NEXT_NO_PG = _next_no_statement(postgresql)
_NEXT_NO_SQLITE = _next_no_statement(sqlite)


def _reserve(session: Session, draft: Draft) -> None:
    """Take portions with one conditional UPDATE per item (in id order, so concurrent orders never deadlock):
    the row lock and the re-checked WHERE make the limit hold however many orders race for the last ones."""
    for line in sorted(draft.lines, key=lambda ln: ln.item.id):
        taken = session.execute(_TAKE_PORTIONS, {"item_id": line.item.id, "quantity": line.quantity})
        if getattr(taken, "rowcount", 0) != 1:
            rules.forget_menu_items(session)
            items = rules.menu_items(session, draft.menu.id or 0)
            fresh = next(i for i in items if i.id == line.item.id)
            raise _sold_out(draft.senior, fresh, items)


# ------------------------------------------------------------------ cancelling


def cancel_order(session: Session, principal: Principal, order_id: int, *, at: datetime | None = None,
                 api: bool = False) -> Order:
    """Cancel until the order's `changeable_until`; the portions go back on the menu and the subsidy slot is
    released (pricing counts only standing orders). A conditional UPDATE makes a double cancel harmless."""
    at = at or rules.current_time()
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(msg.ORDER_NOT_FOUND)
    actor = actor_for(session, principal, order.senior_id, api=api)
    if not actor.may_use_canteen(order.canteen_id):
        raise Forbidden(msg.ORDER_COUNTER_OTHER_CANTEEN)
    check_cancellable(order, at)
    done = session.exec(update(Order).where(col(Order.id) == order_id, col(Order.status) == "placed")
                        .values(status="cancelled", cancelled_at=at))
    if done.rowcount != 1:
        session.rollback()
        raise Conflict(msg.ORDER_ALREADY_CANCELLED)
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all():
        session.exec(update(MenuItem).where(col(MenuItem.id) == line.menu_item_id)
                     .values(sold_count=col(MenuItem.sold_count) - line.quantity))
    session.add(OrderEvent(order_id=order_id, at=at, status="cancelled", by_user_id=principal.user_id))
    pricing_service.reverse_order_vouchers(session, order_id, user_id=principal.user_id,
                                           reason=msg.VOUCHER_CANCEL_REASON)
    session.commit()
    session.refresh(order)
    return order


def check_cancellable(order: Order, at: datetime) -> None:
    if order.status == "cancelled":
        raise Conflict(msg.ORDER_ALREADY_CANCELLED)
    if order.status != "placed":
        raise Conflict(msg.ORDER_NOT_PLACED.format(status=msg.ORDER_STATUS_NAMES.get(order.status, order.status)))
    if at > order.changeable_until:
        raise Conflict(msg.ORDER_NOT_CANCELLABLE.format(
            until=rules.moment_words(order.changeable_until, at.date())), field="order")
