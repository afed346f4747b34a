"""Benchmark readers, the JSON format, and the coordinate shift used for AMap links."""

import json

import pytest

from routing import (
    HaversineTravel,
    LatLng,
    Lock,
    Weights,
    problem_from_dict,
    problem_to_json,
    read_json,
    read_solomon,
    read_vrplib,
    wgs84_to_gcj02,
)
from tests.routing.builders import DATA, bike, line_problem, stop


def test_solomon_is_read_in_tenths_with_truncated_euclidean_travel():
    problem = read_solomon(DATA / "R101.txt")

    assert (len(problem.stops), len(problem.vehicles), problem.vehicles[0].capacity_meals) == (100, 25, 200)
    first = problem.stop("1")
    assert (first.meals, first.window.start_s, first.window.end_s, first.service_s) == (10, 1610, 1710, 100)
    assert (problem.depot.ready_s, problem.depot.close_s, problem.ride_limit_s) == (0, 2300, None)
    matrix = problem.travel.matrix((problem.depot.location, first.location), ("0", "1"), problem.vehicles[0])
    assert matrix.seconds[0][1] == 152  # sqrt(6^2 + 14^2) = 15.23 -> 15.2


def test_vrplib_meal_instance_keeps_its_matrix_in_seconds_and_lng_lat_order():
    problem = read_vrplib(DATA / "meal-60-s1.vrp")

    assert (len(problem.stops), len(problem.vehicles), problem.vehicles[0].capacity_meals) == (60, 7, 16)
    assert problem.depot.location == LatLng(31.3005, 121.448)
    assert problem.vehicles[0].kind == "ebike"
    assert sum(s.meals for s in problem.stops) == 75


def test_a_file_that_is_not_solomon_is_refused(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n")

    with pytest.raises(ValueError, match="not a Solomon instance"):
        read_solomon(bad)


def test_json_round_trips_every_field(tmp_path):
    problem = line_problem(
        {"K": 0, "A": 100, "B": 200},
        [
            stop("A", window=(0, 900), service_s=60, eat_by_s=800, preferred_vehicle="b1"),
            stop("B", meals=2, ride_limit_s=1800),
        ],
        [bike("b1", trips=2)],
        ride_limit_s=3600,
        weights=Weights(vehicle_s=5, continuity_s=9),
        locks=(Lock("b1", ("A",), trip=1),),
        name="slot",
    )
    path = tmp_path / "p.json"
    path.write_text(problem_to_json(problem), encoding="utf-8")

    assert read_json(path) == problem


def test_json_derives_service_time_from_the_facts():
    data = {
        "depot": {"lat": 31.3, "lng": 121.45},
        "stops": [
            {
                "key": "A",
                "lat": 31.301,
                "lng": 121.451,
                "meals": 1,
                "window": [0, 3600],
                "service": {"floor": 5, "has_lift": False, "lives_alone": True},
            }
        ],
        "vehicles": [{"key": "b", "kind": "ebike", "capacity_meals": 16, "shift": [0, 7200]}],
    }

    problem = problem_from_dict(data)

    assert problem.stop("A").service_s == 60 + 4 * 25 + 120
    assert problem.travel == HaversineTravel() and problem.ride_limit_s == 3600


def test_json_names_the_missing_field(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "depot": {"lat": 31.3, "lng": 121.4},
                "vehicles": [],
                "stops": [{"key": "A", "lat": 31.3, "lng": 121.4}],
            }
        )
    )

    with pytest.raises(ValueError, match="stops\\[0\\]: missing field 'meals'"):
        read_json(path)


def test_gcj02_shifts_points_in_china_and_leaves_others_alone():
    lat, lng = wgs84_to_gcj02(39.908823, 116.397470)  # 天安门, WGS-84

    assert (round(lat, 4), round(lng, 4)) == (39.9102, 116.4037)
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)
