"""time_route: a fixed sequence timed as the planner times it, with what it breaks."""

import pytest

from routing import Trip, Visit, read_vrplib, solve, time_route
from tests.routing.builders import DATA, bike, line_problem, stop

POSITIONS = {"K": 0, "A": 100, "B": 200}


def two_doors(ride_limit_s=300, **bike_options):
    stops = [stop("A", window=(0, 150), service_s=10), stop("B", window=(500, 600), service_s=10)]
    return line_problem(POSITIONS, stops, [bike(**bike_options)], ride_limit_s=ride_limit_s)


def test_two_trips_leave_just_in_time_and_break_nothing():
    problem = two_doors(trips=2)

    timed = time_route(problem, "bike", [["A"], ["B"]])

    assert timed.ok
    assert timed.route.vehicle_key == "bike"
    assert timed.route.trips == (Trip(1, 0, 210), Trip(2, 300, 710))
    assert timed.route.visits == (Visit("A", 1, 100, 100, 110, 1, 100), Visit("B", 2, 500, 500, 510, 1, 200))
    assert (timed.route.travel_s, timed.route.distance_m) == (600, 600)


def test_a_wrong_order_is_timed_and_its_late_door_and_long_rides_are_listed():
    problem = two_doors()

    timed = time_route(problem, "bike", [["B", "A"]])

    assert timed.route.trips == (Trip(1, 0, 720),)
    assert [(v.stop_key, v.arrival_s, v.start_s, v.ride_s) for v in timed.route.visits] == [
        ("B", 200, 500, 500),
        ("A", 610, 610, 610),
    ]
    assert [(v.kind, v.stop_key, v.excess) for v in timed.violations] == [
        ("ride_limit", "B", 200),
        ("window", "A", 460),
        ("ride_limit", "A", 310),
    ]
    assert timed.violations[1].message == "开始送餐时间晚于时间窗"


def test_too_many_meals_and_too_many_trips_are_listed_per_trip():
    problem = two_doors(ride_limit_s=None, capacity=1)

    timed = time_route(problem, "bike", [["A", "B"]])
    two = time_route(problem, "bike", [["A"], ["B"]])

    assert [(v.kind, v.trip, v.stop_key, v.excess) for v in timed.violations] == [("capacity", 1, None, 1)]
    assert [(v.kind, v.trip, v.excess) for v in two.violations] == [("trips", 2, 1)]


def test_a_return_after_the_shift_is_listed():
    problem = two_doors(shift=(0, 700))

    timed = time_route(problem, "bike", [["B"]])

    assert [(v.kind, v.trip, v.excess) for v in timed.violations] == [("shift", 1, 10)]


@pytest.mark.parametrize(
    ("vehicle", "trips", "message"),
    [
        ("car", [["A"]], "unknown vehicle 'car'"),
        ("bike", [["A", "Z"]], "unknown stop 'Z' in trip 1"),
        ("bike", [["A"], ["A"]], "stop 'A' appears more than once"),
        ("bike", [["A"], []], "trip 2 must be a non-empty sequence of stop keys"),
    ],
)
def test_malformed_sequences_are_refused(vehicle, trips, message):
    with pytest.raises(ValueError, match=message):
        time_route(two_doors(), vehicle, trips)


def test_the_planners_routes_are_timed_exactly_as_the_planner_timed_them():
    problem = read_vrplib(DATA / "meal-60-s1.vrp")
    plan = solve(problem, time_limit_s=1, deterministic=True)

    for route in plan.routes:
        trips = [[v.stop_key for v in route.visits if v.trip == t.number] for t in route.trips]
        timed = time_route(problem, route.vehicle_key, trips)

        assert timed.ok
        assert timed.route == route
