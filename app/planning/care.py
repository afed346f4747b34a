"""政策找人 (the eligible who receive nothing) and 探访关爱 (周探访、月调度、季分析) for special-hardship seniors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field
from sqlmodel import Session, col, select

from app.core import audit
from app.core import messages as msg
from app.core.errors import Forbidden
from app.core.forms import Flag, FormModel, Problems, Text, WholeNumber, parse_form
from app.core.principal import Principal
from app.models import Alert, CareVisit, HelperLink, Order, OutreachCase, Senior, WellnessCheck, now
from app.models.base import TZ
from app.models.orders import STANDING_STATUSES as STANDING
from app.planning import rules


@dataclass(frozen=True)
class OutreachLine:
    senior: Senior
    compound: str
    age: int
    reasons: list[str]
    status: str
    note: str


def outreach_list(session: Session, street: str, today: date) -> list[OutreachLine]:
    """Everyone whose register facts meet a category but whose evidence is missing, lapsed or lapsing, and
    everyone of age who has never ordered a meal."""
    query = select(Senior).where(Senior.status == "active").order_by(col(Senior.id))
    if street:
        query = query.where(Senior.residence_street == street)
    seniors = session.exec(query).all()
    ordered = set(session.exec(select(Order.senior_id).where(col(Order.status).in_(STANDING)).distinct()).all())
    cases = {c.senior_id: c for c in session.exec(select(OutreachCase)).all()}
    out = []
    for s in seniors:
        reasons = _reasons(s, s.id in ordered, today)
        if reasons:
            case = cases.get(s.id or 0)
            out.append(OutreachLine(s, rules.compound_of(s.building, s.address), rules.age_on(s.birth_date, today),
                                    reasons, case.status if case else "todo", case.note if case else ""))
    return out


def _reasons(s: Senior, has_ordered: bool, today: date) -> list[str]:
    reasons = []
    problem = rules.evidence_problem(s.economic_status, s.economic_source, s.economic_valid_from,
                                     s.economic_valid_to, today)
    if problem:
        reasons.append(f"{s.economic_status}{problem}")
    if not has_ordered and rules.age_on(s.birth_date, today) >= rules.OUTREACH_AGE:
        reasons.append("从未用餐")
    return reasons


class OutreachForm(FormModel):
    senior_id: WholeNumber = Field(title="长者")
    status: Literal["todo", "contacted", "enrolled", "declined"] = Field(title="进展")
    note: Text = Field(default="", max_length=300, title="备注")


def update_outreach(session: Session, principal: Principal, data: Mapping[str, object]) -> None:
    form = parse_form(OutreachForm, data)
    problems = Problems()
    problems.check(session.get(Senior, form.senior_id) is not None, "senior_id", msg.PLANNING_NO_SENIOR)
    problems.done()
    case = session.exec(select(OutreachCase).where(OutreachCase.senior_id == form.senior_id)).first()
    case = case or OutreachCase(senior_id=form.senior_id)
    case.status, case.note, case.updated_at, case.updated_by_id = form.status, form.note, now(), principal.user_id
    session.add(case)
    audit.record(session, user_id=principal.user_id, action="outreach.update", object_type="senior",
                 object_id=form.senior_id, detail=form.status)
    session.commit()


# ---------------------------------------------------------------- 探访关爱


@dataclass(frozen=True)
class Visit:
    senior_id: int
    at: datetime
    by: str  # 送餐员 / 志愿者 / 居委 / 运营人员
    concern: bool


@dataclass(frozen=True)
class CareLine:
    senior: Senior
    compound: str
    reasons: list[str]
    week_visits: list[Visit]
    month_visits: list[Visit]
    last_visit: Visit | None

    @property
    def visited_this_week(self) -> bool:
        return bool(self.week_visits)


@dataclass(frozen=True)
class WeekCount:
    start: date
    visits: int
    concerns: int


@dataclass(frozen=True)
class CareWeek:
    week: tuple[date, date]
    month: tuple[date, date]
    quarter: tuple[date, date]
    lines: list[CareLine]
    quarter_weeks: list[WeekCount]
    outcomes: dict[str, int]  # wellness alerts of the quarter by status

    @property
    def not_visited_this_week(self) -> list[CareLine]:
        return [line for line in self.lines if not line.visited_this_week]

    @property
    def dispatch(self) -> list[CareLine]:
        """月调度: nobody has visited them this month."""
        return [line for line in self.lines if not line.month_visits]


VISITOR_NAMES = {"volunteer": "志愿者", "committee": "居委", "operator": "运营人员"}


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


def visits_between(session: Session, ids: list[int], first: date, last: date) -> list[Visit]:
    """Drivers' wellness checks and recorded visits, both count (探访关爱)."""
    lo, hi = _start(first), _start(last + timedelta(days=1))
    checks = session.exec(select(WellnessCheck).where(col(WellnessCheck.senior_id).in_(ids),
                                                      col(WellnessCheck.at) >= lo, col(WellnessCheck.at) < hi)).all()
    calls = session.exec(select(CareVisit).where(col(CareVisit.senior_id).in_(ids), col(CareVisit.at) >= lo,
                                                 col(CareVisit.at) < hi)).all()
    out = [Visit(c.senior_id, c.at, "送餐员", c.result != "well") for c in checks]
    out += [Visit(v.senior_id, v.at, VISITOR_NAMES[v.visitor_kind], v.result in ("unwell", "needs_help"))
            for v in calls]
    return sorted(out, key=lambda v: v.at)


def hardship_seniors(session: Session, street: str) -> list[tuple[Senior, list[str]]]:
    query = select(Senior).where(Senior.status == "active").order_by(col(Senior.id))
    if street:
        query = query.where(Senior.residence_street == street)
    out = []
    for s in session.exec(query).all():
        reasons = rules.hardship_reasons(lives_alone=s.lives_alone, all_elderly=s.all_elderly_household,
                                         disability_level=s.disability_level, care_level=s.care_level,
                                         economic_status=s.economic_status)
        if reasons:
            out.append((s, reasons))
    return out


def care_week(session: Session, street: str, today: date) -> CareWeek:
    people = hardship_seniors(session, street)
    ids = [s.id or 0 for s, _ in people]
    week, month, quarter = rules.week_of(today), rules.month_of(today), rules.quarter_of(today)
    first = min(week[0], quarter[0])
    visits = visits_between(session, ids, first, max(week[1], quarter[1]))
    by_senior: dict[int, list[Visit]] = defaultdict(list)
    for v in visits:
        by_senior[v.senior_id].append(v)
    lines = [CareLine(s, rules.compound_of(s.building, s.address), reasons,
                      [v for v in by_senior[s.id or 0] if week[0] <= v.at.date() <= week[1]],
                      [v for v in by_senior[s.id or 0] if month[0] <= v.at.date() <= month[1]],
                      _last(session, s.id or 0)) for s, reasons in people]
    return CareWeek(week, month, quarter, lines, _weeks(visits, quarter), _outcomes(session, ids, quarter))


def _last(session: Session, senior_id: int) -> Visit | None:
    check = session.exec(select(WellnessCheck).where(WellnessCheck.senior_id == senior_id)
                         .order_by(col(WellnessCheck.at).desc())).first()
    call = session.exec(select(CareVisit).where(CareVisit.senior_id == senior_id)
                        .order_by(col(CareVisit.at).desc())).first()
    found = [Visit(senior_id, check.at, "送餐员", check.result != "well")] if check else []
    found += [Visit(senior_id, call.at, VISITOR_NAMES[call.visitor_kind], call.result in ("unwell", "needs_help"))
              ] if call else []
    return max(found, key=lambda v: v.at, default=None)


def _weeks(visits: list[Visit], quarter: tuple[date, date]) -> list[WeekCount]:
    start = rules.week_of(quarter[0])[0]
    out = []
    while start <= quarter[1]:
        inside = [v for v in visits if start <= v.at.date() < start + timedelta(days=7)
                  and quarter[0] <= v.at.date() <= quarter[1]]
        out.append(WeekCount(start, len(inside), sum(v.concern for v in inside)))
        start += timedelta(days=7)
    return out


def _outcomes(session: Session, ids: list[int], quarter: tuple[date, date]) -> dict[str, int]:
    rows = session.exec(select(Alert.status).where(
        col(Alert.senior_id).in_(ids), Alert.kind == "wellness", col(Alert.created_at) >= _start(quarter[0]),
        col(Alert.created_at) < _start(quarter[1] + timedelta(days=1)))).all()
    return {status: sum(1 for r in rows if r == status) for status in ("open", "acknowledged", "resolved")}


class VisitForm(FormModel):
    senior_id: WholeNumber = Field(title="长者")
    visitor_kind: Literal["volunteer", "committee", "operator"] = Field(title="探访人身份")
    visitor_name: Text = Field(min_length=1, max_length=40, title="探访人姓名")
    result: Literal["well", "unwell", "needs_help", "not_home"] = Field(title="探访情况")
    in_person: Flag = Field(default=False, title="当面见到")
    note: Text = Field(default="", max_length=300, title="备注")


def visitable(session: Session, principal: Principal, street: str) -> list[tuple[Senior, list[str]]]:
    """District operators see every special-hardship senior, an operator of some canteens those who eat at
    them, a helper (志愿者 / 居委 account) only those linked to them."""
    people = hardship_seniors(session, street)
    scope = principal.canteens_for("operator")
    if None in scope:
        return people
    if scope:
        return [(s, r) for s, r in people if s.default_canteen_id in scope]
    linked = set(session.exec(select(HelperLink.senior_id).where(
        HelperLink.helper_id == principal.user_id, col(HelperLink.revoked_at).is_(None))).all())
    return [(s, r) for s, r in people if s.id in linked]


def record_visit(session: Session, principal: Principal, data: Mapping[str, object]) -> CareVisit:
    form = parse_form(VisitForm, data)
    if form.senior_id not in {s.id for s, _ in visitable(session, principal, "")}:
        raise Forbidden(msg.PLANNING_NOT_ON_VISIT_LIST)  # the page offers only their own list
    visit = CareVisit(senior_id=form.senior_id, visitor_kind=form.visitor_kind, visitor_name=form.visitor_name,
                      result=form.result, in_person=form.in_person, note=form.note, by_user_id=principal.user_id)
    session.add(visit)
    audit.record(session, user_id=principal.user_id, action="care_visit.record", object_type="senior",
                 object_id=form.senior_id, detail=form.result)
    session.commit()
    return visit

