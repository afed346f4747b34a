"""Seniors' map points from their addresses: first the district's building register (offline), then, only when
configured, an online geocoder for what the register does not know. A point an operator set by hand is never
replaced; whatever matches nothing is listed with its reason for a person to resolve."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from app.core import audit
from app.core import messages as msg
from app.models import Building, Senior, now
from app.seniors import address, geocoder

AUTOMATIC = ("building", "compound", "geocoder")


@dataclass(frozen=True)
class Match:
    building: Building
    source: str  # "building" (road, lane and number) or "compound" (compound name and number)


@dataclass(frozen=True)
class Located:
    senior_id: int
    name: str
    address: str
    source: str
    place: str  # "静安新村 3 号" or the geocoder's own words


@dataclass(frozen=True)
class Unmatched:
    senior_id: int
    name: str
    address: str
    reason: str


@dataclass(frozen=True)
class LocateReport:
    located: list[Located]
    unmatched: list[Unmatched]


class BuildingIndex:
    """The register keyed the two ways an address can name a building."""

    def __init__(self, buildings: list[Building]) -> None:
        self.by_road = {b.road_key: b for b in buildings if b.road_key}
        self.by_compound: dict[str, dict[str, Building]] = {}
        self.names: list[tuple[str, str]] = []  # (folded name, compound), longest first
        for b in buildings:
            self.by_compound.setdefault(b.compound, {})[b.number] = b
            self.names += [(n, b.compound) for n in address.compound_names(b.compound, b.aliases)]
        self.names = sorted(set(self.names), key=lambda p: len(p[0]), reverse=True)

    def match(self, text: str) -> Match | str:
        """The building, or the reason in words why none."""
        key = address.address_key(text)
        if key.road_key and key.road_key in self.by_road:
            return Match(self.by_road[key.road_key], "building")
        for name, compound in self.names:
            number = address.number_after(name, key)
            if number is None:
                continue
            if not number:
                return msg.MATCH_NO_NUMBER
            found = self.by_compound[compound].get(number)
            return Match(found, "compound") if found else msg.MATCH_NO_BUILDING.format(compound=compound,
                                                                                      number=number)
        return msg.MATCH_NOTHING if key.number else msg.MATCH_NO_NUMBER


def _waiting(session: Session, allowed: frozenset[int] | None) -> list[Senior]:
    """Seniors still served whose point is missing or was set automatically (a re-run follows a corrected
    register); points set by hand and the demo's own are left alone."""
    query = select(Senior).where(col(Senior.status).in_(("active", "paused")),
                                 or_(col(Senior.lat).is_(None), col(Senior.point_source).in_(AUTOMATIC)))
    if allowed is not None:
        query = query.where(col(Senior.default_canteen_id).in_(allowed))
    return list(session.exec(query.order_by(col(Senior.id))).all())


def locate_seniors(session: Session, *, allowed: frozenset[int] | None, user_id: int | None,
                   provider: geocoder.Geocoder | None = None) -> LocateReport:
    """Match every waiting senior; set the point, building, lift from the building; one commit, audited."""
    index = BuildingIndex(list(session.exec(select(Building)).all()))
    located, unmatched = [], []
    for senior in _waiting(session, allowed):
        found = index.match(senior.address)
        if isinstance(found, Match):
            _place(senior, found.building.lat, found.building.lng, found.source, found.building)
            located.append(Located(senior.id or 0, senior.name, senior.address, found.source,
                                   f"{found.building.compound} {found.building.number} 号"))
            continue
        point = provider.locate(senior.address) if provider else None
        if point is not None:
            _place(senior, point.lat, point.lng, "geocoder", None)
            located.append(Located(senior.id or 0, senior.name, senior.address, "geocoder", point.label))
        else:
            unmatched.append(Unmatched(senior.id or 0, senior.name, senior.address, found))
    audit.record(session, user_id=user_id, action="senior.locate", object_type="senior",
                 detail=f"按地址匹配位置：{len(located)} 位已设置，{len(unmatched)} 位未匹配")
    session.commit()
    return LocateReport(located, unmatched)


def _place(senior: Senior, lat: float, lng: float, source: str, building: Building | None) -> None:
    senior.lat, senior.lng, senior.point_source, senior.updated_at = round(lat, 6), round(lng, 6), source, now()
    senior.building_id = building.id if building else None
    if building is not None and building.has_lift is not None:
        senior.has_lift = building.has_lift
    if building is not None:
        senior.building = f"{building.compound}{building.number}号"[:40]


def unmatched_now(session: Session, allowed: frozenset[int] | None) -> list[Unmatched]:
    """Seniors still without a point, each with why the register does not place them (nothing is written)."""
    index = BuildingIndex(list(session.exec(select(Building)).all()))
    out = []
    for s in _waiting(session, allowed):
        if s.lat is None:
            found = index.match(s.address)
            reason = found if isinstance(found, str) else msg.MATCH_NOT_RUN
            out.append(Unmatched(s.id or 0, s.name, s.address, reason))
    return out
