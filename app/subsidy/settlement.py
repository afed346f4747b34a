"""Monthly (or any date range) subsidy settlement (补贴核销) for a canteen or a district, read only from the
orders' price snapshots and funder shares, so every figure reconciles to the ledger to the fen."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.errors import Forbidden, InvalidInput
from app.core.forms import small_int
from app.core.principal import Principal
from app.models import Canteen, Order, OrderSubsidy, Senior, SubsidySchemeVersion, VoucherPayment, now
from app.subsidy.service import scheme_for
from app.subsidy.settlement_checks import exceptions_for, signoffs_for
from app.subsidy.settlement_report import (
    NO_CATEGORY,
    LedgerRow,
    OperatingLine,
    Scope,
    Settlement,
    SettlementException,
    Share,
    SummaryLine,
    Totals,
    in_scope,
    is_claimed,
    month_scope,
    order_ids,
    range_scope,
    senior_code,
)

__all__ = [
    "LedgerRow",
    "OperatingLine",
    "Scope",
    "Settlement",
    "SettlementException",
    "SummaryLine",
    "Totals",
    "canteen_choices",
    "month_scope",
    "operator_canteens",
    "range_scope",
    "scope_for",
    "settle",
]


def operator_canteens(principal: Principal) -> tuple[int, ...] | None:
    """The canteens an operator may settle: None for a district operator, else those of their scope."""
    scope = principal.canteens_for("operator")
    return None if None in scope else tuple(sorted(c for c in scope if c is not None))


def scope_for(
    principal: Principal, *, month: str, start: str, end: str, canteen: str, district: str
) -> Scope:
    """The settlement's scope as asked (a date range when either end is given, else the month), kept within
    the operator's canteens. Raises InvalidInput for a canteen that is not a plain id, Forbidden for another's."""
    allowed = operator_canteens(principal)
    canteen_id = small_int(canteen)
    if canteen.strip() and canteen_id is None:
        raise InvalidInput({"canteen": msg.SETTLEMENT_CANTEEN_INVALID})
    if canteen_id is not None and allowed is not None and canteen_id not in allowed:
        raise Forbidden(msg.SETTLEMENT_CANTEEN_OUT_OF_SCOPE)
    if start or end:
        found = range_scope(start, end, canteen_id=canteen_id, district=district.strip())
    else:
        found = month_scope(month, canteen_id=canteen_id, district=district.strip())
    return replace(found, canteen_ids=allowed)


def settle(session: Session, scope: Scope) -> Settlement:
    """The claim for `scope`: per funder × category and per category, the per-order ledger, the exceptions."""
    if scope.end < scope.start:
        raise InvalidInput({"end": msg.SETTLEMENT_RANGE_INVALID})
    rows = _orders(session, scope)
    claimed = [(o, c, s) for o, c, s in rows if is_claimed(o.status, o.fulfilment)]
    shares = _shares(session, scope)
    vouchers = _vouchers(session, scope)
    ledger = [
        _ledger_row(o, c, s, shares.get(o.id or 0, []), vouchers.get(o.id or 0, 0)) for o, c, s in claimed
    ]
    today = now().date()
    signoffs = signoffs_for(session, scope, ledger)
    exceptions = list(exceptions_for(session, scope, rows, ledger, shares, signoffs, today))
    schemes = _scheme_names(session, {row.scheme_key for row in ledger if row.scheme_key})
    funders, by_funder, by_category, total = _summarise(ledger, shares, schemes)
    return Settlement(
        scope,
        _title(session, scope),
        now(),
        funders,
        by_funder,
        by_category,
        total,
        ledger,
        exceptions,
        signoffs,
        operating_lines(session, ledger),
    )


def operating_lines(session: Session, ledger: list[LedgerRow]) -> list[OperatingLine]:
    """运营补贴 per canteen × scheme × funder: each senior with a claimed meal at the canteen on a day counts once,
    at the rate of the scheme version in force that day (a version without one adds nothing)."""
    diners: dict[tuple[str, str, date], set[int]] = defaultdict(set)
    for row in ledger:
        if row.scheme_key:
            diners[(row.canteen_name, row.scheme_key, row.service_date)].add(row.senior_id)
    found: dict[tuple[str, str, str, str, int], int] = defaultdict(int)
    for (canteen, scheme_key, day), seniors in sorted(diners.items()):
        scheme = scheme_for(session, scheme_key, day)
        if scheme is None or scheme.operating is None:
            continue
        funder = scheme.funder(scheme.operating.funder)
        found[(canteen, scheme_key, funder.key, funder.name, scheme.operating.fen_per_diner_day)] += len(seniors)
    return [OperatingLine(c, k, f, n, days, rate) for (c, k, f, n, rate), days in sorted(found.items())]


def _orders(session: Session, scope: Scope) -> list[tuple[Order, Canteen, Senior]]:
    query = (
        select(Order, Canteen, Senior)
        .join(Canteen, col(Canteen.id) == Order.canteen_id)
        .join(Senior, col(Senior.id) == Order.senior_id)
        .order_by(col(Order.service_date), col(Order.created_at), col(Order.id))
    )
    return [(o, c, s) for o, c, s in session.exec(in_scope(query, scope)).all()]


def _shares(session: Session, scope: Scope) -> dict[int, list[Share]]:
    found: dict[int, list[Share]] = defaultdict(list)
    query = select(OrderSubsidy).where(col(OrderSubsidy.order_id).in_(order_ids(scope)))
    for row in session.exec(query.order_by(col(OrderSubsidy.id))).all():
        found[row.order_id].append((row.funder_key, row.funder_name, row.category_key, row.amount_fen))
    return found


def _vouchers(session: Session, scope: Scope) -> dict[int, int]:
    paid: dict[int, int] = defaultdict(int)
    query = select(VoucherPayment.order_id, VoucherPayment.amount_fen)
    for order_id, amount in session.exec(
        query.where(col(VoucherPayment.order_id).in_(order_ids(scope)))
    ).all():
        paid[order_id] += amount
    return paid


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
        senior_code=senior_code(senior.id or 0),
        category_key=order.category_key,
        category_name=order.category_name or NO_CATEGORY,
        # The evidence on file now (the snapshot keeps the category, not the document).
        evidence=senior.economic_source if order.category_key and senior.economic_status else "",
        scheme=f"{order.scheme_key} v{order.scheme_version}" if order.scheme_key else "",
        scheme_key=order.scheme_key,
        list_fen=order.list_fen,
        discount_fen=order.discount_fen,
        discount_funder=_discount_funder(order),
        shares={funder_id(order.scheme_key, key): amount for key, _, _, amount in shares},
        subsidy_fen=order.subsidy_fen,
        payable_fen=order.payable_fen,
        voucher_fen=voucher_fen,
        subsidised_meals=order.subsidised_meals,
    )


def _discount_funder(order: Order) -> str:
    if not order.discount_fen:
        return ""
    return str(json.loads(order.price_detail or "{}").get("discount_funder_name", ""))


def funder_id(scheme_key: str, funder_key: str) -> str:
    """A funder as settlement knows it: within its scheme (two schemes' "district" are two treasuries)."""
    return f"{scheme_key}/{funder_key}"


def _summarise(
    ledger: list[LedgerRow], shares: dict[int, list[Share]], scheme_names: dict[str, str]
) -> tuple[list[tuple[str, str]], list[SummaryLine], list[SummaryLine], Totals]:
    """Funders met (in order), claim lines per canteen × funder × category, lines per category, the total.
    Funders and categories are told apart per scheme: schemes reuse keys such as `district` or `age-60-79`."""
    by_funder: dict[tuple[str, str, str, str], Totals] = defaultdict(Totals)
    by_category: dict[tuple[str, str], Totals] = defaultdict(Totals)
    total = Totals()
    funders: dict[str, tuple[str, str]] = {}
    categories: dict[tuple[str, str], str] = {}
    for row in ledger:
        total.add(row, row.subsidy_fen)
        by_category[(row.scheme_key, row.category_key)].add(row, row.subsidy_fen)
        categories[(row.scheme_key, row.category_key)] = row.category_name
        for funder_key, funder_name, _, amount in shares.get(row.order_id, []):
            key = funder_id(row.scheme_key, funder_key)
            funders.setdefault(key, (row.scheme_key, funder_name))
            by_funder[(row.canteen_name, key, row.scheme_key, row.category_key)].add(row, amount)
    names = _funder_names(funders, scheme_names)
    funder_lines = [
        SummaryLine(n, f, names[f], c, _category_name(categories, scheme, c, scheme_names), t, scheme)
        for (n, f, scheme, c), t in sorted(by_funder.items())
    ]
    category_lines = [
        SummaryLine("", "", "", c, _category_name(categories, scheme, c, scheme_names), t, scheme)
        for (scheme, c), t in sorted(by_category.items())
    ]
    return list(names.items()), funder_lines, category_lines, total


def _funder_names(funders: dict[str, tuple[str, str]], scheme_names: dict[str, str]) -> dict[str, str]:
    """Each funder's own name; a name two schemes share gets its scheme's name after it, so no two columns or
    claim lines carry the same title."""
    counts: dict[str, int] = defaultdict(int)
    for _, name in funders.values():
        counts[name] += 1
    return {
        key: f"{name}（{scheme_names.get(scheme, scheme)}）" if counts[name] > 1 else name
        for key, (scheme, name) in funders.items()
    }


def _category_name(
    categories: dict[tuple[str, str], str], scheme: str, key: str, scheme_names: dict[str, str]
) -> str:
    name = categories[(scheme, key)]
    shared = sum(1 for (_, k), n in categories.items() if n == name or k == key) > 1
    return f"{name}（{scheme_names.get(scheme, scheme)}）" if shared and key else name


def _scheme_names(session: Session, keys: set[str]) -> dict[str, str]:
    """The newest name of each scheme met (for telling apart funders and categories that share a name)."""
    query = (
        select(SubsidySchemeVersion.scheme_key, SubsidySchemeVersion.name)
        .where(col(SubsidySchemeVersion.scheme_key).in_(sorted(keys)))
        .order_by(col(SubsidySchemeVersion.version))
    )
    return dict(session.exec(query).all())


def _title(session: Session, scope: Scope) -> str:
    canteen = session.get(Canteen, scope.canteen_id) if scope.canteen_id is not None else None
    place = canteen.name if canteen else (f"{scope.district}区" if scope.district else "全部食堂")
    return f"{place} {scope.start:%Y-%m-%d} 至 {scope.end:%Y-%m-%d} 补贴核销"


def canteen_choices(session: Session, canteen_ids: tuple[int, ...] | None = None) -> list[tuple[int, str, str]]:
    """(id, name, district) of every canteen (or of `canteen_ids`), for the settlement form."""
    query = select(Canteen.id, Canteen.name, Canteen.district).order_by(col(Canteen.name))
    if canteen_ids is not None:
        query = query.where(col(Canteen.id).in_(canteen_ids))
    rows = session.exec(query).all()
    return [(cid or 0, name, district) for cid, name, district in rows]
