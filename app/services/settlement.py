"""Monthly (or any date range) subsidy settlement (补贴核销) for a canteen or a district, read only from the
orders' price snapshots and funder shares, so every figure reconciles to the ledger to the fen."""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app import messages as msg
from app.models import Canteen, Order, OrderEvent, OrderSubsidy, Senior, VoucherPayment, now
from app.pricing import yuan
from app.services.errors import InvalidInput
from app.services.privacy import pseudonym
from app.settings import get_settings

# Orders whose subsidy is claimed; cancelled and refunded orders appear only among the exceptions.
CLAIMED_STATUSES = ("placed", "served", "delivered", "no_answer")
NO_CATEGORY = "（无补贴）"


@dataclass(frozen=True)
class Scope:
    """What to settle: a date range, and a canteen or a district (neither: every canteen)."""

    start: date
    end: date
    canteen_id: int | None = None
    district: str = ""


def month_scope(month: str, *, canteen_id: int | None = None, district: str = "") -> Scope:
    """`month` as "2026-11". Raises InvalidInput with the field `month`."""
    try:
        year, number = (int(part) for part in month.strip().split("-"))
        last = calendar.monthrange(year, number)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise InvalidInput({"month": msg.SETTLEMENT_MONTH_INVALID}) from None
    return Scope(date(year, number, 1), date(year, number, last), canteen_id, district)


def range_scope(start: str, end: str, *, canteen_id: int | None = None, district: str = "") -> Scope:
    """Any date range, both ends inclusive (a quarter, a claim period). Raises InvalidInput on `start` / `end`."""
    days: dict[str, date] = {}
    for name, text in (("start", start), ("end", end)):
        try:
            days[name] = date.fromisoformat(text.strip())
        except ValueError:
            raise InvalidInput({name: msg.SETTLEMENT_DATE_INVALID}) from None
    if days["end"] < days["start"]:
        raise InvalidInput({"end": msg.SETTLEMENT_RANGE_INVALID})
    return Scope(days["start"], days["end"], canteen_id, district)


@dataclass
class Totals:
    """Sums over a set of orders, in fen. `seniors` is 人数 (distinct), `visits` 人次 (orders)."""

    senior_ids: set[int] = field(default_factory=set)
    visits: int = 0
    subsidised_meals: int = 0
    list_fen: int = 0
    discount_fen: int = 0
    subsidy_fen: int = 0
    payable_fen: int = 0
    voucher_fen: int = 0

    @property
    def seniors(self) -> int:
        return len(self.senior_ids)

    def add(self, row: LedgerRow, subsidy_fen: int) -> None:
        self.senior_ids.add(row.senior_id)
        self.visits += 1
        self.subsidised_meals += row.subsidised_meals
        self.list_fen += row.list_fen
        self.discount_fen += row.discount_fen
        self.subsidy_fen += subsidy_fen
        self.payable_fen += row.payable_fen
        self.voucher_fen += row.voucher_fen


@dataclass(frozen=True)
class LedgerRow:
    """One claimed order. `senior_code` is pseudonymous; `senior_id` never leaves the service."""

    order_id: int
    order_no: str
    created_at: datetime
    service_date: date
    slot: str
    canteen_name: str
    channel: str
    status: str
    senior_id: int
    senior_code: str
    category_key: str
    category_name: str
    evidence: str
    scheme: str
    list_fen: int
    discount_fen: int
    discount_funder: str
    shares: dict[str, int]
    subsidy_fen: int
    payable_fen: int
    voucher_fen: int
    subsidised_meals: int

    @property
    def cash_fen(self) -> int:
        return self.payable_fen - self.voucher_fen

    @property
    def payment_method(self) -> str:
        if self.voucher_fen and self.cash_fen:
            return "消费券+自付"
        return "消费券" if self.voucher_fen else "自付"


@dataclass(frozen=True)
class SettlementException:
    kind: str
    order_no: str
    senior_code: str
    service_date: date | None
    detail: str

    @property
    def kind_name(self) -> str:
        return msg.SETTLEMENT_EXCEPTION_NAMES[self.kind]


@dataclass(frozen=True)
class SummaryLine:
    """A claim line: canteen × funder × category (DOMAIN.md's claim), or one category over the whole scope
    (canteen and funder empty). On funder lines list / discount / payable are those of the orders the funder
    co-funds (so they repeat across funders of one order) and `subsidy_fen` is the funder's own share."""

    canteen_name: str
    funder_key: str
    funder_name: str
    category_key: str
    category_name: str
    totals: Totals


@dataclass(frozen=True)
class Settlement:
    scope: Scope
    title: str
    generated_at: datetime
    funders: list[tuple[str, str]]
    by_funder: list[SummaryLine]
    by_category: list[SummaryLine]
    total: Totals
    ledger: list[LedgerRow]
    exceptions: list[SettlementException]


def settle(session: Session, scope: Scope) -> Settlement:
    """The claim for `scope`: per funder × category and per category, the per-order ledger, the exceptions."""
    if scope.end < scope.start:
        raise InvalidInput({"end": msg.SETTLEMENT_RANGE_INVALID})
    rows = _orders(session, scope)
    claimed = [(o, c, s) for o, c, s in rows if o.status in CLAIMED_STATUSES]
    shares = _shares(session, scope)
    vouchers = _vouchers(session, scope)
    ledger = [
        _ledger_row(o, c, s, shares.get(o.id or 0, []), vouchers.get(o.id or 0, 0)) for o, c, s in claimed
    ]
    exceptions = list(_exceptions(session, scope, rows, ledger, shares))
    return _summarise(scope, ledger, shares, exceptions, _title(session, scope))


Share = tuple[str, str, str, int]  # funder key, funder name, category key, amount in fen


def _in_scope(query: Any, scope: Scope) -> Any:
    """Restrict a query that joins Order and Canteen to the scope's dates and canteen or district."""
    query = query.where(col(Order.service_date).between(scope.start, scope.end))
    if scope.canteen_id is not None:
        query = query.where(Order.canteen_id == scope.canteen_id)
    return query.where(Canteen.district == scope.district) if scope.district else query


def _order_ids(scope: Scope) -> Any:
    """The scope's order ids as a subquery (a district's month is too many ids to send as parameters)."""
    return _in_scope(select(Order.id).join(Canteen, col(Canteen.id) == Order.canteen_id), scope)


def _orders(session: Session, scope: Scope) -> list[tuple[Order, Canteen, Senior]]:
    query = (
        select(Order, Canteen, Senior)
        .join(Canteen, col(Canteen.id) == Order.canteen_id)
        .join(Senior, col(Senior.id) == Order.senior_id)
        .order_by(col(Order.service_date), col(Order.created_at), col(Order.id))
    )
    return [(o, c, s) for o, c, s in session.exec(_in_scope(query, scope)).all()]


def _shares(session: Session, scope: Scope) -> dict[int, list[Share]]:
    found: dict[int, list[Share]] = defaultdict(list)
    query = select(OrderSubsidy).where(col(OrderSubsidy.order_id).in_(_order_ids(scope)))
    for row in session.exec(query.order_by(col(OrderSubsidy.id))).all():
        found[row.order_id].append((row.funder_key, row.funder_name, row.category_key, row.amount_fen))
    return found


def _vouchers(session: Session, scope: Scope) -> dict[int, int]:
    paid: dict[int, int] = defaultdict(int)
    query = select(VoucherPayment.order_id, VoucherPayment.amount_fen)
    for order_id, amount in session.exec(
        query.where(col(VoucherPayment.order_id).in_(_order_ids(scope)))
    ).all():
        paid[order_id] += amount
    return paid


def _code(senior_id: int) -> str:
    return pseudonym(senior_id, get_settings().secret_key)


def _ledger_row(
    order: Order, canteen: Canteen, senior: Senior, shares: list[Share], voucher_fen: int
) -> LedgerRow:
    return LedgerRow(
        order_id=order.id or 0,
        order_no=order.public_no,
        created_at=order.created_at,
        service_date=order.service_date,
        slot=order.slot,
        canteen_name=canteen.name,
        channel=order.fulfilment,
        status=order.status,
        senior_id=senior.id or 0,
        senior_code=_code(senior.id or 0),
        category_key=order.category_key,
        category_name=order.category_name or NO_CATEGORY,
        # The evidence on file now (the snapshot keeps the category, not the document).
        evidence=senior.economic_source if order.category_key and senior.economic_status else "",
        scheme=f"{order.scheme_key} v{order.scheme_version}" if order.scheme_key else "",
        list_fen=order.list_fen,
        discount_fen=order.discount_fen,
        discount_funder=_discount_funder(order),
        shares={key: amount for key, _, _, amount in shares},
        subsidy_fen=order.subsidy_fen,
        payable_fen=order.payable_fen,
        voucher_fen=voucher_fen,
        subsidised_meals=order.subsidised_meals,
    )


def _discount_funder(order: Order) -> str:
    if not order.discount_fen:
        return ""
    return str(json.loads(order.price_detail or "{}").get("discount_funder_name", ""))


def _summarise(
    scope: Scope,
    ledger: list[LedgerRow],
    shares: dict[int, list[Share]],
    exceptions: list[SettlementException],
    title: str,
) -> Settlement:
    by_funder: dict[tuple[str, str, str], Totals] = defaultdict(Totals)
    by_category: dict[str, Totals] = defaultdict(Totals)
    total = Totals()
    funders: dict[str, str] = {}
    categories: dict[str, str] = {}
    for row in ledger:
        total.add(row, row.subsidy_fen)
        by_category[row.category_key].add(row, row.subsidy_fen)
        categories[row.category_key] = row.category_name
        for funder_key, funder_name, _, amount in shares.get(row.order_id, []):
            funders.setdefault(funder_key, funder_name)
            by_funder[(row.canteen_name, funder_key, row.category_key)].add(row, amount)
    return Settlement(
        scope=scope,
        title=title,
        generated_at=now(),
        funders=list(funders.items()),
        by_funder=[
            SummaryLine(n, f, funders[f], c, categories[c], t) for (n, f, c), t in sorted(by_funder.items())
        ],
        by_category=[SummaryLine("", "", "", c, categories[c], t) for c, t in sorted(by_category.items())],
        total=total,
        ledger=ledger,
        exceptions=exceptions,
    )


def _title(session: Session, scope: Scope) -> str:
    canteen = session.get(Canteen, scope.canteen_id) if scope.canteen_id is not None else None
    place = canteen.name if canteen else (f"{scope.district}区" if scope.district else "全部食堂")
    return f"{place} {scope.start:%Y-%m-%d} 至 {scope.end:%Y-%m-%d} 补贴核销"


def _exceptions(
    session: Session,
    scope: Scope,
    rows: list[tuple[Order, Canteen, Senior]],
    ledger: list[LedgerRow],
    shares: dict[int, list[Share]],
) -> Iterable[SettlementException]:
    served_then_cancelled = _served_ids(session, scope)
    for order, _, senior in rows:
        kind = _order_exception(order, served_then_cancelled)
        if kind:
            yield SettlementException(
                kind, order.public_no, _code(senior.id or 0), order.service_date, _order_detail(kind, order)
            )
    for row in ledger:
        split = sum(amount for _, _, _, amount in shares.get(row.order_id, []))
        if split != row.subsidy_fen:
            detail = f"订单补贴 {yuan(row.subsidy_fen)} 元，出资分摊合计 {yuan(split)} 元"
            yield SettlementException(
                "shares_mismatch", row.order_no, row.senior_code, row.service_date, detail
            )
    yield from _category_changes(ledger)
    yield from _eligibility_changes(scope, {s.id or 0: s for _, _, s in rows if s.id is not None}, ledger)


def _served_ids(session: Session, scope: Scope) -> set[int]:
    """Orders of the scope that were served or delivered at some point (so a later cancellation is late)."""
    query = select(OrderEvent.order_id).where(
        col(OrderEvent.order_id).in_(_order_ids(scope)), col(OrderEvent.status).in_(("served", "delivered"))
    )
    return set(session.exec(query).all())


def _order_exception(order: Order, served_then_cancelled: set[int]) -> str:
    if order.status == "refunded":
        return "refunded"
    if order.status == "no_answer":
        return "no_answer"
    late = order.cancelled_at is not None and order.cancelled_at.date() > order.service_date
    if order.status == "cancelled" and (late or order.id in served_then_cancelled):
        return "cancelled_after_service"
    return ""


def _order_detail(kind: str, order: Order) -> str:
    if kind == "no_answer":
        return f"已计入申领，补贴 {yuan(order.subsidy_fen)} 元，请核实签收记录"
    when = f"，{order.cancelled_at:%Y-%m-%d %H:%M} 取消" if order.cancelled_at else ""
    return f"未计入申领：原价 {yuan(order.list_fen)} 元，补贴 {yuan(order.subsidy_fen)} 元{when}"


def _category_changes(ledger: list[LedgerRow]) -> Iterable[SettlementException]:
    """A senior whose subsidy category changed within the period (turned 80, status granted or expired)."""
    seen: dict[int, LedgerRow] = {}
    for row in ledger:
        if not row.category_key:
            continue
        before = seen.get(row.senior_id)
        if before is not None and before.category_key != row.category_key:
            detail = f"{before.category_name} → {row.category_name}（自 {row.service_date} 起）"
            yield SettlementException(
                "category_changed", row.order_no, row.senior_code, row.service_date, detail
            )
        seen[row.senior_id] = row


def _eligibility_changes(
    scope: Scope, seniors: dict[int, Senior], ledger: list[LedgerRow]
) -> Iterable[SettlementException]:
    claimed = {row.senior_id for row in ledger}
    for senior_id in sorted(claimed):
        senior = seniors[senior_id]
        for label, day in (("起", senior.economic_valid_from), ("止", senior.economic_valid_to)):
            if day is not None and scope.start <= day <= scope.end:
                detail = f"{senior.economic_status or '经济状况'}认定 {day} {label}（依据：{senior.economic_source or '未记录'}）"
                yield SettlementException("eligibility_changed", "", _code(senior_id), day, detail)


def canteen_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, name, district) of every canteen, for the settlement form."""
    rows = session.exec(select(Canteen.id, Canteen.name, Canteen.district).order_by(col(Canteen.name))).all()
    return [(cid or 0, name, district) for cid, name, district in rows]
