"""Our improvement layer around OR-Tools: ruin and recreate (large neighbourhood search).

Each iteration removes a few strings of neighbouring stops from neighbouring routes (in the spirit of SISR,
Christiaens & Vanden Berghe 2020), lets OR-Tools reinsert them and polish with a greedy local search, and
accepts the result by simulated annealing on the OR-Tools objective. Guided local search alone stalls after a
few seconds on tight windows; this keeps improving (measured in routing/README.md).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from routing.compiled import Compiled
from routing.recreate import cost, is_plain, recreate
from routing.solver import Model, SearchResult, repair

NEIGHBOURS = 40
MAX_STRING = 10
START_TEMPERATURE = 0.005  # of the starting objective
REPAIR_LIMIT_S = 1.0


def neighbours(c: Compiled) -> list[list[int]]:
    matrix = c.seconds[0]
    stops = range(1, c.nodes)
    return [[]] + [
        sorted((j for j in stops if j != i), key=lambda j: matrix[i][j] + matrix[j][i])[:NEIGHBOURS]
        for i in stops
    ]


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
) -> SearchResult:
    """Ruin and recreate from `start` until `deadline` (time.monotonic()); returns the best plan seen.
    `fast=False` lets OR-Tools repair every ruined plan even when the Python recreate could."""
    free = _free_nodes(c)
    if len(free) < 4 or time.monotonic() >= deadline:
        return start
    model, near, rng = Model(c), neighbours(c), random.Random(seed)
    if fast and is_plain(c):
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
    """Ruin, recreate in Python, accept by simulated annealing; OR-Tools polishes and vets each kept best."""
    vetted = start
    current = best = start.routes
    current_cost = best_cost = cost(c, start.routes, model.penalty)
    arc = max(1.0, current_cost / max(1, c.nodes + sum(1 for r in start.routes if r)))
    began, last_polish, pending = time.monotonic(), time.monotonic(), False
    largest = max(2, min(20, len(free) // 4))
    cache: dict[tuple[int, tuple[int, ...]], tuple[list[int], list[int]]] = {}
    while (now := time.monotonic()) < deadline - 0.02:
        fraction = (now - began) / max(deadline - began, 1e-9)
        temperature = arc * FAST_START_T * (FAST_END_T / FAST_START_T) ** fraction
        partial = ruin(current, near, free, rng, rng.randint(max(1, largest // 3), largest))
        candidate = recreate(c, partial, near, rng, cache)
        candidate_cost = cost(c, candidate, model.penalty)
        if candidate_cost < current_cost - temperature * math.log(rng.random() or 1e-12):
            current, current_cost = candidate, candidate_cost
        if candidate_cost < best_cost:
            best, best_cost, pending = candidate, candidate_cost, True
        if pending and now - last_polish > POLISH_EVERY:
            vetted, pending = _polish(model, best, vetted, deadline, on_better), False
            last_polish = time.monotonic()
            if vetted.objective != best_cost:
                # polished further, or OR-Tools refused our best: continue from the vetted plan
                best = current = vetted.routes
                best_cost = current_cost = vetted.objective
    if pending:
        vetted = _polish(model, best, vetted, deadline + REPAIR_LIMIT_S / 4, on_better)
    return vetted


def _polish(
    model: Model,
    routes: tuple[tuple[int, ...], ...],
    vetted: SearchResult,
    deadline: float,
    on_better: Callable[[SearchResult], None] | None,
) -> SearchResult:
    result = repair(model, routes, max(0.05, min(REPAIR_LIMIT_S, deadline - time.monotonic())))
    if result is None or result.objective >= vetted.objective:
        return vetted
    if on_better is not None:
        on_better(result)
    return result
