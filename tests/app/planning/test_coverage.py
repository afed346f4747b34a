"""The 15-minute circle's arithmetic, checked against a brute force that shares no code with it."""

from __future__ import annotations

import math
import random

import pytest

from app.planning import coverage as cov


def _metres(a: cov.Place, b: cov.Place) -> float:
    """Spherical law of haversines written out again, on the same Earth radius."""
    la1, la2 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b.lng - a.lng) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_a_home_800_m_walk_from_a_canteen_is_inside_15_minutes_but_outside_500_m() -> None:
    canteen = cov.Place("食堂", 31.3000, 121.4500)
    home = cov.Place("家", 31.3000 + 800 / 1.35 / 111_195, 121.4500)

    (reach,) = cov.nearest_sites([home], [canteen])

    assert reach.site_key == "食堂"
    assert reach.walk_m == 800
    assert reach.walk_s == 640  # 800 m at 4.5 km/h
    assert reach.within() and reach.within(radius_m=1000) and not reach.within(radius_m=500)


def test_every_home_finds_the_same_nearest_site_as_a_brute_force() -> None:
    rng = random.Random(7)
    sites = [cov.Place(f"s{i}", 31.20 + rng.random() * 0.2, 121.30 + rng.random() * 0.25) for i in range(60)]
    homes = [cov.Place(f"h{i}", 31.15 + rng.random() * 0.3, 121.25 + rng.random() * 0.35) for i in range(1500)]
    homes.append(cov.Place("far", 32.9, 123.0))

    reaches = cov.nearest_sites(homes, sites)

    for home, reach in zip(homes, reaches, strict=True):
        best = min(sites, key=lambda s: _metres(home, s))
        assert reach.site_key == best.key, home.key
        assert abs(reach.walk_m - _metres(home, best) * 1.35) <= 1


def test_with_no_site_at_all_nobody_is_covered() -> None:
    (reach,) = cov.nearest_sites([cov.Place("家", 31.3, 121.45)], [])

    assert reach.site_key is None
    assert not reach.within()


def test_a_malformed_point_is_refused_with_its_field() -> None:
    with pytest.raises(ValueError, match="lat must be within"):
        cov.Place("家", 95.0, 121.0)


def test_greedy_takes_the_biggest_gain_first_and_counts_only_new_homes() -> None:
    reach = {"A": frozenset({"1", "2", "3"}), "B": frozenset({"3", "4"}), "C": frozenset({"5"})}

    opening = cov.greedy_openings(reach, 2)

    assert [(p.site_key, p.gain, p.total) for p in opening.picks] == [("A", 3, 3), ("B", 1, 4)]
    assert opening.upper_bound == 5  # after A: 3 covered + the two best remaining gains (1 + 1)
    assert opening.quality_percent == 80


def test_greedy_reports_how_far_it_may_be_from_the_best_choice() -> None:
    # The classic trap: greedy takes the big middle set, the best two are the halves.
    reach = {"middle": frozenset({"1", "2", "5", "6"}), "left": frozenset({"1", "2", "3"}),
             "right": frozenset({"5", "6", "7"})}

    opening = cov.greedy_openings(reach, 2)

    assert [p.site_key for p in opening.picks] == ["middle", "left"]
    assert opening.covered == 5
    assert opening.upper_bound == 6  # left + right cover 6, and the bound proves nothing better than 6 exists
    assert opening.quality_percent == 83


def test_reachable_lists_the_homes_within_the_radius_on_foot() -> None:
    site = cov.Place("点", 31.3, 121.45)
    near = cov.Place("近", 31.3 + 450 / 1.35 / 111_195, 121.45)
    far = cov.Place("远", 31.3 + 600 / 1.35 / 111_195, 121.45)

    assert cov.reachable([site], [near, far], radius_m=500) == {"点": frozenset({"近"})}
