"""A senior's map point set by hand: pasted coordinates or an AMap / Baidu share link, converted to WGS-84 (the
datum the product stores; DESIGN.md). AMap and Tencent speak GCJ-02, Baidu BD-09 unless its link says otherwise."""

from __future__ import annotations

import math
import re
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator

from app.core import messages as msg
from app.core.forms import FormModel, Text
from routing import wgs84_to_gcj02

Datum = Literal["gcj02", "wgs84", "bd09"]
NUMBER = r"-?\d{1,3}(?:\.\d+)?"
PAIR_RE = re.compile(rf"^\s*({NUMBER})\s*[,，\s]\s*({NUMBER})\s*$")


class PointForm(FormModel):
    point: Text = Field(title="位置", min_length=1, max_length=500)
    datum: Datum = Field(default="gcj02", title="坐标来源")

    @field_validator("point")
    @classmethod
    def _readable(cls, value: str) -> str:
        if value.startswith("http") and "surl.amap.com" in value:
            raise ValueError(msg.POINT_SHORT_LINK)
        return value


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The inverse of routing's wgs84_to_gcj02 by fixed-point iteration (≈ 1 cm after a few rounds)."""
    w_lat, w_lng = lat, lng
    for _ in range(6):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        w_lat, w_lng = w_lat - (g_lat - lat), w_lng - (g_lng - lng)
    return w_lat, w_lng


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * math.pi * 3000 / 180)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi * 3000 / 180)
    return z * math.sin(theta), z * math.cos(theta)


def _from_link(text: str) -> tuple[float, float, Datum] | None:
    """uri.amap.com/marker?position=lng,lat · api.map.baidu.com/marker?location=lat,lng[&coord_type=…]."""
    parts = urlsplit(text)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if "amap.com" in parts.netloc and (m := PAIR_RE.match(query.get("position", "") or query.get("p", ""))):
        return float(m.group(2)), float(m.group(1)), "gcj02"
    if "baidu.com" in parts.netloc and (m := PAIR_RE.match(query.get("location", ""))):
        kind = query.get("coord_type", "bd09ll")
        return float(m.group(1)), float(m.group(2)), "gcj02" if kind in ("gcj02", "gcj") else \
            "wgs84" if kind == "wgs84" else "bd09"
    return None


def read_point(form: PointForm) -> tuple[float, float]:
    """(lat, lng) in WGS-84, or ValueError with a Chinese sentence. Either order of a pasted pair is read:
    in China latitudes are 3–54 and longitudes 73–136, so the two never overlap."""
    found = _from_link(form.point) if form.point.startswith("http") else None
    if found is None:
        m = PAIR_RE.match(form.point)
        if not m:
            raise ValueError(msg.POINT_UNREADABLE)
        a, b = float(m.group(1)), float(m.group(2))
        found = (b, a, form.datum) if a > 60 else (a, b, form.datum)
    lat, lng, datum = found
    if not (3 <= lat <= 54 and 73 <= lng <= 136):
        raise ValueError(msg.POINT_OUTSIDE)
    if datum == "bd09":
        lat, lng = bd09_to_gcj02(lat, lng)
    return (lat, lng) if datum == "wgs84" else gcj02_to_wgs84(lat, lng)
