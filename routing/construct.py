"""A first plan in Python for large plain problems: Clarke & Wright savings over near neighbours.

OR-Tools' own constructions cost seconds on a district (savings ~6 s, parallel cheapest insertion ~5 s at
1,500 stops on this machine); this one takes a fraction of a second and is about as good, so the budget goes
to the search. Joining route A (ending at i) to route B (starting at j) is checked in O(1): B stays feasible
when its first stop can start by B's latest start. OR-Tools still vets the result (`solver.vet`).
"""

from __future__ import annotations

from dataclasses import replace

from routing.compiled import Compiled


def homogeneous(c: Compiled) -> bool:
    """One travel class, one capacity and one shift: any route fits any slot."""
    vehicles = {slot.vehicle for slot in c.slots}
    return (
        len({slot.travel_class for slot in c.slots}) == 1
        and len({c.capacity[v] for v in vehicles}) == 1
        and len({(c.shift_start[v], c.shift_end[v]) for v in vehicles}) == 1
    )


class _Chains:
    """Routes under construction: each with its load, the earliest start at its last stop and the latest
    start at its first stop."""

    def __init__(self, c: Compiled, nodes: list[int]) -> None:
        self.c = c
        slot = c.slots[0]
        self.m = c.seconds[slot.travel_class]
        self.begin, self.end = c.shift_start[slot.vehicle], c.shift_end[slot.vehicle]
        self.capacity = c.capacity[slot.vehicle]
        self.chain = {n: [n] for n in nodes}  # keyed by the chain's first node
        self.head = {n: n for n in nodes}  # node -> first node of its chain
        self.load = {n: c.demand[n] for n in nodes}
        self.early_last = {n: self._early_last([n]) for n in nodes}
        self.late_first = {n: self._late_first([n]) for n in nodes}

    def _early_last(self, path: list[int]) -> int:
        c, m = self.c, self.m
        clock, prev = self.begin, 0
        for node in path:
            clock = max(c.earliest[node], clock + c.service[prev] + m[prev][node])
            prev = node
        return clock

    def _late_first(self, path: list[int]) -> int:
        c, m = self.c, self.m
        bound, nxt = self.end, 0
        for node in reversed(path):
            bound = min(c.latest[node], bound - c.service[node] - m[node][nxt])
            nxt = node
        return bound

    def join(self, i: int, j: int) -> bool:
        """Append the chain starting at j to the chain ending at i, when both hold and it stays feasible."""
        a, b = self.head[i], self.head[j]
        if a == b or self.chain[a][-1] != i or b != j or self.load[a] + self.load[b] > self.capacity:
            return False
        c = self.c
        start_j = max(c.earliest[j], self.early_last[a] + c.service[i] + self.m[i][j])
        if start_j > self.late_first[b]:
            return False
        tail = self.chain.pop(b)
        merged = self.chain[a] + tail
        self.chain[a] = merged
        for node in tail:
            self.head[node] = a
        self.load[a] += self.load.pop(b)
        self.early_last[a] = self._early_last(merged)
        self.late_first[a] = self._late_first(merged)
        del self.early_last[b], self.late_first[b]
        return True


def savings(c: Compiled, near: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    """Nodes per slot from a parallel savings construction on a homogeneous fleet. Chains beyond the number
    of slots (the smallest first) are left out for the caller's insertion to place."""
    m = c.seconds[c.slots[0].travel_class]
    nodes = list(range(1, c.nodes))
    pairs = sorted(
        ((m[i][0] + m[0][j] - m[i][j], i, j) for i in nodes for j in near[i]),
        key=lambda t: -t[0],
    )
    chains = _Chains(c, nodes)
    for saving, i, j in pairs:
        if saving > 0:
            chains.join(i, j)
    kept = sorted(chains.chain.values(), key=len, reverse=True)[: len(c.slots)]
    return tuple(tuple(kept[k]) if k < len(kept) else () for k in range(len(c.slots)))


SPLIT_STAGGER = 0.4


def split_trips(c: Compiled) -> Compiled | None:
    """For a large multi-trip problem without locks or balance/continuity weights: the same problem with
    each trip as a vehicle of its own, trip t of a vehicle confined to the t-th part of its shift (with
    the kitchen's reload time between parts). Any plan of the split problem is a plan of `c` (a
    restriction), and it is plain, so the fast search applies. None when `c` does not qualify."""
    if c.locks or c.keep_order or c.balance or (c.continuity_s and any(p is not None for p in c.preferred)):
        return None
    trips = [sum(1 for slot in c.slots if slot.vehicle == v) for v in range(len(c.capacity))]
    if max(trips) == 1:
        return None
    starts, ends = [], []
    vehicles = len(c.capacity)
    for slot in c.slots:
        begin, end, count = c.shift_start[slot.vehicle], c.shift_end[slot.vehicle], trips[slot.vehicle]
        # the vehicles' boundaries are staggered (up to 0.4 of a part either way) so that some first trips
        # run late and some second trips leave early: a door far out with a mid-morning window needs one
        shift = SPLIT_STAGGER * (2 * slot.vehicle / max(1, vehicles - 1) - 1)
        span = end - begin - (count - 1) * c.reload_s
        if span <= count:
            return None
        cut = [begin + round(span * (t + shift) / count) + t * c.reload_s for t in range(1, count)]
        starts.append(begin if slot.trip == 0 else cut[slot.trip - 1])
        ends.append(end if slot.trip == count - 1 else cut[slot.trip] - c.reload_s)
    return replace(
        c,
        slots=tuple(replace(slot, vehicle=k, trip=0) for k, slot in enumerate(c.slots)),
        capacity=tuple(c.capacity[slot.vehicle] for slot in c.slots),
        shift_start=tuple(starts),
        shift_end=tuple(ends),
        preferred=tuple(None for _ in c.preferred),
    )
