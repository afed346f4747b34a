"""An optional online geocoder for addresses the building register does not place (off unless
CANTEEN_GEOCODER_URL is set). It speaks the AMap Web-service `geocode/geo` shape most Chinese providers copy:
`GET {url}?address=…&city=…&key=…` answering `{"status": "1", "geocodes": [{"location": "lng,lat",
"level": "门牌号", "formatted_address": …}]}`, in GCJ-02 unless configured otherwise.

Only the address is sent, never a name or an ID number, and nothing of it is logged. Any failure (timeout,
HTTP error, a malformed answer, a point only as precise as a road or a district) means "not found": the senior
is listed for a person to resolve, never placed at a guess."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from app.core.settings import Settings
from app.seniors.location import bd09_to_gcj02, gcj02_to_wgs84

log = logging.getLogger(__name__)
# AMap's `level` values precise enough to find a door; 道路, 乡镇, 区县 … are not.
PRECISE_LEVELS = frozenset({"门牌号", "楼栋", "单元号", "兴趣点", "住宅区"})


@dataclass(frozen=True)
class GeoPoint:
    lat: float  # WGS-84
    lng: float
    label: str


@dataclass(frozen=True)
class Geocoder:
    url: str
    key: str = ""
    city: str = "上海"
    datum: str = "gcj02"
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"geocoder url must start with http:// or https://, got {self.url!r}")
        if self.datum not in ("gcj02", "wgs84", "bd09"):
            raise ValueError(f"geocoder datum must be gcj02, wgs84 or bd09, got {self.datum!r}")

    def locate(self, address: str) -> GeoPoint | None:
        try:
            return self._fetch(address)
        except (httpx.HTTPError, ValueError, KeyError, TypeError, IndexError) as error:
            log.warning("geocoder failed (%s); the address is left for a person", type(error).__name__)
            return None

    def _fetch(self, address: str) -> GeoPoint | None:
        params = {"address": address, "city": self.city, "output": "JSON"} | ({"key": self.key} if self.key else {})
        with httpx.Client(timeout=self.timeout_s) as client:
            response = client.get(self.url, params=params)
            response.raise_for_status()
            body = response.json()
        if str(body.get("status")) != "1" or not body.get("geocodes"):
            return None
        first = body["geocodes"][0]
        if first.get("level") not in PRECISE_LEVELS:
            return None
        lng_text, lat_text = str(first["location"]).split(",")
        lat, lng = float(lat_text), float(lng_text)
        if not (3 <= lat <= 54 and 73 <= lng <= 136):
            return None
        if self.datum == "bd09":
            lat, lng = bd09_to_gcj02(lat, lng)
        if self.datum != "wgs84":
            lat, lng = gcj02_to_wgs84(lat, lng)
        return GeoPoint(lat, lng, str(first.get("formatted_address", ""))[:100])


def from_settings(settings: Settings) -> Geocoder | None:
    """The configured provider, or None (the default: offline only)."""
    if not settings.geocoder_url:
        return None
    return Geocoder(settings.geocoder_url, settings.geocoder_key, settings.geocoder_city, settings.geocoder_datum)
