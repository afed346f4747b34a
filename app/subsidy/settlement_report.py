"""The settlement's shapes: what is settled (a scope), the claim lines, the ledger rows, the exceptions and
the delivery sign-offs, plus the scope's order ids as a subquery for every query that reads the scope."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from app.core import messages as msg
from app.core.errors import InvalidInput
from app.core.privacy import pseudonym
from app.core.settings import get_settings
from app.models import Canteen, Order

# Orders whose subsidy is claimed: meals checked in at the counter (served), delivered meals, and deliveries the
# driver reported (no answer is claimed with an exception). A dine-in or pickup order still `placed` was never
# checked in: a no-show (or not yet eaten), not claimed. A delivery still `placed` is claimed and flagged as
# unsigned. Cancelled and refunded orders appear only among the exceptions.
CLAIMED_STATUSES = ("served", "delivered", "no_answer")


def is_claimed(status: str, channel: str) -> bool:
    return status in CLAIMED_STATUSES or (status == "placed" and channel == "delivery")
NO_CATEGORY = "（无补贴）"


@dataclass(frozen=True)
class Scope:
    """What to settle: a date range, and a canteen or a district (neither: every canteen). `canteen_ids` limits
    it further to the canteens an operator of some canteens looks after (None: the whole district)."""

    start: date
    end: date
    canteen_id: int | None = None
    district: str = ""
    canteen_ids: tuple[int, ...] | None = None


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
    scheme_key: str
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
    co-funds (so they repeat across funders of one order) and `subsidy_fen` is the funder's own share.
    `funder_key` is the funder within its scheme (`settlement.funder_id`), `scheme_key` the scheme."""

    canteen_name: str
    funder_key: str
    funder_name: str
    category_key: str
    category_name: str
    totals: Totals
    scheme_key: str = ""


@dataclass(frozen=True)
class OperatingLine:
    """运营补贴 owed to one canteen under one scheme: diners counted once per day with a claimed meal there."""

    canteen_name: str
    scheme_key: str
    funder_key: str
    funder_name: str
    diner_days: int
    fen_per_diner_day: int

    @property
    def amount_fen(self) -> int:
        return self.diner_days * self.fen_per_diner_day


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
    signoffs: list[SignOff]
    operating: list[OperatingLine] = field(default_factory=list)


@dataclass(frozen=True)
class SignOff:
    """The delivery sign-off behind a claimed delivered meal (the driver's report at the door)."""

    order_no: str
    service_date: date
    canteen_name: str
    senior_code: str
    status: str
    reported_at: datetime | None
    note: str

    @property
    def status_name(self) -> str:
        return msg.SIGNOFF_STATUS_NAMES[self.status]


Share = tuple[str, str, str, int]  # funder key, funder name, category key, amount in fen


def in_scope(query: Any, scope: Scope) -> Any:
    """Restrict a query that joins Order and Canteen to the scope's dates and canteen or district."""
    query = query.where(col(Order.service_date).between(scope.start, scope.end))
    if scope.canteen_id is not None:
        query = query.where(Order.canteen_id == scope.canteen_id)
    if scope.canteen_ids is not None:
        query = query.where(col(Order.canteen_id).in_(scope.canteen_ids))
    return query.where(Canteen.district == scope.district) if scope.district else query


def order_ids(scope: Scope) -> Any:
    """The scope's order ids as a subquery (a district's month is too many ids to send as parameters)."""
    return in_scope(select(Order.id).join(Canteen, col(Canteen.id) == Order.canteen_id), scope)


def senior_code(senior_id: int) -> str:
    return pseudonym(senior_id, get_settings().secret_key)
