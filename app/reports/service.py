"""Reports over any date range for a canteen or a district: meals per canteen × slot × channel, head-counts,
meals per day, and delivery punctuality (ETA against the time the driver reported delivery) with no-answers.
Everything is counted from the orders themselves, so the figures reconcile with the order list.
(The subsidy settlement is its own report: app.subsidy.settlement.)"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.charts import bar_chart as bar_chart  # the reports' charts, drawn as everywhere else
from app.core.errors import InvalidInput
from app.core.forms import parse_date
from app.core.spreadsheets import safe_row
from app.models import Canteen, DeliveryRoute, DeliveryStop, Order
from app.reports.dashboard import CHANNELS, SLOT_ORDER, STANDING, Scope, canteens_in

ON_TIME_MINUTES = 15  # *assumption*: delivered within 15 minutes after the ETA counts as on time
MAX_RANGE_DAYS = 366


@dataclass
class MealLine:
    canteen_id: int
    canteen_name: str
    slot: str
    channel: str
    meals: int = 0
    senior_ids: set[int] = field(default_factory=set)

    @property
    def seniors(self) -> int:
        return len(self.senior_ids)


@dataclass
class Punctuality:
    canteen_name: str
    delivered: int = 0
    on_time: int = 0
    late_minutes: list[int] = field(default_factory=list)
    no_answer: int = 0
    without_eta: int = 0

    @property
    def late(self) -> int:
        return len(self.late_minutes)

    @property
    def on_time_percent(self) -> int:
        timed = self.on_time + self.late
        return round(100 * self.on_time / timed) if timed else 0

    @property
    def worst_late_minutes(self) -> int:
        return max(self.late_minutes, default=0)


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    canteens: list[Canteen]
    meals: list[MealLine]
    per_day: list[tuple[date, int]]
    punctuality: list[Punctuality]
    seniors: int  # distinct seniors over the whole range (人数)

    @property
    def total_meals(self) -> int:
        return sum(m.meals for m in self.meals)

    def by_canteen(self) -> list[tuple[str, int]]:
        totals: dict[int, int] = defaultdict(int)
        for m in self.meals:
            totals[m.canteen_id] += m.meals
        return [(c.name, totals.get(c.id or 0, 0)) for c in self.canteens]

    def by_channel(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = defaultdict(int)
        for m in self.meals:
            totals[m.channel] += m.meals
        return [(msg.FULFILMENT_NAMES[c], totals.get(c, 0)) for c in ("dine_in", "pickup", "delivery")]


def date_range(start_text: str, end_text: str) -> tuple[date, date]:
    """Raises InvalidInput naming the field, for the form."""
    errors: dict[str, str] = {}
    dates = []
    for key, text in (("start", start_text), ("end", end_text)):
        try:
            dates.append(parse_date(text))
        except ValueError:
            dates.append(None)
        if dates[-1] is None:
            errors[key] = msg.REPORT_DATE_INVALID
    start, end = dates
    if start and end and end < start:
        errors["end"] = msg.REPORT_RANGE_ORDER
    elif start and end and (end - start).days >= MAX_RANGE_DAYS:
        errors["end"] = msg.REPORT_RANGE_TOO_LONG.format(days=MAX_RANGE_DAYS)
    if errors:
        raise InvalidInput(errors)
    assert start and end
    return start, end


def build(session: Session, scope: Scope, start: date, end: date) -> Report:
    canteens = canteens_in(session, scope)
    names = {c.id: c.name for c in canteens}
    orders = session.exec(select(Order).where(
        col(Order.canteen_id).in_(list(names)), col(Order.service_date) >= start, col(Order.service_date) <= end,
        col(Order.status).in_(STANDING))).all()
    lines: dict[tuple[int, str, str], MealLine] = {}
    days: dict[date, int] = defaultdict(int)
    for o in orders:
        key = (o.canteen_id, o.slot, o.fulfilment)
        line = lines.setdefault(key, MealLine(o.canteen_id, names[o.canteen_id], o.slot, o.fulfilment))
        line.meals += 1
        line.senior_ids.add(o.senior_id)
        days[o.service_date] += 1
    order_key = {c.id: i for i, c in enumerate(canteens)}
    meals = sorted(lines.values(), key=lambda m: (order_key[m.canteen_id], SLOT_ORDER.get(m.slot, 9),
                                                  CHANNELS.index(m.channel)))
    per_day = [(start + timedelta(days=i), days.get(start + timedelta(days=i), 0))
               for i in range((end - start).days + 1)]
    return Report(start, end, canteens, meals, per_day, punctuality(session, canteens, start, end),
                  len({o.senior_id for o in orders}))


def punctuality(session: Session, canteens: list[Canteen], start: date, end: date) -> list[Punctuality]:
    names = {c.id: c.name for c in canteens}
    rows = session.exec(select(DeliveryStop, Order.canteen_id)
                        .join(Order, col(Order.id) == DeliveryStop.order_id)
                        .join(DeliveryRoute, col(DeliveryRoute.id) == DeliveryStop.route_id)
                        .where(col(Order.canteen_id).in_(list(names)), col(Order.service_date) >= start,
                               col(Order.service_date) <= end)).all()
    out = {c.id: Punctuality(c.name) for c in canteens}
    for stop, canteen_id in rows:
        p = out[canteen_id]
        if stop.status == "no_answer":
            p.no_answer += 1
        elif stop.status == "delivered":
            p.delivered += 1
            _time_it(p, stop)
    return [out[c.id] for c in canteens]


def _time_it(p: Punctuality, stop: DeliveryStop) -> None:
    if stop.eta is None or stop.reported_at is None:
        p.without_eta += 1
        return
    late = int((stop.reported_at - stop.eta).total_seconds() // 60)
    if late <= ON_TIME_MINUTES:
        p.on_time += 1
    else:
        p.late_minutes.append(late)




# ---------------------------------------------------------------- Excel


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_xlsx(report: Report) -> bytes:
    """One sheet per table of the page; the workbook's first sheet names the range."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = [
        ("餐数", ["食堂", "餐次", "方式", "餐数（人次）", "人数"],
         [[m.canteen_name, msg.SLOT_NAMES[m.slot], msg.FULFILMENT_NAMES[m.channel], m.meals, m.seniors]
          for m in report.meals] + [["合计", "", "", report.total_meals, report.seniors]]),
        ("每日餐数", ["日期", "餐数"], [[d.isoformat(), n] for d, n in report.per_day]),
        ("送餐准时", ["食堂", "送达", "准时", "迟到", "准时率(%)", "最迟(分钟)", "无人应答", "无预计时间"],
         [[p.canteen_name, p.delivered, p.on_time, p.late, p.on_time_percent, p.worst_late_minutes, p.no_answer,
           p.without_eta] for p in report.punctuality]),
    ]
    for i, (title, head, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append([f"{report.start:%Y-%m-%d} 至 {report.end:%Y-%m-%d}"])
        ws.append(safe_row(head))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
