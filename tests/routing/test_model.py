"""Malformed input fails on construction with a precise ValueError; service time comes from the facts."""

import pytest

from routing import (
    Depot,
    LatLng,
    Lock,
    RoutingProblem,
    ServiceRules,
    TimeWindow,
    Vehicle,
    service_time_s,
    solve,
)
from routing.travel import HaversineTravel, MatrixTravel
from tests.routing.builders import bike, line_problem, stop


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: LatLng(91.0, 121.0), "lat must be within [-90, 90], got 91.0"),
        (lambda: LatLng(31.0, float("nan")), "lng must be a finite number, got nan"),
        (lambda: TimeWindow(600, 300), "time window ends (300) before it starts (600)"),
        (lambda: TimeWindow(-1, 300), "time window: start_s must be >= 0, got -1"),
        (lambda: TimeWindow(0, 1.5), "time window: end_s must be an integer, got 1.5"),
        (lambda: stop("A", meals=0), "stop A: meals must be >= 1, got 0"),
        (lambda: stop("A", service_s=-5), "stop A: service_s must be >= 0, got -5"),
        (lambda: stop("A", ride_limit_s=0), "stop A: ride_limit_s must be >= 1, got 0"),
        (
            lambda: Vehicle("v", "truck", 16, TimeWindow(0, 10)),
            "vehicle v: kind must be one of ebike, car, foot",
        ),
        (lambda: bike(capacity=0), "vehicle bike: capacity_meals must be >= 1, got 0"),
        (lambda: bike(trips=0), "vehicle bike: max_trips must be >= 1, got 0"),
        (
            lambda: Depot(LatLng(31, 121), ready_s=100, close_s=50),
            "depot depot: close_s (50) is before ready_s",
        ),
        (lambda: Lock("v", ()), "lock on v: stop_keys must be a non-empty tuple"),
        (lambda: Lock("v", ("A", "A")), "lock on v: a stop appears twice"),
        (lambda: HaversineTravel(circuity=0.9), "circuity must be >= 1.0, got 0.9"),
        (lambda: MatrixTravel(("K", "A"), ((0, 1),)), "seconds matrix must be 2 x 2 to match its keys"),
        (lambda: MatrixTravel(("K", "A"), ((0, -1), (1, 0))), "seconds matrix entries must be non-negative"),
    ],
)
def test_malformed_values_are_refused_with_the_field_named(build, message):
    with pytest.raises(ValueError, match="^" + __import__("re").escape(message)):
        build()


def test_a_problem_refuses_duplicate_keys_unknown_lock_targets_and_no_vehicles():
    positions = {"K": 0, "A": 1}

    with pytest.raises(ValueError, match="stop key 'A' appears more than once"):
        line_problem(positions, [stop("A"), stop("A")], [bike()])
    with pytest.raises(ValueError, match="vehicle key 'bike' appears more than once"):
        line_problem(positions, [stop("A")], [bike(), bike()])
    with pytest.raises(ValueError, match="lock on bike names unknown stop 'Z'"):
        line_problem(positions, [stop("A")], [bike()], locks=(Lock("bike", ("Z",)),))
    with pytest.raises(ValueError, match="lock names unknown vehicle 'car'"):
        line_problem(positions, [stop("A")], [bike()], locks=(Lock("car", ("A",)),))
    with pytest.raises(ValueError, match="lock on bike: trip 2 exceeds max_trips"):
        line_problem(positions, [stop("A")], [bike()], locks=(Lock("bike", ("A",), trip=2),))
    with pytest.raises(ValueError, match="a problem needs at least one vehicle"):
        RoutingProblem(depot=Depot(LatLng(31, 121)), stops=(), vehicles=())


def test_solve_refuses_a_time_limit_that_is_not_positive():
    problem = line_problem({"K": 0, "A": 1}, [stop("A")], [bike()])

    with pytest.raises(ValueError, match="time_limit_s must be > 0, got 0"):
        solve(problem, time_limit_s=0)


def test_a_matrix_without_a_stop_is_refused_when_solving():
    problem = line_problem({"K": 0, "A": 1}, [stop("A"), stop("B")], [bike()])

    with pytest.raises(ValueError, match="travel matrix has no row for B"):
        solve(problem, time_limit_s=1)


@pytest.mark.parametrize(
    ("floor", "has_lift", "lives_alone", "seconds"),
    [
        (1, False, False, 60),  # ground floor: the base handover
        (6, False, False, 60 + 5 * 25),  # 老公房, sixth floor, no lift: five flights
        (6, True, False, 60),  # a lift makes the floor irrelevant
        (6, False, True, 60 + 5 * 25 + 120),  # living alone: a wellness check at the door
        (3, True, True, 60 + 120),
    ],
)
def test_service_time_grows_with_stairs_and_the_wellness_check(floor, has_lift, lives_alone, seconds):
    assert service_time_s(floor=floor, has_lift=has_lift, lives_alone=lives_alone) == seconds


def test_service_rules_are_parameters():
    rules = ServiceRules(base_s=30, per_floor_s=40, wellness_check_s=0)

    assert service_time_s(floor=4, has_lift=False, lives_alone=True, rules=rules) == 30 + 3 * 40


def test_a_floor_below_one_is_refused():
    with pytest.raises(ValueError, match="service time: floor must be >= 1, got 0"):
        service_time_s(floor=0, has_lift=False, lives_alone=False)


def test_default_travel_is_haversine_times_circuity_at_the_bike_speed():
    kitchen, door = LatLng(31.3005, 121.448), LatLng(31.3005, 121.458)  # 950 m apart on the parallel

    matrix = HaversineTravel().matrix((kitchen, door), ("K", "A"), bike())

    assert matrix.meters[0][1] == 1283  # 950.1 m x 1.35 = 1282.65
    assert matrix.seconds[0][1] == 308  # 1283 m at 15 km/h = 307.9 s
    assert matrix.seconds[1][0] == matrix.seconds[0][1] and matrix.seconds[0][0] == 0


def test_travel_does_not_import_the_model_back():
    import ast
    import pathlib

    import routing.travel

    tree = ast.parse(pathlib.Path(routing.travel.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }

    assert "routing.model" not in imported
    assert "routing" not in imported
