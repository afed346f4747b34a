"""Doorstep-delivery route planning for a canteen's meal slot: a pure library around OR-Tools.

Everything is in whole seconds from the plan's start (the kitchen's dispatch time). See README.md for the
JSON problem format, the CLI and the benchmark.
"""

from routing.geo import haversine_m, wgs84_to_gcj02
from routing.jsonio import problem_from_dict, problem_to_dict, problem_to_json, read_json
from routing.model import (
    DEFAULT_SPEED_KMH,
    Depot,
    LatLng,
    Lock,
    RoutingProblem,
    ServiceRules,
    Stop,
    TimeWindow,
    TravelProvider,
    Vehicle,
    VehicleKind,
    Weights,
    service_time_s,
)
from routing.plan import (
    REASON_TEXT,
    NoFeasibleRoute,
    Route,
    RoutePlan,
    SolveProgress,
    Trip,
    Unassigned,
    UnassignedReason,
    Visit,
)
from routing.planner import solve
from routing.readers import read_solomon, read_vrplib
from routing.replan import insert_late_stops
from routing.timing import VIOLATION_TEXT, TimedRoute, Violation, time_route
from routing.travel import DEFAULT_CIRCUITY, HaversineTravel, MatrixTravel, TravelMatrix
from routing.validate import ValidationReport, validate

__all__ = [
    "DEFAULT_CIRCUITY",
    "DEFAULT_SPEED_KMH",
    "REASON_TEXT",
    "VIOLATION_TEXT",
    "Depot",
    "HaversineTravel",
    "LatLng",
    "Lock",
    "MatrixTravel",
    "NoFeasibleRoute",
    "Route",
    "RoutePlan",
    "RoutingProblem",
    "ServiceRules",
    "SolveProgress",
    "Stop",
    "TimeWindow",
    "TimedRoute",
    "TravelMatrix",
    "TravelProvider",
    "Trip",
    "Unassigned",
    "UnassignedReason",
    "ValidationReport",
    "Vehicle",
    "VehicleKind",
    "Violation",
    "Visit",
    "Weights",
    "haversine_m",
    "insert_late_stops",
    "problem_from_dict",
    "problem_to_dict",
    "problem_to_json",
    "read_json",
    "read_solomon",
    "read_vrplib",
    "service_time_s",
    "solve",
    "time_route",
    "validate",
    "wgs84_to_gcj02",
]
