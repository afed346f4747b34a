"""The project's JSON problem format (documented in routing/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from routing.model import (
    Depot,
    LatLng,
    Lock,
    RoutingProblem,
    ServiceRules,
    Stop,
    TimeWindow,
    TravelProvider,
    Vehicle,
    Weights,
    service_time_s,
)
from routing.travel import HaversineTravel, MatrixTravel


def read_json(path: str | Path) -> RoutingProblem:
    """Read a problem file; raises ValueError naming the first bad field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from error
    return problem_from_dict(data)


def problem_to_json(problem: RoutingProblem) -> str:
    return json.dumps(problem_to_dict(problem), ensure_ascii=False, indent=1)


def _field(data: dict[str, Any], name: str, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    if name not in data:
        raise ValueError(f"{where}: missing field {name!r}")
    return data[name]


def _window(value: Any, where: str) -> TimeWindow:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{where}: expected [start_s, end_s], got {value!r}")
    return TimeWindow(value[0], value[1])


def _point(data: dict[str, Any], where: str) -> LatLng:
    return LatLng(_field(data, "lat", where), _field(data, "lng", where))


def _stop(data: dict[str, Any], rules: ServiceRules, i: int) -> Stop:
    where = f"stops[{i}]"
    key, location = _field(data, "key", where), _point(data, where)
    meals, window = _field(data, "meals", where), _window(_field(data, "window", where), where)
    if "service_s" in data:
        service = data["service_s"]
    else:
        facts = _field(data, "service", where)
        service = service_time_s(
            floor=_field(facts, "floor", where + ".service"),
            has_lift=bool(_field(facts, "has_lift", where + ".service")),
            lives_alone=bool(facts.get("lives_alone", False)),
            rules=rules,
        )
    return Stop(
        key=key,
        location=location,
        meals=meals,
        window=window,
        service_s=service,
        ride_limit_s=data.get("ride_limit_s"),
        eat_by_s=data.get("eat_by_s"),
        preferred_vehicle=data.get("preferred_vehicle"),
    )


def _vehicle(data: dict[str, Any], i: int) -> Vehicle:
    where = f"vehicles[{i}]"
    return Vehicle(
        key=_field(data, "key", where),
        kind=_field(data, "kind", where),
        capacity_meals=_field(data, "capacity_meals", where),
        shift=_window(_field(data, "shift", where), where),
        max_trips=data.get("max_trips", 1),
        speed_kmh=data.get("speed_kmh"),
    )


def _travel(data: dict[str, Any] | None) -> TravelProvider:
    if data is None or data.get("type", "haversine") == "haversine":
        return HaversineTravel(**({"circuity": data["circuity"]} if data and "circuity" in data else {}))
    if data["type"] == "matrix":
        meters = data.get("meters")
        return MatrixTravel(
            tuple(data["keys"]),
            tuple(tuple(r) for r in data["seconds"]),
            tuple(tuple(r) for r in meters) if meters is not None else None,
        )
    if data["type"] == "osrm":
        from routing.osrm import OsrmTravel

        return OsrmTravel(base_url=data["base_url"], timeout_s=data.get("timeout_s", 5.0))
    raise ValueError(f"travel.type must be haversine, matrix or osrm, got {data['type']!r}")


def problem_from_dict(data: dict[str, Any]) -> RoutingProblem:
    """Build a problem from the JSON structure; raises ValueError for anything malformed."""
    rules = ServiceRules(**data.get("service_rules", {}))
    depot_data = _field(data, "depot", "problem")
    depot = Depot(
        location=_point(depot_data, "depot"),
        key=depot_data.get("key", "depot"),
        ready_s=depot_data.get("ready_s", 0),
        close_s=depot_data.get("close_s", 24 * 3600),
        reload_s=depot_data.get("reload_s", 300),
    )
    stops = tuple(_stop(s, rules, i) for i, s in enumerate(_field(data, "stops", "problem")))
    vehicles = tuple(_vehicle(v, i) for i, v in enumerate(_field(data, "vehicles", "problem")))
    locks = tuple(
        Lock(
            _field(lk, "vehicle_key", f"locks[{i}]"),
            tuple(_field(lk, "stop_keys", f"locks[{i}]")),
            lk.get("trip", 1),
            bool(lk.get("closed", False)),
        )
        for i, lk in enumerate(data.get("locks", []))
    )
    return RoutingProblem(
        depot=depot,
        stops=stops,
        vehicles=vehicles,
        travel=_travel(data.get("travel")),
        ride_limit_s=data.get("ride_limit_s", 3600),
        weights=Weights(**data.get("weights", {})),
        locks=locks,
        name=data.get("name", ""),
    )


def problem_to_dict(problem: RoutingProblem) -> dict[str, Any]:
    d = problem.depot
    return {
        "name": problem.name,
        "depot": {
            "key": d.key,
            "lat": d.location.lat,
            "lng": d.location.lng,
            "ready_s": d.ready_s,
            "close_s": d.close_s,
            "reload_s": d.reload_s,
        },
        "stops": [
            {
                "key": s.key,
                "lat": s.location.lat,
                "lng": s.location.lng,
                "meals": s.meals,
                "window": [s.window.start_s, s.window.end_s],
                "service_s": s.service_s,
                "ride_limit_s": s.ride_limit_s,
                "eat_by_s": s.eat_by_s,
                "preferred_vehicle": s.preferred_vehicle,
            }
            for s in problem.stops
        ],
        "vehicles": [
            {
                "key": v.key,
                "kind": v.kind,
                "capacity_meals": v.capacity_meals,
                "shift": [v.shift.start_s, v.shift.end_s],
                "max_trips": v.max_trips,
                "speed_kmh": v.speed_kmh,
            }
            for v in problem.vehicles
        ],
        "ride_limit_s": problem.ride_limit_s,
        "weights": {
            "vehicle_s": problem.weights.vehicle_s,
            "balance": problem.weights.balance,
            "continuity_s": problem.weights.continuity_s,
        },
        "locks": [
            {
                "vehicle_key": lk.vehicle_key,
                "stop_keys": list(lk.stop_keys),
                "trip": lk.trip,
                "closed": lk.closed,
            }
            for lk in problem.locks
        ],
        "travel": _travel_to_dict(problem.travel),
    }


def _travel_to_dict(travel: TravelProvider) -> dict[str, Any]:
    if isinstance(travel, HaversineTravel):
        return {"type": "haversine", "circuity": travel.circuity}
    if isinstance(travel, MatrixTravel):
        return {
            "type": "matrix",
            "keys": list(travel.keys),
            "seconds": [list(r) for r in travel.seconds],
            "meters": [list(r) for r in travel.meters] if travel.meters is not None else None,
        }
    base_url = getattr(travel, "base_url", None)
    if base_url is not None:
        return {"type": "osrm", "base_url": base_url, "timeout_s": getattr(travel, "timeout_s", 5.0)}
    raise ValueError(f"cannot write travel provider {type(travel).__name__} as JSON")
