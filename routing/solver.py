"""The OR-Tools model and one search run. The only module that imports ortools.

Each vehicle trip is its own OR-Tools vehicle ("slot"); a vehicle's slots are chained in time with the
kitchen's reload time between them. The food-safety ride limit is a second time dimension whose slack is
tied to the first, so its cumul at a stop is the time since that slot left the kitchen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.compiled import Compiled

FIRST = routing_enums_pb2.FirstSolutionStrategy
META = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchConfig:
    """One member of the portfolio: a first-solution strategy and a metaheuristic, by OR-Tools name."""

    first: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    first_only: bool = False  # stop after the construction (no local search)


@dataclass(frozen=True)
class SearchResult:
    routes: tuple[tuple[int, ...], ...]  # nodes per slot
    objective: int


class Model:
    """A closed OR-Tools routing model for `c`; searches may be run on it several times."""

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.closed = False
        self.manager = pywrapcp.RoutingIndexManager(c.nodes, len(c.slots), 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._time_callbacks = self._register_time()
        self._set_costs()
        self.time = self._add_time()
        self._add_load()
        self._add_ride()
        self._add_balance()
        self.penalty = self._add_disjunctions()
        self._add_locks()
        self._add_order()

    def _register_time(self) -> list[int]:
        c = self.c
        per_class = [
            self.routing.RegisterTransitMatrix(
                [[c.service[i] + row[j] for j in range(c.nodes)] for i, row in enumerate(matrix)]
            )
            for matrix in c.seconds
        ]
        return [per_class[slot.travel_class] for slot in self.c.slots]

    def _set_costs(self) -> None:
        c = self.c
        wants_continuity = c.continuity_s > 0 and any(p is not None for p in c.preferred)
        registered: dict[tuple[int, int], int] = {}
        for k, slot in enumerate(c.slots):
            key = (slot.travel_class, slot.vehicle if wants_continuity else -1)
            if key not in registered:
                registered[key] = self.routing.RegisterTransitMatrix(
                    self._cost_matrix(slot.travel_class, key[1])
                )
            self.routing.SetArcCostEvaluatorOfVehicle(registered[key], k)
            if c.vehicle_s:
                self.routing.SetFixedCostOfVehicle(c.vehicle_s, k)

    def _cost_matrix(self, travel_class: int, vehicle: int) -> list[list[int]]:
        c, matrix = self.c, self.c.seconds[travel_class]
        if vehicle < 0:
            return [list(row) for row in matrix]
        extra = [c.continuity_s if p is not None and p != vehicle else 0 for p in c.preferred]
        return [[value + extra[j] for j, value in enumerate(row)] for row in matrix]

    def _add_time(self) -> pywrapcp.RoutingDimension:
        c, routing = self.c, self.routing
        horizon = c.horizon()
        routing.AddDimensionWithVehicleTransits(self._time_callbacks, horizon, horizon, False, "time")
        time = routing.GetDimensionOrDie("time")
        for node in range(1, c.nodes):
            time.CumulVar(self.manager.NodeToIndex(node)).SetRange(c.earliest[node], c.latest[node])
        previous: dict[int, int] = {}
        for k, slot in enumerate(c.slots):
            start, end = routing.Start(k), routing.End(k)
            time.CumulVar(start).SetRange(c.shift_start[slot.vehicle], c.shift_end[slot.vehicle])
            time.CumulVar(end).SetRange(c.shift_start[slot.vehicle], c.shift_end[slot.vehicle])
            if slot.vehicle in previous:
                before = routing.End(previous[slot.vehicle])
                routing.solver().Add(time.CumulVar(start) >= time.CumulVar(before) + c.reload_s)
            previous[slot.vehicle] = k
        return time

    def _add_load(self) -> None:
        c = self.c
        demand = self.routing.RegisterUnaryTransitVector(list(c.demand))
        capacities = [c.capacity[slot.vehicle] for slot in c.slots]
        self.routing.AddDimensionWithVehicleCapacity(demand, 0, capacities, True, "load")

    def _add_ride(self) -> None:
        c, routing = self.c, self.routing
        limits = [(node, limit) for node, limit in enumerate(c.ride_limit) if limit is not None]
        if not limits or all(limit >= c.horizon() for _, limit in limits):
            return
        horizon = c.horizon()
        routing.AddDimensionWithVehicleTransits(self._time_callbacks, horizon, horizon, True, "ride")
        ride = routing.GetDimensionOrDie("ride")
        solver = routing.solver()
        for index in range(routing.Size()):
            solver.Add(ride.SlackVar(index) == self.time.SlackVar(index))
        for node, limit in limits:
            ride.CumulVar(self.manager.NodeToIndex(node)).SetMax(limit)

    def _add_balance(self) -> None:
        if not self.c.balance:
            return
        horizon = self.c.horizon()
        self.routing.AddDimensionWithVehicleTransits(self._time_callbacks, 0, horizon, True, "work")
        self.routing.GetDimensionOrDie("work").SetGlobalSpanCostCoefficient(self.c.balance)

    def _add_disjunctions(self) -> int:
        c = self.c
        max_arc = max((max(row) for matrix in c.seconds for row in matrix), default=0)
        step = 2 * max_arc + max(c.service) + c.continuity_s
        penalty = 10 * (step * (1 + c.balance) + c.vehicle_s) + 100_000
        locked = {node for _, nodes, _ in c.locks for node in nodes}
        locked |= {node for _, nodes in c.keep_order for node in nodes}
        for node in range(1, c.nodes):
            if node not in locked:
                self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)
        return penalty

    def _add_locks(self) -> None:
        routing, solver = self.routing, self.routing.solver()
        closed = [slot for slot, _, is_closed in self.c.locks if is_closed]
        owner = {node: slot for slot, nodes, _ in self.c.locks for node in nodes}
        for node in range(1, self.c.nodes):
            vehicle = routing.VehicleVar(self.manager.NodeToIndex(node))
            if node in owner:
                vehicle.SetValue(owner[node])
            elif closed:
                vehicle.RemoveValues(closed)
        for slot, nodes, is_closed in self.c.locks:
            chain = [routing.Start(slot), *(self.manager.NodeToIndex(n) for n in nodes)]
            if is_closed:
                chain.append(routing.End(slot))
            for a, b in zip(chain, chain[1:], strict=False):
                solver.Add(routing.NextVar(a) == b)

    def _add_order(self) -> None:
        if not self.c.keep_order:
            return
        routing, solver = self.routing, self.routing.solver()
        ones = routing.RegisterUnaryTransitVector([0] + [1] * (self.c.nodes - 1))
        routing.AddDimension(ones, 0, self.c.nodes, True, "rank")
        rank = routing.GetDimensionOrDie("rank")
        for slot, nodes in self.c.keep_order:
            indices = [self.manager.NodeToIndex(n) for n in nodes]
            for index in indices:
                routing.VehicleVar(index).SetValue(slot)
            for a, b in zip(indices, indices[1:], strict=False):
                solver.Add(rank.CumulVar(a) < rank.CumulVar(b))

    def close(self, params: object) -> None:
        if not self.closed:
            self.routing.CloseModelWithParameters(params)
            self.closed = True

    def lock_chains(self) -> list[list[int]]:
        chains: list[list[int]] = [[] for _ in self.c.slots]
        for slot, nodes, _ in self.c.locks:
            chains[slot] = [self.manager.NodeToIndex(n) for n in nodes]
        return chains

    def routes_of(self, assignment: pywrapcp.Assignment) -> tuple[tuple[int, ...], ...]:
        routes = []
        for k in range(len(self.c.slots)):
            index, nodes = assignment.Value(self.routing.NextVar(self.routing.Start(k))), []
            while not self.routing.IsEnd(index):
                nodes.append(self.manager.IndexToNode(index))
                index = assignment.Value(self.routing.NextVar(index))
            routes.append(tuple(nodes))
        return tuple(routes)


# Operators that cost more than they give when repairing a ruined plan (measured on Solomon R1/RC1).
_SLOW_FOR_REPAIR = (
    "use_lin_kernighan",
    "use_relocate_expensive_chain",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_exchange_subtrip",
    "use_relocate_subtrip",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
    "use_swap_active_chain",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_make_chain_inactive",
    "use_make_inactive",
    "use_swap_active",
    "use_light_relocate_pair",
    "use_relocate_pair",
    "use_exchange_pair",
)
_BOOL_FALSE = 2


def repair_parameters(time_limit_s: float) -> Any:
    """Greedy descent with the cheap operators: reinserts ruined stops and polishes around them."""
    params = search_parameters(SearchConfig("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT"), time_limit_s)
    for name in _SLOW_FOR_REPAIR:
        setattr(params.local_search_operators, name, _BOOL_FALSE)
    return params


def repair(model: Model, partial: tuple[tuple[int, ...], ...], time_limit_s: float) -> SearchResult | None:
    """Complete `partial` routes (nodes per slot; missing stops unperformed) with OR-Tools local search.
    None when the partial routes are not feasible as given (e.g. a matrix without the triangle inequality)."""
    params = repair_parameters(time_limit_s)
    model.close(params)
    start = model.routing.ReadAssignmentFromRoutes(_as_indices(model, partial), True)
    if start is None:
        return None
    solution = model.routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None:
        return None
    return SearchResult(routes=model.routes_of(solution), objective=solution.ObjectiveValue())


def vet(model: Model, routes: tuple[tuple[int, ...], ...]) -> SearchResult | None:
    """OR-Tools' verdict on routes built elsewhere, without searching: None when its model refuses them
    (a constraint our Python checks missed), else the routes with their objective."""
    model.close(repair_parameters(1.0))
    assignment = model.routing.ReadAssignmentFromRoutes(_as_indices(model, routes), True)
    if assignment is None:
        return None
    return SearchResult(routes=model.routes_of(assignment), objective=assignment.ObjectiveValue())


def search_parameters(config: SearchConfig, time_limit_s: float) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FIRST, config.first)
    params.local_search_metaheuristic = getattr(META, config.metaheuristic)
    params.guided_local_search_lambda_coefficient = config.gls_lambda
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if config.first_only:
        params.solution_limit = 1
    return params


def run_search(
    model: Model,
    config: SearchConfig,
    time_limit_s: float,
    *,
    initial: tuple[tuple[int, ...], ...] | None = None,
    on_solution: Callable[[int], None] | None = None,
) -> SearchResult | None:
    """Search from `initial` routes (nodes per slot) or from the config's first-solution strategy."""
    routing = model.routing
    params = search_parameters(config, time_limit_s)
    if on_solution is not None:
        routing.AddAtSolutionCallback(lambda: on_solution(routing.CostVar().Value()))
    model.close(params)
    if initial is not None:
        start = routing.ReadAssignmentFromRoutes([list(r) for r in _as_indices(model, initial)], True)
        solution = routing.SolveFromAssignmentWithParameters(start, params) if start else None
    else:
        if model.c.locks:
            routing.ApplyLocksToAllVehicles(model.lock_chains(), False)
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    return SearchResult(routes=model.routes_of(solution), objective=solution.ObjectiveValue())


def _as_indices(model: Model, routes: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    return [[model.manager.NodeToIndex(n) for n in route] for route in routes]
