"""Bar charts drawn on the server as SVG (no script): the geometry the reports and planning pages draw."""

from __future__ import annotations

from dataclasses import dataclass


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
    """Geometry for a vertical bar chart in a `width` × `height` viewBox, labels under the bars; an optional
    target drawn across it."""

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
