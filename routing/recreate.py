"""Fast recreate for plain problems (one trip per vehicle, no locks, no balance or continuity weight):
cheapest feasible insertion with random blinks, checked in O(1) per position with earliest / latest start
times (plus an O(route) ride-limit check for improving positions when a limit could bind). OR-Tools still
judges every plan we keep (ReadAssignmentFromRoutes) and polishes each new best with its local search; this
only makes the ruin-and-recreate loop ~20x faster than letting OR-Tools repair each ruined plan.
"""

from __future__ import annotations

import random

from routing.compiled import Compiled
from routing.schedule import latest_departure, no_wait_departure

BLINK = 0.01
GRANULAR = 20  # near neighbours whose routes are tried first


def is_plain(c: Compiled) -> bool:
    one_trip = all(slot.trip == 0 for slot in c.slots)
    weights = c.balance == 0 and (c.continuity_s == 0 or all(p is None for p in c.preferred))
    return one_trip and not c.locks and not c.keep_order and weights


def rides_bind(c: Compiled) -> bool:
    """Whether some ride limit could be exceeded at all (a start is at most its latest start minus the
    earliest departure)."""
    earliest = min(c.shift_start)
    return any(limit is not None and c.latest[n] - earliest > limit for n, limit in enumerate(c.ride_limit))


def rides_ok(c: Compiled, k: int, path: list[int]) -> bool:
    """Every meal of slot k's trip `path` within its ride limit, timed as schedule.py times it."""
    slot = c.slots[k]
    m = c.seconds[slot.travel_class]
    depart = min(
        latest_departure(c, m, path, c.shift_end[slot.vehicle]),
        max(c.shift_start[slot.vehicle], no_wait_departure(c, m, path)),
    )
    clock, prev = depart, 0
    for node in path:
        start = max(clock + m[prev][node], c.earliest[node])
        limit = c.ride_limit[node]
        if limit is not None and start - depart > limit:
            return False
        clock, prev = start + c.service[node], node
    return True


class Routes:
    """Mutable routes (nodes per slot) with loads, travel and earliest / latest service starts, kept up to
    date route by route. Changes since the last `commit()` can be undone with `rollback()`, so one ruin and
    recreate costs time in the routes it touches, not in the size of the plan."""

    def __init__(self, c: Compiled, routes: tuple[tuple[int, ...], ...]) -> None:
        self.c = c
        self.check_rides = rides_bind(c)
        self.paths = [list(r) for r in routes]
        self.load = [sum(c.demand[n] for n in r) for r in routes]
        self.where = {n: k for k, r in enumerate(routes) for n in r}
        self.unserved = set(range(1, c.nodes)) - set(self.where)
        self.early: list[list[int]] = [[] for _ in routes]
        self.late: list[list[int]] = [[] for _ in routes]
        self.travel = [0] * len(routes)
        self.empty: list[set[int]] = [set() for _ in c.seconds]  # per travel class
        self.travel_total = 0
        self.saved: dict[int, tuple[list[int], int, list[int], list[int], int]] = {}
        self.moved: set[int] = set()
        self.open_new = True  # False while the fleet is being cut: an empty slot is not offered to a stop
        for k in range(len(routes)):
            self.refresh(k)

    def refresh(self, k: int) -> None:
        """Recompute route k's times: early[i] is the earliest start of the stop before position i (early[0]
        the departure), late[i] the latest start of the stop at position i (late[-1] the return)."""
        c, path = self.c, self.paths[k]
        slot = c.slots[k]
        m = c.seconds[slot.travel_class]
        early = [c.shift_start[slot.vehicle]]
        prev, travel = 0, 0
        for node in path:
            travel += m[prev][node]
            early.append(max(c.earliest[node], early[-1] + c.service[prev] + m[prev][node]))
            prev = node
        travel += m[prev][0]
        late = [c.shift_end[slot.vehicle]]
        nxt = 0
        for node in reversed(path):
            late.append(min(c.latest[node], late[-1] - c.service[node] - m[node][nxt]))
            nxt = node
        late.reverse()
        self.early[k], self.late[k] = early, late
        self._set_travel(k, travel if path else 0)

    def _set_travel(self, k: int, travel: int) -> None:
        self.travel_total += travel - self.travel[k]
        self.travel[k] = travel
        empty = self.empty[self.c.slots[k].travel_class]
        if self.paths[k]:
            empty.discard(k)
        else:
            empty.add(k)

    def cost(self, penalty: int) -> int:
        """The OR-Tools objective for plain problems (as `cost()` below)."""
        used = len(self.paths) - sum(len(empty) for empty in self.empty)
        return self.travel_total + self.c.vehicle_s * used + penalty * len(self.unserved)

    def _save(self, k: int) -> None:
        if k not in self.saved:
            self.saved[k] = (list(self.paths[k]), self.load[k], self.early[k], self.late[k], self.travel[k])

    def commit(self) -> None:
        self.saved.clear()
        self.moved.clear()

    def rollback(self) -> None:
        """Undo every change since the last commit."""
        for node in self.moved:
            self.where.pop(node, None)
        for k, (path, load, early, late, travel) in self.saved.items():
            self.paths[k], self.load[k], self.early[k], self.late[k] = path, load, early, late
            self._set_travel(k, travel)
            for node in path:
                self.where[node] = k
        for node in self.moved:
            if node in self.where:
                self.unserved.discard(node)
            else:
                self.unserved.add(node)
        self.commit()

    def remove(self, nodes: set[int]) -> None:
        touched = {self.where[n] for n in nodes if n in self.where}
        for k in touched:
            self._save(k)
            self.paths[k] = [n for n in self.paths[k] if n not in nodes]
            self.load[k] = sum(self.c.demand[n] for n in self.paths[k])
            self.refresh(k)
        for node in nodes:
            if self.where.pop(node, None) is not None:
                self.unserved.add(node)
                self.moved.add(node)

    def candidates(self, near: list[int]) -> list[int]:
        """Routes holding one of the node's near neighbours, plus one empty route per travel class."""
        routes = {self.where[n] for n in near if n in self.where}
        if self.open_new:
            routes |= {min(empty) for empty in self.empty if empty}
        return sorted(routes)

    def best_insertion(self, node: int, near: list[int], rng: random.Random) -> tuple[int, int, int] | None:
        """(extra travel, slot, position) of the cheapest feasible insertion into a route near `node`,
        skipping positions at random (SISR's blinks); every route is tried if no near one has room."""
        found = self._best_in(node, self.candidates(near), rng)
        return found if found is not None else self._best_in(node, list(range(len(self.paths))), rng)

    def _best_in(self, node: int, routes: list[int], rng: random.Random) -> tuple[int, int, int] | None:
        c = self.c
        best: tuple[int, int, int] | None = None
        best_delta = None
        tried_empty: set[int] = set()
        opens, closes, service = c.earliest[node], c.latest[node], c.service[node]
        for k in routes:
            path, slot = self.paths[k], c.slots[k]
            if self.load[k] + c.demand[node] > c.capacity[slot.vehicle]:
                continue
            if not path:
                if slot.travel_class in tried_empty or not self.open_new:
                    continue
                tried_empty.add(slot.travel_class)
            m = c.seconds[slot.travel_class]
            out_of, early, late = m[node], self.early[k], self.late[k]
            fixed = c.vehicle_s if not path else 0
            prev = 0
            for pos, nxt in enumerate([*path, 0]):
                row = m[prev]
                delta = row[node] + out_of[nxt] - row[nxt] + fixed
                # cheap test first; feasibility only for improving positions; blinks only where it matters
                if best_delta is None or delta < best_delta:
                    arrive = early[pos] + c.service[prev] + row[node]
                    arrive = opens if arrive < opens else arrive
                    if (
                        arrive <= closes
                        and arrive + service + out_of[nxt] <= late[pos]
                        and (best_delta is None or rng.random() >= BLINK)
                        and (not self.check_rides or rides_ok(c, k, [*path[:pos], node, *path[pos:]]))
                    ):
                        best, best_delta = (delta, k, pos), delta
                prev = nxt
        return best

    def insert(self, node: int, k: int, pos: int) -> None:
        self._save(k)
        path = self.paths[k]
        before, after = (path[pos - 1] if pos else 0), (path[pos] if pos < len(path) else 0)
        m = self.c.seconds[self.c.slots[k].travel_class]
        was_empty = not path
        path.insert(pos, node)
        self.where[node] = k
        self.unserved.discard(node)
        self.moved.add(node)
        self.load[k] += self.c.demand[node]
        if was_empty:
            self.refresh(k)
        else:
            self._retime(k, pos)
            self._set_travel(k, self.travel[k] + m[before][node] + m[node][after] - m[before][after])

    def _retime(self, k: int, pos: int) -> None:
        """After inserting at `pos`: earliest starts change only from `pos` on, latest starts only up to it;
        a forward (backward) pass stops as soon as a time comes out as before."""
        c, path = self.c, self.paths[k]
        m = c.seconds[c.slots[k].travel_class]
        old_early, old_late = self.early[k], self.late[k]
        early = old_early[: pos + 1]
        prev = path[pos - 1] if pos else 0
        for i in range(pos, len(path)):
            node = path[i]
            value = max(c.earliest[node], early[-1] + c.service[prev] + m[prev][node])
            if i > pos and value == old_early[i]:  # old_early[i] is this node's earliest start before
                early.extend(old_early[i:])
                break
            early.append(value)
            prev = node
        late = old_late[pos:]  # old latest starts of path[pos + 1:] and the return
        nxt = path[pos + 1] if pos + 1 < len(path) else 0
        head: list[int] = []
        for i in range(pos, -1, -1):
            node = path[i]
            value = min(c.latest[node], late[0] - c.service[node] - m[node][nxt])
            if i < pos and value == old_late[i]:
                head = old_late[: i + 1]
                break
            late.insert(0, value)
            nxt = node
        self.early[k], self.late[k] = early, head + late

    def frozen(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(p) for p in self.paths)


def cost(c: Compiled, routes: tuple[tuple[int, ...], ...], penalty: int) -> int:
    """Travel + fixed cost per used slot + penalty per stop left out: the OR-Tools objective for plain
    problems."""
    total, served = 0, 0
    for slot, path in zip(c.slots, routes, strict=True):
        if not path:
            continue
        m = c.seconds[slot.travel_class]
        total += m[0][path[0]] + m[path[-1]][0] + sum(m[a][b] for a, b in zip(path, path[1:], strict=False))
        total += c.vehicle_s
        served += len(path)
    return total + penalty * (c.nodes - 1 - served)


def recreate(routes: Routes, near: list[list[int]], rng: random.Random,
             absences: list[int] | None = None) -> None:
    """Insert every unserved stop, in one of SISR's orders (or, while the fleet is cut, half the time the
    stops left out most often first); stops with no room stay out."""
    missing = sorted(routes.unserved)
    if absences is not None and rng.random() < 0.5:
        rng.shuffle(missing)
        missing.sort(key=lambda n: -absences[n])
    else:
        _order(routes.c, missing, rng)
    for node in missing:
        found = routes.best_insertion(node, near[node][:GRANULAR], rng)
        if found is not None:
            routes.insert(node, found[1], found[2])


def _order(c: Compiled, nodes: list[int], rng: random.Random) -> None:
    m = c.seconds[0]
    choice = rng.random()
    if choice < 0.4:
        rng.shuffle(nodes)
    elif choice < 0.6:
        nodes.sort(key=lambda n: -c.demand[n])
    elif choice < 0.8:
        nodes.sort(key=lambda n: -m[0][n])
    elif choice < 0.9:
        nodes.sort(key=lambda n: m[0][n])
    else:
        nodes.sort(key=lambda n: c.latest[n] - c.earliest[n])
