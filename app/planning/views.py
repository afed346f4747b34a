"""Geometry for the server-drawn SVG coverage map (no script); bar charts come from app.core.charts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.planning import coverage as cov
from app.planning.service import Coverage

BAND_COLOURS = {"500": "#1a7f37", "1000": "#2f6fb3", "15": "#9a6700", "out": "#c62828"}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    band: str
    colour: str


@dataclass(frozen=True)
class SiteMark:
    x: float
    y: float
    name: str
    r500: float
    r1000: float


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    dots: list[Dot]
    sites: list[SiteMark]


def coverage_map(picture: Coverage, width: int = 720, height: int = 520, pad: float = 24.0) -> MapView:
    """An equirectangular plot of homes coloured by band and sites with rings a 500 m / 1,000 m walk away."""
    lats = [h.lat for h in picture.homes] + [c.lat for c in picture.sites]
    lngs = [h.lng for h in picture.homes] + [c.lng for c in picture.sites]
    if not lats:
        return MapView(width, height, [], [])
    lat0 = sum(lats) / len(lats)
    kx = math.cos(math.radians(lat0)) * 111_320.0
    ky = 111_320.0
    span_x = max((max(lngs) - min(lngs)) * kx, 1.0)
    span_y = max((max(lats) - min(lats)) * ky, 1.0)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)

    def xy(lat: float, lng: float) -> tuple[float, float]:
        return pad + (lng - min(lngs)) * kx * scale, height - pad - (lat - min(lats)) * ky * scale

    dots = [Dot(*xy(h.lat, h.lng), h.band, BAND_COLOURS[h.band]) for h in picture.homes]
    sites = [SiteMark(*xy(c.lat, c.lng), c.name, 500 / cov.CIRCUITY * scale,
                      1000 / cov.CIRCUITY * scale) for c in picture.sites]
    return MapView(width, height, dots, sites)


