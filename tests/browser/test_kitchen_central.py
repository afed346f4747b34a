"""A central kitchen that supplies two 助餐点 prints one prep sheet: one row per dish, a column per point, and
totals that reconcile with the orders; one 留样 row per dish."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models import now
from tests.browser.dispatch_world import sign_in
from tests.conftest import screenshot
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import make_lunch, make_order

pytestmark = pytest.mark.browser
TODAY = now().date()


def test_a_central_kitchen_supplying_two_points_shows_one_row_per_dish_with_the_points_columns(
        page: Any, session: Session) -> None:
    central = make_canteen(session, name="彭浦新村长者食堂")
    points = [make_canteen(session, name=name, kind="point", supplier_id=central.id)
              for name in ("闻喜路助餐点", "共和新路助餐点")]
    own = make_lunch(session, central, TODAY)
    for point, orders in zip(points, (3, 4), strict=True):
        theirs = make_lunch(session, point, TODAY)
        for copy, original in zip([*theirs.set_dishes, theirs.dish], [*own.set_dishes, own.dish], strict=True):
            copy.name = original.name  # each point keeps its own copy of the kitchen's dish
            session.add(copy)
        session.commit()
        for _ in range(orders):
            make_order(session, make_senior(session), theirs, fulfilment="pickup")
    make_user(session, ("kitchen", central.id), phone="13900000002")
    sign_in(page, "13900000002")

    page.goto(f"/kitchen/{central.id}/{TODAY.isoformat()}/lunch/prep")
    rows = page.locator(".prep-table tbody tr[data-dish]")
    table = [(rows.nth(i).get_attribute("data-dish"), rows.nth(i).locator("[data-qty]").inner_text(),
              [rows.nth(i).locator(f'[data-point="{p.name}"]').inner_text() for p in points])
             for i in range(rows.count())]
    columns = page.locator("[data-point-col]").all_inner_texts()
    column_totals = [page.locator(f'[data-point-total="{p.name}"]').inner_text() for p in points]
    samples = page.locator("[data-sample]").count()
    screenshot(page, "kitchen-central-prep")

    dishes = [d.name for d in own.set_dishes]  # each order is the 套餐
    assert sorted(name for name, _, _ in table) == sorted(dishes)  # one row per dish, not one per point
    assert all(qty == "7" and cells == ["3", "4"] for _, qty, cells in table)
    assert sorted(columns) == sorted(p.name for p in points)
    assert column_totals == [str(3 * len(dishes)), str(4 * len(dishes))]
    assert samples == len(dishes)
