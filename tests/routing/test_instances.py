"""Invariants on real instances with short budgets: every plan is feasible and passes the validator."""

import dataclasses

from routing import read_solomon, read_vrplib, solve, validate
from tests.routing.builders import DATA


def assert_sound(problem, plan):
    report = validate(problem, plan)
    assert report.ok, report.violations[:5]
    assert plan.unassigned == ()
    assert report.travel_s == plan.travel_s
    visits = [v for r in plan.routes for v in r.visits]
    assert sorted(v.stop_key for v in visits) == sorted(s.key for s in problem.stops)
    assert all(
        problem.stop(v.stop_key).window.start_s <= v.start_s <= problem.stop(v.stop_key).window.end_s
        for v in visits
    )


def test_solomon_r101_tight_windows_are_all_served_in_two_seconds():
    problem = read_solomon(DATA / "R101.txt")

    plan = solve(problem, time_limit_s=2)

    assert_sound(problem, plan)
    assert len(plan.routes) <= 25
    assert plan.distance_m <= 1.05 * 16377  # best known 1637.7, in tenths


def test_meal_instance_under_the_sixty_minute_ride_limit():
    problem = dataclasses.replace(read_vrplib(DATA / "meal-60-s1.vrp"), ride_limit_s=3600)

    plan = solve(problem, time_limit_s=2)

    assert_sound(problem, plan)
    assert max(v.ride_s for r in plan.routes for v in r.visits) <= 3600
    assert all(r.visits[0].load <= 16 for r in plan.routes)


def test_meal_instance_with_reloads_and_fewer_bikes():
    base = read_vrplib(DATA / "meal-60-s1.vrp")
    bikes = tuple(dataclasses.replace(v, max_trips=2) for v in base.vehicles[:4])
    problem = dataclasses.replace(
        base, vehicles=bikes, ride_limit_s=3600, depot=dataclasses.replace(base.depot, reload_s=300)
    )

    plan = solve(problem, time_limit_s=2)

    assert validate(problem, plan).ok
    assert len(plan.routes) <= 4
    assert all(len(r.trips) <= 2 for r in plan.routes)


def test_deterministic_mode_repeats_itself_on_a_real_instance():
    problem = read_vrplib(DATA / "meal-60-s1.vrp")

    first = solve(problem, time_limit_s=5, deterministic=True)
    second = solve(problem, time_limit_s=5, deterministic=True)

    assert first == second
    assert_sound(problem, first)
