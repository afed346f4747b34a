"""Geometry for the server-drawn SVG map and bar charts (no tile layer on this branch, no script)."""

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


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    max_value: int
    line_y: float | None = None  # a target drawn across the chart
    line_label: str = ""


def bar_chart(title: str, values: list[tuple[str, int]], *, target: int | None = None, target_label: str = "",
              width: int = 720, height: int = 260) -> BarChart:
    top, bottom = 30.0, 40.0
    room = height - top - bottom
    peak = max([v for _, v in values] + [target or 0]) or 1
    slot = width / max(len(values), 1)
    bars = [Bar(label, value, i * slot + slot * 0.15, top + room * (1 - value / peak), slot * 0.7,
                room * value / peak) for i, (label, value) in enumerate(values)]
    line_y = top + room * (1 - target / peak) if target is not None else None
    return BarChart(title, bars, width, height, top + room, peak, line_y, target_label)
