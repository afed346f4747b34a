"""The validator recomputes everything itself and names what is wrong."""

import dataclasses

from routing import RoutePlan, solve, validate
from tests.routing.builders import bike, line_problem, stop


def solved():
    problem = line_problem(
        {"K": 0, "A": 100, "B": 200},
        [stop("A", window=(0, 150), service_s=10), stop("B", window=(500, 600), service_s=10)],
        [bike(capacity=3)],
        ride_limit_s=500,
    )
    return problem, solve(problem, time_limit_s=2, deterministic=True)


def with_visit(plan, index, **changes):
    route = plan.routes[0]
    visits = list(route.visits)
    visits[index] = dataclasses.replace(visits[index], **changes)
    return RoutePlan((dataclasses.replace(route, visits=tuple(visits)),), plan.unassigned)


def test_a_solved_plan_passes_and_its_cost_is_recomputed():
    problem, plan = solved()

    report = validate(problem, plan)

    assert (report.ok, report.violations, report.travel_s, report.distance_m, report.cost) == (
        True,
        (),
        400,
        400,
        400,
    )


def test_a_stop_served_twice_or_never_is_reported():
    problem, plan = solved()
    route = plan.routes[0]
    twice = RoutePlan((dataclasses.replace(route, visits=(route.visits[0], route.visits[0])),), ())

    report = validate(problem, twice)

    assert "站点 A 出现 2 次（应恰好一次：送达或列为未安排）" in report.violations
    assert "站点 B 出现 0 次（应恰好一次：送达或列为未安排）" in report.violations


def test_a_late_start_is_reported_against_the_window():
    problem, plan = solved()

    report = validate(problem, with_visit(plan, 1, start_s=700, departure_s=710))

    assert "车辆 bike 第1趟站点 B开始送餐 700 晚于时间窗结束 600" in report.violations


def test_a_wrong_arrival_load_and_ride_are_each_reported():
    problem, plan = solved()

    report = validate(problem, with_visit(plan, 0, arrival_s=149, load=1, ride_s=5))

    assert report.violations[:3] == (
        "车辆 bike 第1趟站点 A到达时间应为 150，计划写 149",
        "车辆 bike 第1趟站点 A到达时车上应有 2 份，计划写 1",
        "车辆 bike 第1趟站点 A在途时间应为 100 秒，计划写 5",
    )


def test_too_many_meals_and_a_ride_over_the_limit_are_reported():
    problem, plan = solved()
    tight = dataclasses.replace(
        problem, ride_limit_s=300, vehicles=(dataclasses.replace(problem.vehicles[0], capacity_meals=1),)
    )

    report = validate(tight, plan)

    assert "车辆 bike 第1趟装载 2 份，超过容量 1 份" in report.violations
    assert "车辆 bike 第1趟站点 B离开厨房 450 秒才送达，超过餐食安全时限 300 秒" in report.violations


def test_a_return_after_the_shift_is_reported():
    problem, plan = solved()
    short = dataclasses.replace(
        problem,
        vehicles=(
            dataclasses.replace(
                problem.vehicles[0], shift=dataclasses.replace(problem.vehicles[0].shift, end_s=700)
            ),
        ),
    )

    report = validate(short, plan)

    assert report.violations == ("车辆 bike 第1趟回到厨房晚于班次结束 700",)
