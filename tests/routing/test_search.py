"""The search's own pieces at scale: incremental routes, savings, neighbour lists."""

import dataclasses
import random
from pathlib import Path

from routing import read_vrplib, solve
from routing.compiled import compile_problem
from routing.construct import homogeneous, savings, split_trips
from routing.diagnose import screen_stops
from routing.improve import NEIGHBOURS, _free_nodes, neighbours, ruin_in_place
from routing.recreate import Routes, cost, recreate
from tests.routing.builders import DATA
from tests.routing.test_instances import assert_sound

LARGE_MEAL = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "meal"
PENALTY = 1_000_000


def compiled(path):
    problem = read_vrplib(path)
    servable, _ = screen_stops(problem)
    return compile_problem(problem, servable)


def started(c):
    near = neighbours(c)
    routes = Routes(c, savings(c, near))
    recreate(routes, near, random.Random(0))
    routes.commit()
    return routes, near


def test_neighbour_lists_are_the_nearest_stops_there_and_back():
    c = compiled(DATA / "meal-60-s1.vrp")
    m = c.seconds[0]

    near = neighbours(c)

    for i in (1, 17, 60):
        others = sorted((j for j in range(1, c.nodes) if j != i), key=lambda j: (m[i][j] + m[j][i], j))
        assert sorted(m[i][j] + m[j][i] for j in near[i]) == [m[i][j] + m[j][i] for j in others[:NEIGHBOURS]]


def test_savings_serves_every_stop_of_the_meal_instance_within_capacity():
    c = compiled(DATA / "meal-60-s1.vrp")

    routes, _ = started(c)

    assert homogeneous(c)
    assert routes.unserved == set()
    assert sorted(n for path in routes.paths for n in path) == list(range(1, c.nodes))
    assert all(load <= 16 for load in routes.load)


def test_a_rolled_back_ruin_and_recreate_leaves_the_routes_as_they_were():
    c = compiled(DATA / "meal-60-s1.vrp")
    routes, near = started(c)
    before, before_cost = routes.frozen(), routes.cost(PENALTY)
    rng = random.Random(3)

    for _ in range(50):
        ruin_in_place(routes, near, _free_nodes(c), list(range(1, c.nodes)), rng, 12)
        recreate(routes, near, rng)
        routes.rollback()

    assert routes.frozen() == before
    assert routes.cost(PENALTY) == before_cost
    assert routes.where == {n: k for k, path in enumerate(before) for n in path}


def test_the_kept_cost_equals_a_full_recount_after_many_commits():
    c = compiled(DATA / "meal-60-s1.vrp")
    routes, near = started(c)
    rng = random.Random(5)

    for _ in range(100):
        ruin_in_place(routes, near, _free_nodes(c), list(range(1, c.nodes)), rng, 15)
        recreate(routes, near, rng)
        routes.commit()

    fresh = Routes(c, routes.frozen())
    assert routes.cost(PENALTY) == cost(c, routes.frozen(), PENALTY) == fresh.cost(PENALTY)
    assert (routes.early, routes.late, routes.load) == (fresh.early, fresh.late, fresh.load)
    assert routes.unserved == set(range(1, c.nodes)) - {n for path in routes.paths for n in path}


def test_a_four_hundred_stop_meal_instance_is_planned_and_valid_in_two_seconds():
    problem = read_vrplib(LARGE_MEAL / "meal-400-s1.vrp")

    plan = solve(problem, time_limit_s=2)

    assert_sound(problem, plan)


def test_split_trips_gives_each_trip_its_own_part_of_the_shift_with_the_reload_between():
    from routing.compiled import compile_problem as compile_all
    from tests.routing.builders import bike, line_problem, stop

    problem = line_problem({"K": 0, "A": 100}, [stop("A")], [bike(trips=2, shift=(0, 1000))], reload_s=100)
    c = compile_all(problem, list(problem.stops))

    split = split_trips(c)

    assert split is not None
    assert [(slot.vehicle, slot.trip) for slot in split.slots] == [(0, 0), (1, 0)]
    assert (split.shift_start, split.shift_end) == (
        (0, 370),
        (270, 1000),
    )  # staggered 0.4 early: 270 = 0.3 x 900
    assert (
        split_trips(compile_all(dataclasses.replace(problem, vehicles=(bike(),)), list(problem.stops)))
        is None
    )


def test_the_fleet_cut_empties_half_full_routes_and_serves_every_stop():
    """Seven routes where five hold every meal (75 meals, 16 a bike): the cut takes the smallest routes out one by
    one and puts their stops back into the others; the plan it returns serves every stop within capacity."""
    import time

    from routing.improve import _capacity_bound, _cut_fleet

    c = compiled(DATA / "meal-60-s1.vrp")
    routes, near = started(c)
    paths = [list(p) for p in routes.frozen()]
    for full, empty in ((3, 5), (4, 6)):  # split two routes in halves onto the unused bikes
        half = len(paths[full]) // 2
        paths[empty], paths[full] = paths[full][half:], paths[full][:half]
    wasteful = Routes(c, tuple(tuple(p) for p in paths))
    assert wasteful.unserved == set() and sum(1 for p in wasteful.paths if p) == 7
    bound_before = _capacity_bound(c, wasteful)  # 75 meals in 112 places

    # (the fifth route cannot go: the cut stops 2 s after the last route it removed)
    cut = _cut_fleet(c, wasteful, near, list(range(1, c.nodes)), random.Random(1), time.monotonic() + 20, 2,
                     arc=100.0, largest=15)

    assert sum(1 for p in cut.paths if p) == 5
    assert cut.unserved == set()
    assert sorted(n for p in cut.paths for n in p) == list(range(1, c.nodes))
    assert all(load <= 16 for load in cut.load)
    assert cut.cost(PENALTY) == cost(c, cut.frozen(), PENALTY)
    assert bound_before is False and _capacity_bound(c, cut) is True  # 75 in 80 places


def test_chained_trips_keep_the_times_their_vehicle_leaves_them_through_ruins_and_rollbacks():
    """Two trips per bike: each trip's earliest and latest times follow from the bike's other trip (back, plus
    the reload time, before the next leaves); after many kept and undone ruins they equal a fresh recount, and
    OR-Tools accepts the plan on the real, chained model."""
    from routing.recreate import farthest_first, is_chained
    from routing.solver import Model, vet

    c = compiled(LARGE_MEAL / "meal-400-mt-s3.vrp")
    near = neighbours(c)
    routes = Routes(c, tuple(() for _ in c.slots))
    farthest_first(routes, near, random.Random(0))
    routes.commit()
    rng = random.Random(7)

    for i in range(200):
        ruin_in_place(routes, near, _free_nodes(c), list(range(1, c.nodes)), rng, 15)
        recreate(routes, near, rng)
        if i % 3:
            routes.commit()
        else:
            routes.rollback()

    fresh = Routes(c, routes.frozen())
    assert is_chained(c) and routes.chained
    assert (routes.early, routes.late, routes.travel_total, routes.fresh) == (
        fresh.early, fresh.late, fresh.travel_total, fresh.fresh
    )
    for k, slot in enumerate(c.slots):  # a second trip leaves after the first is back and the boxes reloaded
        if slot.trip == 1 and routes.paths[k - 1]:
            assert routes.early[k][0] >= routes.early[k - 1][-1] + c.reload_s
    assert vet(Model(c), routes.frozen()) is not None


def test_a_large_multi_trip_instance_serves_every_stop_in_two_seconds():
    problem = read_vrplib(LARGE_MEAL / "meal-800-mt-s3.vrp")

    plan = solve(problem, time_limit_s=2)

    assert_sound(problem, plan)
    assert plan.unassigned == ()
