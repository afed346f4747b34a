"""Our improvement layer around OR-Tools: ruin and recreate (large neighbourhood search).

Each iteration removes a few strings of neighbouring stops from neighbouring routes (in the spirit of SISR,
Christiaens & Vanden Berghe 2020), lets OR-Tools reinsert them and polish with a greedy local search, and
accepts the result by simulated annealing on the OR-Tools objective. Guided local search alone stalls after a
few seconds on tight windows; this keeps improving (measured in routing/README.md).
"""

from __future__ import annotations

import heapq
import math
import operator
import random
import time
from collections.abc import Callable

from routing.compiled import Compiled
from routing.recreate import Routes, is_chained, is_plain, recreate
from routing.solver import Model, SearchResult, repair, vet

NEIGHBOURS = 40
MAX_STRING = 10
START_TEMPERATURE = 0.005  # of the starting objective
REPAIR_LIMIT_S = 1.0


def neighbours(c: Compiled) -> list[list[int]]:
    """Each stop's NEIGHBOURS nearest stops (there and back). heapq with a C-level key: O(n^2) in C, about
    0.3 s at 1,500 stops where sorting in Python took seconds."""
    matrix = c.seconds[0]
    columns = list(zip(*matrix, strict=True))
    near: list[list[int]] = [[]]
    for i in range(1, c.nodes):
        both = list(map(operator.add, matrix[i], columns[i]))
        both[0] = both[i] = _FAR
        near.append(heapq.nsmallest(NEIGHBOURS, range(1, c.nodes), key=both.__getitem__))
    return near


_FAR = 1 << 62


def _free_nodes(c: Compiled) -> set[int]:
    fixed = {n for _, nodes, _ in c.locks for n in nodes} | {n for _, nodes in c.keep_order for n in nodes}
    return set(range(1, c.nodes)) - fixed


def ruin(
    routes: tuple[tuple[int, ...], ...], near: list[list[int]], free: set[int], rng: random.Random, size: int
) -> tuple[tuple[int, ...], ...]:
    """Remove about `size` free stops: strings around a random seed's nearest stops, one string per route."""
    route_of = {node: r for r, route in enumerate(routes) for node in route}
    candidates = sorted(free & set(route_of))
    if not candidates:
        return routes
    removed: set[int] = set()
    touched: set[int] = set()
    seed = rng.choice(candidates)
    for node in [seed, *near[seed]]:
        if len(removed) >= size:
            break
        if node not in route_of or route_of[node] in touched or node not in free:
            continue
        touched.add(route_of[node])
        removed |= _string(routes[route_of[node]], node, free, rng, min(MAX_STRING, size - len(removed)))
    return tuple(tuple(n for n in route if n not in removed) for route in routes)


def _string(route: tuple[int, ...], node: int, free: set[int], rng: random.Random, longest: int) -> set[int]:
    length = rng.randint(1, max(1, min(len(route), longest)))
    at = route.index(node)
    first = rng.randint(max(0, at - length + 1), min(at, len(route) - length))
    return {n for n in route[first : first + length] if n in free}


def improve(
    c: Compiled,
    start: SearchResult,
    deadline: float,
    seed: int,
    on_better: Callable[[SearchResult], None] | None = None,
    *,
    fast: bool = True,
    near: list[list[int]] | None = None,
    model: Model | None = None,
    chained: bool = False,
) -> SearchResult:
    """Ruin and recreate from `start` until `deadline` (time.monotonic()); returns the best plan seen.
    `fast=False` lets OR-Tools repair every ruined plan even when the Python recreate could; `model` is
    the OR-Tools model of `c` when the caller has one (building one costs ~0.3 s at 1,500 stops).
    `chained`: a multi-trip problem the Python recreate can take (`is_chained`) is searched by it too."""
    free = _free_nodes(c)
    if len(free) < 4 or time.monotonic() >= deadline:
        return start
    model, rng = model if model is not None else Model(c), random.Random(seed)
    near = near if near is not None else neighbours(c)
    if fast and (is_plain(c) or (chained and is_chained(c))):
        return _fast_loop(c, model, start, deadline, near, free, rng, on_better)
    return _repair_loop(model, start, deadline, near, free, rng, on_better)


def _repair_loop(
    model: Model,
    start: SearchResult,
    deadline: float,
    near: list[list[int]],
    free: set[int],
    rng: random.Random,
    on_better: Callable[[SearchResult], None] | None,
) -> SearchResult:
    """Ruin, let OR-Tools repair (all constraints: trips, ride limits, locks, weights), anneal."""
    best = current = start
    began, temperature = time.monotonic(), START_TEMPERATURE * max(start.objective, 1)
    largest = max(2, min(20, len(free) // 4))
    while (left := deadline - time.monotonic()) > 0.02:
        partial = ruin(current.routes, near, free, rng, rng.randint(max(1, largest // 3), largest))
        result = repair(model, partial, min(REPAIR_LIMIT_S, left))
        if result is None:
            continue
        progress = (time.monotonic() - began) / max(deadline - began, 1e-9)
        threshold = temperature * max(0.0, 1.0 - progress)
        if result.objective < current.objective or (
            threshold > 0 and rng.random() < math.exp(-(result.objective - current.objective) / threshold)
        ):
            current = result
        if result.objective < best.objective:
            best = result
            if on_better is not None:
                on_better(best)
    return best


POLISH_EVERY = 1.0  # seconds between OR-Tools polishes of a new best found by the fast recreate
POLISH_MAX_STOPS = 1000  # above: OR-Tools only vets the best (at 800 stops its 1 s polish gains ~1 %, at 1,500 it costs ~0.3 %)
VET_EVERY = 3.0  # seconds between vets of a new best when OR-Tools does not polish
FAST_START_T = 1.0  # x the average arc, cooled exponentially to 1 %
FAST_END_T = 0.01


def _fast_loop(
    c: Compiled,
    model: Model,
    start: SearchResult,
    deadline: float,
    near: list[list[int]],
    free: set[int],
    rng: random.Random,
    on_better: Callable[[SearchResult], None] | None,
) -> SearchResult:
    """Ruin, recreate in Python, accept by simulated annealing; OR-Tools polishes and vets each kept best.
    The routes change in place and a rejected candidate is rolled back, so an iteration costs the routes
    it touches, whatever the size of the plan."""
    vetted = start
    routes = Routes(c, start.routes)
    best = start.routes
    current_cost = best_cost = routes.cost(model.penalty)
    arc = max(1.0, current_cost / max(1, c.nodes + sum(1 for r in start.routes if r)))
    began, last_polish, pending = time.monotonic(), time.monotonic(), False
    largest = max(2, min(20, len(free) // 4))
    free_list = sorted(free)
    search = c.nodes - 1 <= POLISH_MAX_STOPS
    period = POLISH_EVERY if search else VET_EVERY
    budget = deadline - began
    if (c.nodes - 1 >= FLEET_MIN_STOPS and budget >= FLEET_MIN_BUDGET_S and not routes.unserved
            and not routes.chained and _capacity_bound(c, routes)):
        routes = _cut_fleet(c, routes, near, free_list, rng, began + FLEET_SHARE * budget,
                            FLEET_PATIENCE * budget, arc, largest)
        current_cost = routes.cost(model.penalty)
        if current_cost < best_cost:
            best, best_cost, pending = routes.frozen(), current_cost, True
    while (now := time.monotonic()) < deadline - 0.02:
        fraction = (now - began) / max(deadline - began, 1e-9)
        temperature = arc * FAST_START_T * (FAST_END_T / FAST_START_T) ** fraction
        ruin_in_place(routes, near, free, free_list, rng, rng.randint(max(1, largest // 3), largest))
        recreate(routes, near, rng)
        candidate_cost = routes.cost(model.penalty)
        if candidate_cost < best_cost:
            best, best_cost, pending = routes.frozen(), candidate_cost, True
        if candidate_cost < current_cost - temperature * math.log(rng.random() or 1e-12):
            routes.commit()
            current_cost = candidate_cost
        else:
            routes.rollback()
        if pending and now - last_polish > period:
            vetted, pending = _polish(model, best, vetted, deadline, on_better, search), False
            last_polish = time.monotonic()
            if vetted.objective != best_cost:
                # polished further, or OR-Tools refused our best: continue from the vetted plan
                best, routes = vetted.routes, Routes(c, vetted.routes)
                best_cost = current_cost = vetted.objective
    if pending:
        vetted = _polish(model, best, vetted, deadline + REPAIR_LIMIT_S / 4, on_better, search)
    return vetted


FLEET_MIN_STOPS = 200  # below, the annealing alone finds the fleet
FLEET_FILL = 0.85  # meals / room of the routes in use from which the fleet is cut first
FLEET_MIN_BUDGET_S = 3.0  # below, the budget is better spent on travel (measured at 2 s: 1,500 stops +0.6 %)
FLEET_SHARE = 0.4  # of the budget at most
FLEET_PATIENCE = 0.12  # of the budget without a route removed, and the cut stops
FLEET_WEIGHT = 3  # x the average arc, per stop left out while a route is being removed (1.5-10 measured)
FLEET_T = 0.1  # x the average arc: the cut's annealing temperature, constant


def _capacity_bound(c: Compiled, routes: Routes) -> bool:
    """Whether the routes are nearly full: then each route saved is a return trip to the kitchen saved, which the
    annealing on travel alone rarely finds (a route is emptied one stop at a time, each step a loss)."""
    room = sum(c.capacity[c.slots[k].vehicle] for k, path in enumerate(routes.paths) if path)
    return room > 0 and sum(c.demand) / room >= FLEET_FILL


def _cut_fleet(c: Compiled, routes: Routes, near: list[list[int]], free_list: list[int], rng: random.Random,
               deadline: float, patience: float, arc: float, largest: int) -> Routes:
    """SISR's fleet minimisation (Christiaens & Vanden Berghe 2020, section 6): take the smallest route's stops
    out, forbid new routes, and ruin and recreate with the stops left out most often inserted first, accepting
    by annealing on travel plus a weight per stop still out; once every stop is back, the fleet is one route
    smaller and the next smallest route goes. Returns the last plan that served every stop (the one given, if
    no route could be removed before `deadline` or within `patience` seconds of the last removal)."""
    free = set(free_list)
    absences = [0] * c.nodes
    kept = routes.frozen()
    weight = FLEET_WEIGHT * arc
    temperature = FLEET_T * arc

    def drop_smallest() -> bool:
        used = [k for k, path in enumerate(routes.paths) if path]
        if len(used) <= 1:
            return False
        smallest = sorted(used, key=lambda k: (routes.load[k], len(routes.paths[k])))[:3]
        routes.remove(set(routes.paths[rng.choice(smallest)]))
        routes.commit()
        return True

    routes.open_new = False
    last_cut = time.monotonic()
    if not drop_smallest():
        routes.open_new = True
        return routes
    current = routes.travel_total + weight * len(routes.unserved)
    while (now := time.monotonic()) < deadline and now - last_cut < patience:
        ruin_in_place(routes, near, free, free_list, rng, rng.randint(max(1, largest // 3), largest))
        recreate(routes, near, rng, absences)
        for node in routes.unserved:
            absences[node] += 1
        if not routes.unserved:
            routes.commit()
            kept, last_cut = routes.frozen(), time.monotonic()
            if not drop_smallest():
                break
            current = routes.travel_total + weight * len(routes.unserved)
            continue
        candidate = routes.travel_total + weight * len(routes.unserved)
        if candidate < current - temperature * math.log(rng.random() or 1e-12):
            routes.commit()
            current = candidate
        else:
            routes.rollback()
    return Routes(c, kept)


def ruin_in_place(
    routes: Routes, near: list[list[int]], free: set[int], free_list: list[int], rng: random.Random, size: int
) -> None:
    """`ruin` on mutable routes: the seed is drawn from the free stops (a few tries to find a served one)."""
    seed = next((n for n in (rng.choice(free_list) for _ in range(8)) if n in routes.where), None)
    if seed is None:
        return
    removed: set[int] = set()
    touched: set[int] = set()
    for node in [seed, *near[seed]]:
        if len(removed) >= size:
            break
        k = routes.where.get(node)
        if k is None or k in touched or node not in free:
            continue
        touched.add(k)
        removed |= _string(tuple(routes.paths[k]), node, free, rng, min(MAX_STRING, size - len(removed)))
    routes.remove(removed)


def _polish(
    model: Model,
    routes: tuple[tuple[int, ...], ...],
    vetted: SearchResult,
    deadline: float,
    on_better: Callable[[SearchResult], None] | None,
    search: bool = True,
) -> SearchResult:
    """OR-Tools judges `routes`: with `search`, a short greedy descent from them; else only their objective."""
    if search:
        result = repair(model, routes, max(0.05, min(REPAIR_LIMIT_S, deadline - time.monotonic())))
    else:
        result = vet(model, routes)
    if result is None or result.objective >= vetted.objective:
        return vetted
    if on_better is not None:
        on_better(result)
    return result
