"""An order's rows written in one statement on PostgreSQL.

Placing an order writes five things: the next short number of its canteen and date (a counter row), the order,
its lines, its funders' shares and its first event. One at a time that is five round trips, and the counter row
is the one row every order of that canteen and date waits for: its lock lasted from the number to the commit,
through the other four (issue 21: at 16 orders in flight they queued on it). On PostgreSQL the five are one
statement of data-modifying CTEs, so the counter's lock lasts one round trip and the commit. SQLite has no
data-modifying CTEs and one writer anyway: the service writes the rows in sequence there.

The statement is built once per shape (how many lines and shares) from the tables' own columns and bind
parameters, so SQLAlchemy compiles each shape once and a new column needs no change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import String, Table, bindparam, case, cast, func, insert, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql import Select
from sqlmodel import Session

from app.models import Order, OrderEvent, OrderLine, OrderNumberCounter, OrderSubsidy

_ORDER: Table = Order.__table__  # type: ignore[attr-defined]
_LINE: Table = OrderLine.__table__  # type: ignore[attr-defined]
_SHARE: Table = OrderSubsidy.__table__  # type: ignore[attr-defined]
_EVENT: Table = OrderEvent.__table__  # type: ignore[attr-defined]
_COUNTER: Table = OrderNumberCounter.__table__  # type: ignore[attr-defined]
# Columns the statement fills itself: the ids the database gives, the order's id in its children, and the
# numbers taken from the counter.
_OWN = {"id", "order_id"}
_NUMBERED = {"short_no", "public_no"}


@dataclass(frozen=True)
class Written:
    order_id: int
    short_no: int
    public_no: str


def public_no(day: date, canteen_id: int, short_no: int) -> str:
    """The order number printed and read aloud: date, canteen, the day's short number (four digits at least)."""
    return f"{number_prefix(day, canteen_id)}{short_no:04d}"


def number_prefix(day: date, canteen_id: int) -> str:
    return f"{day:%y%m%d}-{canteen_id}-"


def write_order(session: Session, order: dict[str, Any], lines: list[dict[str, Any]], shares: list[dict[str, Any]],
                event: dict[str, Any]) -> Written:
    """Take the next short number and insert the order with its lines, shares and first event, in one statement.
    `order` holds every column but id, short_no and public_no; the children every column but id and order_id."""
    params: dict[str, Any] = {"n_day": order["service_date"], "n_canteen": order["canteen_id"],
                              "n_prefix": number_prefix(order["service_date"], order["canteen_id"])}
    params.update({f"o_{k}": v for k, v in order.items()})
    for prefix, rows in (("l", lines), ("s", shares)):
        for i, row in enumerate(rows):
            params.update({f"{prefix}{i}_{k}": v for k, v in row.items()})
    params.update({f"e_{k}": v for k, v in event.items()})
    oid, short_no, number = session.execute(_statement(len(lines), len(shares)), params).one()
    return Written(int(oid), int(short_no), str(number))


@lru_cache(maxsize=64)
def _statement(n_lines: int, n_shares: int) -> Select[Any]:
    number = (
        pg_insert(_COUNTER)
        .values(service_date=bindparam("n_day"), canteen_id=bindparam("n_canteen"), last_no=1)
        .on_conflict_do_update(index_elements=["service_date", "canteen_id"], set_={"last_no": _COUNTER.c.last_no + 1})
        .returning(_COUNTER.c.last_no)
        .cte("number")
    )
    digits = cast(number.c.last_no, String)
    numbered = {
        "short_no": number.c.last_no,
        # as Python's {:04d}: at least four digits, never cut
        "public_no": bindparam("n_prefix", type_=String) + case(
            (number.c.last_no < 10000, func.lpad(digits, 4, "0")), else_=digits),
    }
    order_columns = [c for c in _ORDER.c if c.name not in _OWN]
    order = (
        insert(_ORDER)
        .from_select([c.name for c in order_columns], select(*[
            numbered[c.name] if c.name in _NUMBERED else bindparam(f"o_{c.name}", type_=c.type)
            for c in order_columns]).select_from(number))
        .returning(_ORDER.c.id, _ORDER.c.short_no, _ORDER.c.public_no)
        .cte("placed")
    )
    children = [_children(_LINE, "l", n_lines, order, "lines"), _children(_SHARE, "s", n_shares, order, "shares"),
                _children(_EVENT, "e", 1, order, "event", single=True)]
    return select(order.c.id, order.c.short_no, order.c.public_no).add_cte(*[c for c in children if c is not None])


def _children(table: Table, prefix: str, count: int, order: Any, name: str, *, single: bool = False) -> Any:
    """INSERT INTO table SELECT the new order's id and each row's bound values: one CTE for `count` rows."""
    if count == 0:
        return None
    columns = [c for c in table.c if c.name not in _OWN]
    rows = [select(order.c.id.label("order_id"), *[
        bindparam(f"{prefix}_{c.name}" if single else f"{prefix}{i}_{c.name}", type_=c.type).label(c.name)
        for c in columns]).select_from(order) for i in range(count)]
    source = rows[0] if count == 1 else union_all(*rows)
    return insert(table).from_select(["order_id", *[c.name for c in columns]], source).cte(name)

