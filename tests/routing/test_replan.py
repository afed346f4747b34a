"""Re-planning: locked routes and prefixes are kept; late stops slot into a published plan with the least
change."""

import pytest

from routing import Lock, NoFeasibleRoute, UnassignedReason, insert_late_stops, solve, validate
from tests.routing.builders import bike, line_problem, sequence, stop

POSITIONS = {"K": 0, "A": 100, "B": 200, "C": 300}


def plan_for(problem):
    plan = solve(problem, time_limit_s=2, deterministic=True)
    assert validate(problem, plan).ok, validate(problem, plan).violations
    return plan


def test_without_locks_one_bike_sweeps_the_line():
    problem = line_problem(POSITIONS, [stop("A"), stop("B"), stop("C")], [bike("b1"), bike("b2")])

    plan = plan_for(problem)

    assert plan.travel_s == 600 and len(plan.routes) == 1


def test_a_locked_prefix_stays_first_and_in_order_and_more_may_follow():
    problem = line_problem(
        POSITIONS,
        [stop("A"), stop("B"), stop("C")],
        [bike("b1"), bike("b2")],
        locks=(Lock("b2", ("C", "A")),),
    )

    plan = plan_for(problem)

    assert sequence(plan) == {"b2": [(1, "C"), (1, "A"), (1, "B")]}
    assert plan.travel_s == 800


def test_a_closed_lock_keeps_the_trip_exactly():
    problem = line_problem(
        POSITIONS,
        [stop("A"), stop("B"), stop("C")],
        [bike("b1"), bike("b2")],
        locks=(Lock("b2", ("C", "A"), closed=True),),
    )

    plan = plan_for(problem)

    assert sequence(plan) == {"b1": [(1, "B")], "b2": [(1, "C"), (1, "A")]}


def test_a_lock_on_the_second_trip_keeps_the_first_trip_free():
    problem = line_problem(
        POSITIONS,
        [stop("A"), stop("B"), stop("C")],
        [bike("b1", trips=2)],
        locks=(Lock("b1", ("A",), trip=2, closed=True),),
    )

    plan = plan_for(problem)

    trips = sequence(plan)["b1"]
    assert sorted(trips) == [(1, "B"), (1, "C"), (2, "A")] and trips[-1] == (2, "A")


def test_a_lock_that_breaks_a_window_cannot_be_kept():
    stops = [stop("A", window=(0, 150)), stop("B", window=(500, 600))]
    problem = line_problem(POSITIONS, stops, [bike("b1")], locks=(Lock("b1", ("B", "A"), closed=True),))

    with pytest.raises(NoFeasibleRoute):
        solve(problem, time_limit_s=1, deterministic=True)


def test_a_late_stop_slots_between_published_stops_without_moving_them():
    problem = line_problem({**POSITIONS, "N": 150}, [stop("A"), stop("C")], [bike("b1"), bike("b2")])
    published = plan_for(problem)

    plan = insert_late_stops(problem, published, [stop("N")], time_limit_s=1)

    merged = line_problem(
        {**POSITIONS, "N": 150}, [stop("A"), stop("C"), stop("N")], [bike("b1"), bike("b2")]
    )
    assert validate(merged, plan).ok
    keys = [v.stop_key for r in plan.routes for v in r.visits]
    assert [k for k in keys if k != "N"] == [v.stop_key for v in published.routes[0].visits]
    assert len(plan.routes) == 1 and plan.routes[0].vehicle_key == published.routes[0].vehicle_key
    assert plan.travel_s == 600 and plan.unassigned == ()


def test_a_trip_already_on_the_road_is_not_reopened():
    problem = line_problem({**POSITIONS, "N": 150}, [stop("A"), stop("C")], [bike("b1"), bike("b2")])
    published = plan_for(problem)
    on_road = published.routes[0].vehicle_key

    plan = insert_late_stops(problem, published, [stop("N")], time_limit_s=1, now_s=10)

    assert sequence(plan)[on_road] == sequence(published)[on_road]
    assert [(v.trip, v.stop_key) for r in plan.routes if r.vehicle_key != on_road for v in r.visits] == [
        (1, "N")
    ]


def test_a_late_stop_that_cannot_fit_is_listed_and_nothing_published_is_dropped():
    problem = line_problem({**POSITIONS, "N": 150}, [stop("A"), stop("C")], [bike("b1")])
    published = plan_for(problem)

    plan = insert_late_stops(problem, published, [stop("N")], time_limit_s=1, now_s=10)

    assert sequence(plan) == sequence(published)
    assert [(u.stop_key, u.reason) for u in plan.unassigned] == [("N", UnassignedReason.NO_TIME_LEFT)]


def test_a_driver_gone_off_shift_frees_his_stops_for_the_others():
    problem = line_problem({**POSITIONS, "N": 150}, [stop("A"), stop("C")], [bike("b1"), bike("b2")])
    published = plan_for(problem)
    gone = published.routes[0].vehicle_key
    staying = "b2" if gone == "b1" else "b1"
    fewer = line_problem({**POSITIONS, "N": 150}, [stop("A"), stop("C")], [bike(staying)])

    plan = insert_late_stops(fewer, published, [stop("N")], time_limit_s=1)

    assert [r.vehicle_key for r in plan.routes] == [staying]
    assert sorted(v.stop_key for v in plan.routes[0].visits) == ["A", "C", "N"]
