"""Optional road-network travel times from an OSRM-compatible `table` service. The only module using httpx.

Any failure (timeout, HTTP error, malformed or incomplete answer) falls back to the offline provider, so a
plan can always be made; `last_error` says why the fallback was used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from routing.model import LatLng, TravelMatrix, TravelProvider, Vehicle
from routing.travel import HaversineTravel

log = logging.getLogger(__name__)

OSRM_PROFILES: dict[str, str] = {"ebike": "bike", "car": "car", "foot": "foot"}


@dataclass(eq=False)
class OsrmTravel:
    """`GET {base_url}/table/v1/{profile}/{lng,lat;...}?annotations=duration,distance`.
    `transport` lets tests plug in `httpx.MockTransport`."""

    base_url: str
    timeout_s: float = 5.0
    fallback: TravelProvider = field(default_factory=HaversineTravel)
    transport: httpx.BaseTransport | None = None
    last_error: str | None = None

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s!r}")

    def matrix(self, points: tuple[LatLng, ...], keys: tuple[str, ...], vehicle: Vehicle) -> TravelMatrix:
        try:
            result = self._fetch(points, vehicle)
            self.last_error = None
            return result
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            self.last_error = f"{type(error).__name__}: {error}"
            log.warning("OSRM table failed, using the offline estimate: %s", self.last_error)
            return self.fallback.matrix(points, keys, vehicle)

    def _fetch(self, points: tuple[LatLng, ...], vehicle: Vehicle) -> TravelMatrix:
        coordinates = ";".join(f"{p.lng:.6f},{p.lat:.6f}" for p in points)
        url = f"{self.base_url.rstrip('/')}/table/v1/{OSRM_PROFILES[vehicle.kind]}/{coordinates}"
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            response = client.get(url, params={"annotations": "duration,distance"})
            response.raise_for_status()
            body = response.json()
        if body.get("code") != "Ok":
            raise ValueError(f"OSRM answered code {body.get('code')!r}")
        return TravelMatrix(
            seconds=_square(body["durations"], len(points)), meters=_square(body["distances"], len(points))
        )


def _square(rows: list[list[float | None]], n: int) -> tuple[tuple[int, ...], ...]:
    if len(rows) != n or any(len(row) != n for row in rows):
        raise ValueError(f"OSRM table is not {n} x {n}")
    if any(value is None or value < 0 for row in rows for value in row):
        raise ValueError("OSRM table has unreachable pairs")
    return tuple(tuple(round(float(value)) for value in row) for row in rows)  # type: ignore[arg-type]
