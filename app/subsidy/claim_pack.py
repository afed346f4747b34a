"""The claim pack a funder signs: one scheme × funder × month, read from the settlement (so from the orders'
snapshots), with per-canteen and per-category totals, the operating subsidy per diner-day, every claimed meal
with its evidence (who checked it in and when, or the driver's report), the no-shows left out, and the
signature block. `build_claim_pack` is plain data; `claim_pack_xlsx` turns it into a workbook (the PDF is
rendered from the same data by `claim_pages.claim_pack_pdf`)."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from app import pricing
from app.core import messages as msg
from app.core.errors import NotFound
from app.core.settings import TZ
from app.core.spreadsheets import safe_row
from app.models import Order, OrderEvent, User, now
from app.subsidy import service
from app.subsidy.settlement import funder_id, month_scope, settle
from app.subsidy.settlement_export import XLSX_MEDIA_TYPE, yuan
from app.subsidy.settlement_report import LedgerRow, OperatingLine, Scope, SettlementException, SignOff

__all__ = ["XLSX_MEDIA_TYPE", "ClaimPack", "build_claim_pack", "claim_pack_xlsx"]


@dataclass(frozen=True)
class ClaimMeal:
    order_no: str
    service_date: date
    slot: str
    canteen_name: str
    channel: str
    senior_code: str
    category_name: str
    list_fen: int
    share_fen: int
    voucher_fen: int
    evidence: str


@dataclass
class CanteenClaim:
    """One canteen's part of the claim: per category (人数, 人次, the funder's share) and its operating subsidy."""

    canteen_name: str
    categories: dict[str, list[int]] = field(default_factory=dict)  # name -> [visits, share fen]
    category_seniors: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    subsidy_fen: int = 0
    diner_days: int = 0
    operating_fen: int = 0

    @property
    def claim_fen(self) -> int:
        return self.subsidy_fen + self.operating_fen


@dataclass(frozen=True)
class ClaimPack:
    scheme_key: str
    scheme_name: str
    funder_name: str
    month: str
    start: date
    end: date
    canteens: list[CanteenClaim]
    meals: list[ClaimMeal]
    no_shows: list[SettlementException]
    operating_rate_fen: int
    generated_at: datetime

    @property
    def subsidy_fen(self) -> int:
        return sum(c.subsidy_fen for c in self.canteens)

    @property
    def operating_fen(self) -> int:
        return sum(c.operating_fen for c in self.canteens)

    @property
    def claim_fen(self) -> int:
        return self.subsidy_fen + self.operating_fen

    @property
    def voucher_fen(self) -> int:
        return sum(m.voucher_fen for m in self.meals)


def check_claim(session: Session, scheme_key: str, month: str,
                funder_key: str) -> tuple[Scope, list[pricing.Scheme], dict[str, str]]:
    """What `build_claim_pack` would refuse (a malformed month, a funder the scheme never names), also asked
    before the pack is queued, so the page says it next to the field. Returns the month's scope, the scheme's
    versions and its funders' names."""
    scope = month_scope(month)
    versions = service.scheme_versions(session, scheme_key)
    names = {f.key: f.name for v in sorted(versions, key=lambda v: v.version) for f in v.funders}
    if not versions or funder_key not in names:
        raise NotFound(msg.CLAIM_FUNDER_NOT_FOUND)
    return scope, versions, names


def build_claim_pack(session: Session, scheme_key: str, month: str, funder_key: str) -> ClaimPack:
    """The claim of `funder_key` of `scheme_key` for `month` ("2026-11"). Raises NotFound for an unknown scheme
    or a funder the scheme's versions never name, InvalidInput (`month`) for a malformed month."""
    scope, versions, names = check_claim(session, scheme_key, month, funder_key)
    report = settle(session, scope)
    ledger = [row for row in report.ledger if row.scheme_key == scheme_key]
    key = funder_id(scheme_key, funder_key)
    evidence = _evidence(session, ledger, {s.order_no: s for s in report.signoffs})
    canteens: dict[str, CanteenClaim] = {}
    meals = []
    for row in ledger:
        share = row.shares.get(key, 0)
        claim = canteens.setdefault(row.canteen_name, CanteenClaim(row.canteen_name))
        if share:
            line = claim.categories.setdefault(row.category_name, [0, 0])
            line[0], line[1] = line[0] + 1, line[1] + share
            claim.category_seniors[row.category_name].add(row.senior_id)
            claim.subsidy_fen += share
        if share or row.voucher_fen:
            meals.append(_meal(row, share, evidence.get(row.order_id, "")))
    rate = _operating(report.operating, scheme_key, funder_key, canteens)
    latest = max(versions, key=lambda v: v.version)
    kept = [c for c in canteens.values() if c.claim_fen or c.categories]
    return ClaimPack(scheme_key, latest.name, names[funder_key], month, scope.start, scope.end,
                     sorted(kept, key=lambda c: c.canteen_name), meals,
                     _no_shows(session, scheme_key, report.exceptions), rate, now())


def _meal(row: LedgerRow, share: int, evidence: str) -> ClaimMeal:
    return ClaimMeal(row.order_no, row.service_date, row.slot, row.canteen_name, row.channel, row.senior_code,
                     row.category_name, row.list_fen, share, row.voucher_fen, evidence)


def _operating(report_lines: list[OperatingLine], scheme_key: str, funder_key: str,
               canteens: dict[str, CanteenClaim]) -> int:
    """The settlement's 运营补贴 lines of this scheme and funder, per canteen. Returns the rate (for the heading)."""
    rate = 0
    for line in report_lines:
        if line.scheme_key != scheme_key or line.funder_key != funder_key:
            continue
        claim = canteens.setdefault(line.canteen_name, CanteenClaim(line.canteen_name))
        claim.diner_days += line.diner_days
        claim.operating_fen += line.amount_fen
        rate = line.fen_per_diner_day
    return rate


def _evidence(session: Session, ledger: list[LedgerRow], signoffs: dict[str, SignOff]) -> dict[int, str]:
    """Per order: the counter check-in (time and who) or the driver's report at the door."""
    ids = [row.order_id for row in ledger]
    query = (select(OrderEvent.order_id, OrderEvent.at, User.name)
             .join(User, col(User.id) == OrderEvent.by_user_id, isouter=True)
             .where(col(OrderEvent.order_id).in_(ids), OrderEvent.status == "served"))
    found = {oid: f"{at.astimezone(TZ):%m-%d %H:%M} {who or ''}窗口核销" for oid, at, who in session.exec(query).all()}
    for row in ledger:
        signoff = signoffs.get(row.order_no)
        if row.order_id not in found and signoff is not None:
            at = signoff.reported_at
            when = f"{at.astimezone(TZ):%m-%d %H:%M} " if at else ""
            found[row.order_id] = f"{when}送餐员登记：{signoff.status_name}"
    return found


def _no_shows(session: Session, scheme_key: str, exceptions: list[SettlementException]) -> list[SettlementException]:
    nos = [e.order_no for e in exceptions if e.kind == "no_show"]
    mine = set(session.exec(select(Order.public_no).where(col(Order.public_no).in_(nos),
                                                          Order.scheme_key == scheme_key)).all())
    return [e for e in exceptions if e.kind == "no_show" and e.order_no in mine]


def claim_pack_xlsx(pack: ClaimPack) -> bytes:
    """The pack as a workbook: 申领汇总 (per canteen and category, the operating subsidy, the total),
    就餐明细 (every claimed meal with its evidence) and 未核销 (the no-shows left out)."""
    book = Workbook()
    summary = book.active
    summary.title = "申领汇总"
    summary.append(safe_row([f"{pack.scheme_name} · {pack.funder_name} · {pack.month} 补贴申领"]))
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["食堂", "补贴类别", "人次", "补贴(元)", "人数"])
    for claim in pack.canteens:
        for name, (visits, fen) in claim.categories.items():
            seniors = len(claim.category_seniors[name])
            summary.append(safe_row([claim.canteen_name, name, visits, yuan(fen), seniors]))
        if claim.operating_fen:
            summary.append(safe_row([claim.canteen_name, f"运营补贴（{claim.diner_days} 人·天）", claim.diner_days,
                                     yuan(claim.operating_fen), ""]))
    summary.append(["合计", "", sum(m.share_fen > 0 for m in pack.meals), yuan(pack.claim_fen), ""])
    meals = book.create_sheet("就餐明细")
    meals.append(["订单号", "就餐日期", "餐次", "食堂", "方式", "长者编号", "补贴类别", "原价(元)", "本方承担(元)",
                  "消费券(元)", "核销凭据"])
    for m in pack.meals:
        meals.append(safe_row([m.order_no, m.service_date, msg.SLOT_NAMES.get(m.slot, m.slot), m.canteen_name,
                               msg.FULFILMENT_NAMES.get(m.channel, m.channel), m.senior_code, m.category_name,
                               yuan(m.list_fen), yuan(m.share_fen), yuan(m.voucher_fen), m.evidence]))
    missing = book.create_sheet("未核销")
    missing.append(["订单号", "长者编号", "就餐日期", "说明"])
    for e in pack.no_shows:
        missing.append(safe_row([e.order_no, e.senior_code, e.service_date or "", e.detail]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
