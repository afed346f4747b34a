"""Each constraint on a tiny line of doors, travel time = distance in seconds, exact answers."""

from routing import Trip, UnassignedReason, Visit, Weights, solve, validate
from tests.routing.builders import bike, line_problem, sequence, stop


def plan_for(problem, **kwargs):
    plan = solve(problem, time_limit_s=2, deterministic=True, **kwargs)
    assert validate(problem, plan).ok, validate(problem, plan).violations
    return plan


def test_a_morning_window_is_served_first_and_times_are_whole_seconds_from_dispatch():
    problem = line_problem(
        {"K": 0, "A": 100, "B": 200},
        [stop("A", window=(0, 150), service_s=10), stop("B", window=(500, 600), service_s=10)],
        [bike()],
    )

    plan = plan_for(problem)

    route = plan.routes[0]
    assert route.visits == (Visit("A", 1, 150, 150, 160, 2, 100), Visit("B", 1, 260, 500, 510, 1, 450))
    assert route.trips == (Trip(1, 50, 710),)
    assert (route.travel_s, route.distance_m, plan.unassigned) == (400, 400, ())


def test_a_trip_leaves_when_nobody_would_wait_at_a_door():
    problem = line_problem({"K": 0, "B": 200}, [stop("B", window=(500, 600))], [bike()])

    plan = plan_for(problem)

    assert plan.routes[0].trips == (Trip(1, 300, 700),)
    assert plan.routes[0].visits[0].ride_s == 200


def test_meals_beyond_one_bike_go_on_a_second_bike():
    problem = line_problem(
        {"K": 0, "A": 100, "B": -100},
        [stop("A", meals=2), stop("B", meals=2)],
        [bike("b1", capacity=3), bike("b2", capacity=3)],
    )

    plan = plan_for(problem)

    assert sorted(sequence(plan).values()) == [[(1, "A")], [(1, "B")]]
    assert all(route.visits[0].load == 2 for route in plan.routes)


def test_a_bike_that_may_reload_makes_a_second_trip_after_the_reload_time():
    problem = line_problem(
        {"K": 0, "A": 100, "B": -100},
        [stop("A", meals=2), stop("B", meals=2)],
        [bike(capacity=3, trips=2)],
        reload_s=60,
    )

    plan = plan_for(problem)

    route = plan.routes[0]
    assert [v.trip for v in route.visits] == [1, 2]
    assert route.trips == (Trip(1, 0, 200), Trip(2, 260, 460))
    assert plan.travel_s == 400


def test_when_boxes_and_trips_run_out_the_stop_is_listed_with_the_reason():
    problem = line_problem(
        {"K": 0, "A": 100, "B": -100}, [stop("A", meals=2), stop("B", meals=2)], [bike(capacity=3)]
    )

    plan = plan_for(problem)

    assert len(plan.unassigned) == 1
    assert plan.unassigned[0].reason is UnassignedReason.NO_CAPACITY_LEFT
    assert plan.unassigned[0].message == "车辆保温箱容量和趟数已用完"


def test_the_ride_limit_splits_a_route_that_would_keep_food_out_too_long():
    positions = {"K": 0, "A": 100, "B": 200}
    stops = [stop("A", window=(0, 150), service_s=10), stop("B", window=(500, 600), service_s=10)]
    problem = line_problem(positions, stops, [bike("b1"), bike("b2")], ride_limit_s=300)

    plan = plan_for(problem)

    assert sorted(sequence(plan).values()) == [[(1, "A")], [(1, "B")]]
    assert plan.travel_s == 600
    assert max(v.ride_s for r in plan.routes for v in r.visits) == 200


def test_a_stop_may_carry_its_own_longer_ride_limit():
    stops = [
        stop("A", window=(0, 150), service_s=10),
        stop("B", window=(500, 600), service_s=10, ride_limit_s=500),
    ]
    problem = line_problem({"K": 0, "A": 100, "B": 200}, stops, [bike("b1"), bike("b2")], ride_limit_s=300)

    plan = plan_for(problem)

    assert list(sequence(plan).values()) == [[(1, "A"), (1, "B")]]
    assert plan.travel_s == 400


def test_one_bike_under_a_ride_limit_goes_back_for_the_second_meal():
    stops = [stop("A", window=(0, 150), service_s=10), stop("B", window=(500, 600), service_s=10)]
    problem = line_problem({"K": 0, "A": 100, "B": 200}, stops, [bike(trips=2)], ride_limit_s=300)

    plan = plan_for(problem)

    assert sequence(plan) == {"bike": [(1, "A"), (2, "B")]}
    assert plan.routes[0].trips == (Trip(1, 0, 210), Trip(2, 300, 710))


def test_eat_by_forces_the_order_of_visits():
    stops = [stop("A", window=(300, 400)), stop("B", window=(0, 1000), eat_by_s=250)]
    problem = line_problem({"K": 0, "A": 100, "B": 200}, stops, [bike()])

    plan = plan_for(problem)

    assert sequence(plan) == {"bike": [(1, "B"), (1, "A")]}


def test_a_short_shift_leaves_the_far_door_to_the_longer_shift():
    problem = line_problem(
        {"K": 0, "A": 200}, [stop("A")], [bike("b1", shift=(0, 250)), bike("b2", shift=(0, 1000))]
    )

    plan = plan_for(problem)

    assert sequence(plan) == {"b2": [(1, "A")]}


def test_stops_no_vehicle_can_serve_alone_are_explained():
    stops = [stop("late", window=(0, 100)), stop("far"), stop("big", meals=20), stop("slow")]
    positions = {"K": 0, "late": 200, "far": 400, "big": 10, "slow": 150}
    problem = line_problem(positions, stops, [bike(shift=(0, 290))], ride_limit_s=300)

    plan = plan_for(problem)

    reasons = {u.stop_key: (u.reason, u.message) for u in plan.unassigned}
    assert reasons == {
        "late": (UnassignedReason.WINDOW_UNREACHABLE, "送餐时间窗从厨房出发无法赶到"),
        "far": (UnassignedReason.RIDE_LIMIT, "从厨房到门口超过餐食安全时限，任何车辆都无法按时送达"),
        "big": (UnassignedReason.TOO_MANY_MEALS, "份数超过任何车辆的保温箱容量"),
        "slow": (UnassignedReason.BEYOND_SHIFTS, "超出所有送餐员的班次时间"),
    }
    assert plan.routes == ()


def test_continuity_keeps_yesterdays_driver():
    problem = line_problem(
        {"K": 0, "A": 100},
        [stop("A", preferred_vehicle="b2")],
        [bike("b1"), bike("b2")],
        weights=Weights(continuity_s=1000),
    )

    plan = plan_for(problem)

    assert sequence(plan) == {"b2": [(1, "A")]}


def test_a_vehicle_weight_packs_stops_onto_fewer_bikes():
    problem = line_problem(
        {"K": 0, "A": 100, "B": -100},
        [stop("A"), stop("B")],
        [bike("b1"), bike("b2")],
        weights=Weights(vehicle_s=1000),
    )

    plan = plan_for(problem)

    assert len(plan.routes) == 1
    assert validate(problem, plan).cost == 400 + 1000


def test_the_same_input_gives_the_same_plan_in_deterministic_mode():
    stops = [stop(k, window=(0, 3000), service_s=30) for k in "ABCDEF"]
    positions = {"K": 0, "A": 120, "B": -300, "C": 450, "D": 90, "E": -40, "F": 610}
    problem = line_problem(positions, stops, [bike("b1", capacity=3), bike("b2", capacity=3)])

    first, second = plan_for(problem), plan_for(problem)

    assert first == second


def test_progress_is_reported_from_start_to_done():
    problem = line_problem({"K": 0, "A": 100}, [stop("A")], [bike()])
    seen = []

    plan = plan_for(problem, progress=seen.append)

    assert [p.stage for p in seen][0] == "started"
    assert seen[-1].stage == "done" and seen[-1].best_cost == plan.travel_s == 200


def test_ruin_and_recreate_keeps_every_meal_within_the_ride_limit():
    positions = {"K": 0, "A": 100, "B": 200, "C": 300, "D": -100, "E": -200, "F": -300}
    stops = [stop(k, window=(0, 2000), service_s=60) for k in "ABCDEF"]
    problem = line_problem(positions, stops, [bike("b1"), bike("b2"), bike("b3")], ride_limit_s=400)

    plan = solve(problem, time_limit_s=1, seed=3)

    assert validate(problem, plan).ok and plan.unassigned == ()
    assert max(v.ride_s for r in plan.routes for v in r.visits) <= 400
    # one bike per side would reach C and F after 420 s; best: B,C and E,F (360 s rides) and D,A across
    assert plan.travel_s == 1600 and len(plan.routes) == 3
