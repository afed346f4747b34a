"""Coverage, where to open next, and supply against the 10 % target: load rows once, hand them to the pure
modules, return page data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import Field as PField
from sqlmodel import Session, col, func, select

from app.core import messages as msg
from app.core.forms import FormModel, Number, Problems, Text, parse_form
from app.models import CandidateSite, Canteen, CanteenSlot, Order, Senior
from app.models.orders import STANDING_STATUSES as STANDING
from app.planning import coverage as cov
from app.planning import rules

SERVING_KINDS = ("canteen", "point")  # a central kitchen cooks for points but serves nobody at its door


@dataclass
class CompoundLine:
    compound: str
    street: str
    seniors: int = 0
    beyond_15min: int = 0
    beyond_1000m: int = 0
    beyond_500m: int = 0
    lat_sum: float = 0.0
    lng_sum: float = 0.0

    @property
    def centre(self) -> tuple[float, float]:
        return self.lat_sum / self.seniors, self.lng_sum / self.seniors


@dataclass(frozen=True)
class HomeDot:
    senior_id: int
    lat: float
    lng: float
    walk_m: int
    walk_s: int
    compound: str

    @property
    def band(self) -> str:
        """"500" within 500 m, "1000" within 1,000 m, "15" within 15 minutes only, "out" beyond all."""
        if self.walk_m <= 500:
            return "500"
        if self.walk_m <= 1000:
            return "1000"
        return "15" if self.walk_s <= cov.WALK_LIMIT_S else "out"


@dataclass(frozen=True)
class Coverage:
    street: str
    sites: list[Canteen]
    homes: list[HomeDot]
    compounds: list[CompoundLine]
    without_location: int

    def count(self, band_test: str) -> int:
        return sum(1 for h in self.homes if _beyond(h, band_test))

    @property
    def blind_spots(self) -> list[CompoundLine]:
        """Compounds with anyone beyond a 15-minute walk, most uncovered first (补齐设施盲区)."""
        spots = [c for c in self.compounds if c.beyond_15min]
        return sorted(spots, key=lambda c: (-c.beyond_15min, c.compound))


def _beyond(h: HomeDot, test: str) -> bool:
    if test == "15min":
        return h.walk_s > cov.WALK_LIMIT_S
    return h.walk_m > int(test.removesuffix("m"))


def streets(session: Session) -> list[str]:
    rows = session.exec(select(Senior.residence_street).distinct()).all()
    canteen_rows = session.exec(select(Canteen.street).distinct()).all()
    return sorted({s for s in [*rows, *canteen_rows] if s})


def serving_sites(session: Session) -> list[Canteen]:
    return list(session.exec(select(Canteen).where(col(Canteen.active), col(Canteen.kind).in_(SERVING_KINDS))
                             .order_by(col(Canteen.id))).all())


def _seniors(session: Session, street: str) -> list[Senior]:
    query = select(Senior).where(Senior.status == "active").order_by(col(Senior.id))
    if street:
        query = query.where(Senior.residence_street == street)
    return list(session.exec(query).all())


def coverage_of(session: Session, street: str = "") -> Coverage:
    """Every active senior of the street (or district) against every serving canteen, whatever its street:
    people walk across street boundaries."""
    seniors = _seniors(session, street)
    located = [s for s in seniors if s.lat is not None and s.lng is not None]
    sites = serving_sites(session)
    reaches = cov.nearest_sites([cov.Place(str(s.id), s.lat or 0, s.lng or 0) for s in located],
                                [cov.Place(str(c.id), c.lat, c.lng) for c in sites])
    homes: list[HomeDot] = []
    lines: dict[tuple[str, str], CompoundLine] = {}
    for s, r in zip(located, reaches, strict=True):
        name = rules.compound_of(s.building, s.address)
        dot = HomeDot(s.id or 0, s.lat or 0, s.lng or 0, r.walk_m, r.walk_s, name) if r.site_key else \
            HomeDot(s.id or 0, s.lat or 0, s.lng or 0, 10**9, 10**9, name)
        homes.append(dot)
        line = lines.setdefault((s.residence_street, name), CompoundLine(name, s.residence_street))
        line.seniors += 1
        line.lat_sum += dot.lat
        line.lng_sum += dot.lng
        line.beyond_15min += _beyond(dot, "15min")
        line.beyond_1000m += _beyond(dot, "1000m")
        line.beyond_500m += _beyond(dot, "500m")
    compounds = sorted(lines.values(), key=lambda c: (c.street, c.compound))
    return Coverage(street, sites, homes, compounds, len(seniors) - len(located))


# ---------------------------------------------------------------- where to open next


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str
    lat: float
    lng: float
    kind: str  # "compound" (centre of a 小区's seniors) or "site" (entered by an operator)


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    gain: int
    total: int


@dataclass(frozen=True)
class Openings:
    radius_m: int
    k: int
    uncovered: int
    suggestions: list[Suggestion]
    upper_bound: int
    quality_percent: int
    candidates: int


def candidates_for(session: Session, picture: Coverage, source: str) -> list[Candidate]:
    out = []
    if source in ("", "all", "compound"):
        out += [Candidate(f"c:{c.street}:{c.compound}", c.compound, *c.centre, "compound")
                for c in picture.compounds]
    if source in ("", "all", "site"):
        query = select(CandidateSite).order_by(col(CandidateSite.id))
        if picture.street:
            query = query.where(CandidateSite.street == picture.street)
        out += [Candidate(f"s:{s.id}", s.name, s.lat, s.lng, "site") for s in session.exec(query).all()]
    return out


def openings(session: Session, picture: Coverage, *, radius_m: int, k: int, source: str = "") -> Openings:
    """The few candidates that would bring the most seniors now beyond `radius_m` within it."""
    uncovered = [h for h in picture.homes if h.walk_m > radius_m]
    candidates = candidates_for(session, picture, source)
    reach = cov.reachable([cov.Place(c.key, c.lat, c.lng) for c in candidates],
                          [cov.Place(str(h.senior_id), h.lat, h.lng) for h in uncovered], radius_m=radius_m)
    result = cov.greedy_openings(reach, k)
    by_key = {c.key: c for c in candidates}
    return Openings(radius_m, k, len(uncovered), [Suggestion(by_key[p.site_key], p.gain, p.total)
                                                  for p in result.picks],
                    result.upper_bound, result.quality_percent, len(candidates))


# ---------------------------------------------------------------- supply against 10 % of the 65+ hukou seniors


@dataclass
class SupplyLine:
    """One street (or the district): daily meal capacity against 10 % of its 65+ hukou seniors."""

    street: str
    seniors_65: int = 0
    capacity: int = 0
    slot_capacity: dict[str, int] = field(default_factory=dict)
    canteens: list[Canteen] = field(default_factory=list)

    @property
    def target(self) -> int:
        return rules.target_meals(self.seniors_65)

    @property
    def ratio_permille(self) -> int | None:
        """Capacity per thousand 65+ hukou seniors (100 ‰ = the 10 % target); None with nobody counted."""
        return self.capacity * 1000 // self.seniors_65 if self.seniors_65 else None

    @property
    def meets(self) -> bool:
        return self.capacity >= self.target


@dataclass(frozen=True)
class MonthSupply:
    month: date
    meals: int
    days: int
    seniors_65: int

    @property
    def per_day(self) -> int:
        return round(self.meals / self.days) if self.days else 0


@dataclass(frozen=True)
class Supply:
    streets: list[SupplyLine]
    district: SupplyLine
    months: list[MonthSupply]
    slot_capacity: dict[int, dict[str, int]]


def is_local_hukou(s: Senior) -> bool:
    """*assumption*: 户籍 in the district the senior lives in (hukou city 上海 and the same 区)."""
    return s.hukou_city in ("上海", "上海市") and s.hukou_district == s.residence_district


def _counts_65(seniors: list[Senior], day: date) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for s in seniors:
        if s.status == "active" and is_local_hukou(s) and rules.age_on(s.birth_date, day) >= rules.SUPPLY_AGE:
            counts[s.residence_street] += 1
    return counts


def supply_of(session: Session, street: str, today: date, months: int = 6) -> Supply:
    sites = [c for c in serving_sites(session) if not street or c.street == street]
    slots = session.exec(select(CanteenSlot).where(col(CanteenSlot.canteen_id).in_([c.id for c in sites]))).all()
    per_canteen: dict[int, dict[str, int]] = defaultdict(dict)
    for sl in slots:
        per_canteen[sl.canteen_id][sl.slot] = sl.capacity
    seniors = _seniors(session, street)
    counts = _counts_65(seniors, today)
    names = sorted({c.street for c in sites} | set(counts))
    lines = {n: SupplyLine(n, counts.get(n, 0)) for n in names}
    district = SupplyLine(street or "全区", sum(counts.values()))
    for c in sites:
        for line in (lines[c.street], district):
            line.capacity += c.daily_capacity
            line.canteens.append(c)
            for slot, n in per_canteen[c.id or 0].items():
                line.slot_capacity[slot] = line.slot_capacity.get(slot, 0) + n
    return Supply([lines[n] for n in names], district, _trend(session, sites, seniors, today, months),
                  dict(per_canteen))


def _trend(session: Session, sites: list[Canteen], seniors: list[Senior], today: date,
           months: int) -> list[MonthSupply]:
    """Meals served per day, month by month (this month up to today), with the 65+ count at each month's end."""
    first = rules.month_of(today)[0]
    starts = [first]
    for _ in range(months - 1):
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    rows = session.exec(select(col(Order.service_date), func.count(col(Order.id))).where(
        col(Order.canteen_id).in_([c.id for c in sites]), col(Order.status).in_(STANDING),
        col(Order.service_date) >= starts[0], col(Order.service_date) <= today).group_by(col(Order.service_date))).all()
    meals: dict[date, int] = defaultdict(int)
    for day, n in rows:
        meals[day.replace(day=1)] += n
    out = []
    for m in starts:
        end = min(rules.month_of(m)[1], today)
        out.append(MonthSupply(m, meals.get(m, 0), (end - m).days + 1, sum(_counts_65(seniors, end).values())))
    return out


class SiteForm(FormModel):
    name: Text = PField(title="点位名称", min_length=1, max_length=80)
    street: Text = PField(default="", title="街道", max_length=40)
    lat: Number = PField(title="纬度", ge=-90.0, le=90.0)
    lng: Number = PField(title="经度", ge=-180.0, le=180.0)


def add_candidate_site(session: Session, data: Mapping[str, object], *, user_id: int | None) -> CandidateSite:
    """A place an operator could open (a community centre, a vacant shop), offered to 'where to open next'."""
    form = parse_form(SiteForm, data)
    problems = Problems()
    taken = session.exec(select(CandidateSite).where(CandidateSite.name == form.name)).first()
    problems.check(taken is None, "name", msg.PLANNING_SITE_NAME_TAKEN)
    problems.done()
    site = CandidateSite(name=form.name, street=form.street, lat=form.lat, lng=form.lng, created_by_id=user_id)
    session.add(site)
    session.commit()
    return site
