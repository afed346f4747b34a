"""The kitchen's sheets from real order rows: scoping, set meals, cutoffs, published stop order."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from sqlmodel import Session, col, select

from app.core.errors import Forbidden
from app.core.principal import Principal
from app.core.settings import TZ
from app.kitchen import service as ks
from app.models import (
    AuditEvent,
    Canteen,
    DeliveryStop,
    Menu,
    MenuItem,
    Order,
    OrderLine,
    Senior,
    SetMealDish,
)
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import Lunch, make_lunch, make_order, publish_plan

DAY = date(2026, 11, 23)
AFTER_CUTOFF = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
BEFORE_CUTOFF = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def _kitchen(canteen: Canteen, role: str = "kitchen", user_id: int = 1) -> Principal:
    scope = frozenset({canteen.id}) if role == "kitchen" else frozenset({None})
    return Principal(
        user_id=user_id,
        name="李厨师长",
        roles={role: scope},
        senior_id=None,
        font_size="大",
        session_id=1,
        csrf_token="",
    )


def _scope(session: Session, canteen: Canteen) -> ks.KitchenScope:
    return ks.scope_for(session, _kitchen(canteen), canteen.id or 0)


def test_a_set_meal_is_cooked_as_each_of_its_dishes_in_the_chosen_texture(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    senior = make_senior(session, name="王秀英")
    make_order(
        session,
        senior,
        lunch,
        lines=[(lunch.set_item, "软食", "小份", 2), (lunch.dish_item, "普通", "标准", 1)],
    )

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF)

    assert sorted(
        (row.dish_name, row.texture, row.portion, row.quantity) for row in sheets.prep.rows
    ) == sorted(
        [(d.name, "软食", "小份", 2) for d in lunch.set_dishes] + [(lunch.dish.name, "普通", "标准", 1)]
    )
    assert sheets.prep.order_count == 1


def test_names_are_masked_before_they_reach_any_sheet(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    make_order(session, make_senior(session, name="王秀英"), lunch, fulfilment="pickup")

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF)

    assert [bag.senior_name for bag in sheets.packing.bags] == ["王*英"]
    assert [label.senior_name for label in sheets.labels] == ["王*英"]


def test_cancelled_and_refunded_orders_are_not_cooked(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    make_order(session, make_senior(session), lunch)
    make_order(session, make_senior(session), lunch, status="cancelled")
    make_order(session, make_senior(session), lunch, status="refunded")

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF)

    assert {row.quantity for row in sheets.prep.rows} == {1}
    assert len(sheets.packing.bags) == 1


def test_the_sheet_is_an_estimate_until_the_dine_in_cutoff(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    make_order(session, make_senior(session), lunch)
    scope = _scope(session, canteen)

    before = ks.sheets_for(session, scope, DAY, "lunch", at=BEFORE_CUTOFF)
    after = ks.sheets_for(session, scope, DAY, "lunch", at=AFTER_CUTOFF)

    assert (before.prep.provisional, after.prep.provisional) == (True, False)
    assert ks.final_at(session, scope, DAY, "lunch") == datetime(2026, 11, 23, 9, 30, tzinfo=TZ)


def test_a_central_kitchen_cooks_for_the_points_it_supplies_and_keeps_them_apart(session: Session) -> None:
    central = make_canteen(session, name="彭浦新村长者食堂")
    point = make_canteen(session, name="闻喜路助餐点", kind="point", supplier_id=central.id)
    other = make_canteen(session, name="共康长者食堂")
    for canteen, count in ((central, 2), (point, 3), (other, 5)):
        lunch = make_lunch(session, canteen, DAY)
        for _ in range(count):
            make_order(session, make_senior(session), lunch, fulfilment="pickup")

    sheets = ks.sheets_for(session, _scope(session, central), DAY, "lunch", at=AFTER_CUTOFF)

    assert sheets.scope.point_ids == (central.id, point.id)
    assert sheets.prep.points == ((str(central.id), "彭浦新村长者食堂"), (str(point.id), "闻喜路助餐点"))
    assert sheets.prep.order_count == 5
    assert [(p.point_name, p.bag_count) for p in sheets.packing.pickup] == [
        ("彭浦新村长者食堂", 2),
        ("闻喜路助餐点", 3),
    ]


def test_a_kitchen_account_may_not_open_another_canteens_sheets(session: Session) -> None:
    mine, theirs = make_canteen(session), make_canteen(session)

    with pytest.raises(Forbidden) as refused:
        ks.scope_for(session, _kitchen(mine), theirs.id or 0)

    assert (
        refused.value.message == "这是其他食堂的厨房单据，您只能查看和打印本食堂（及其供餐的助餐点）的单据。"
    )
    assert [s.canteen_id for s in ks.kitchen_scopes(session, _kitchen(mine))] == [mine.id]
    assert [s.canteen_id for s in ks.kitchen_scopes(session, _kitchen(mine, "operator"))] == [
        mine.id,
        theirs.id,
    ]


def test_a_low_salt_senior_gets_a_low_salt_box_only_of_dishes_that_are_not_low_salt_already(
    session: Session,
) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    make_order(session, make_senior(session, diet_restrictions="低盐,清真"), lunch)

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF)

    diets = {row.dish_name: row.diets for row in sheets.prep.rows}
    pork, greens, rice = (dish.name for dish in lunch.set_dishes)
    assert diets == {pork: (("低盐", 1),), greens: (), rice: (("低盐", 1),)}
    (entry,) = sheets.diets.entries
    assert entry.restrictions == ("低盐", "清真")
    assert entry.by_diet == (("低盐", (rice, pork)),)


def test_packing_and_labels_follow_the_published_plan_in_stop_order(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    first, second, third = (
        make_order(session, make_senior(session, name=name), lunch, fulfilment="delivery")
        for name in ("张桂英", "李建国", "陈美华")
    )
    publish_plan(session, canteen, DAY, [("孙师傅", [third, first]), ("钱师傅", [second])])

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF, hot_held=True)

    routes = sheets.packing.deliveries
    assert [(r.route_name, r.driver, r.vehicle) for r in routes] == [
        ("1号线", "孙师傅", "孙师傅的电动车"),
        ("2号线", "钱师傅", "钱师傅的电动车"),
    ]
    assert [[(bag.stop_no, bag.senior_name) for bag in r.bags] for r in routes] == [
        [(1, "陈*华"), (2, "张*英")],
        [(1, "李*国")],
    ]
    assert [(label.route_name, label.stop_no) for label in sheets.labels] == [
        ("1号线", 1),
        ("1号线", 2),
        ("2号线", 1),
    ]
    assert {label.eat_by for label in sheets.labels} == {datetime(2026, 11, 23, 14, 45, tzinfo=TZ)}


def test_a_draft_plan_does_not_decide_the_packing_yet(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    order = make_order(session, make_senior(session, building="临汾小区3号"), lunch, fulfilment="delivery")
    publish_plan(session, canteen, DAY, [("孙师傅", [order])], status="draft")

    sheets = ks.sheets_for(session, _scope(session, canteen), DAY, "lunch", at=AFTER_CUTOFF)

    assert sheets.packing.published is False
    assert [(p.kind, p.area) for p in sheets.packing.deliveries] == [("area", "临汾小区")]


def test_the_front_page_counts_orders_meals_and_special_needs_live(session: Session) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, DAY)
    make_order(session, make_senior(session), lunch, lines=[(lunch.set_item, "普通", "标准", 2)])
    make_order(
        session,
        make_senior(session, texture="糊状"),
        lunch,
        fulfilment="delivery",
        lines=[(lunch.set_item, "糊状", "标准", 1)],
    )
    make_order(session, make_senior(session), lunch, status="cancelled")

    counts = ks.slot_counts(session, _scope(session, canteen), DAY, BEFORE_CUTOFF)

    lunch_counts = next(c for c in counts if c.slot == "lunch")
    assert (lunch_counts.orders, lunch_counts.meals, lunch_counts.special) == (2, 3, 1)
    assert (lunch_counts.dine_in, lunch_counts.delivery, lunch_counts.provisional) == (6, 3, True)
    assert [c.slot for c in counts] == ["lunch", "dinner"]


def test_a_pdf_download_is_written_to_the_audit_log(session: Session) -> None:
    canteen = make_canteen(session)
    scope = _scope(session, canteen)

    cook = make_user(session, ("kitchen", canteen.id))

    ks.record_pdf_export(
        session, _kitchen(canteen, user_id=cook.id or 0), scope, DAY, "lunch", "labels", "10.0.0.7"
    )

    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.object_id, event.detail) == (
        "kitchen_pdf_export",
        str(canteen.id),
        "2026-11-23 lunch labels",
    )


def test_for_the_demo_districts_lunch_the_sheets_reconcile_with_the_orders_and_the_drivers_stops(
    session: Session,
) -> None:
    from app.demo.build import build_demo

    build_demo(session, seniors=40, today=DAY)
    central, _, point = session.exec(select(Canteen).order_by(col(Canteen.id))).all()
    deliveries = _order_the_lunch(session, (central, point), random.Random(6))
    publish_plan(session, central, DAY, [("孙师傅", deliveries[::2]), ("钱师傅", deliveries[1::2])])

    sheets = ks.sheets_for(session, _scope(session, central), DAY, "lunch", at=AFTER_CUTOFF)

    expected = _dishes_per_point(session, (central, point))
    assert sheets.prep.total == sum(expected.values())
    assert {key: sum(row.point_quantity(key) for row in sheets.prep.rows) for key in expected} == expected
    routes = [p for p in sheets.packing.deliveries if p.kind == "route"]
    assert len(routes) == 2
    for packing in routes:
        stops = _active_stops(session, int(packing.route_key or 0))
        assert [bag.order_key for bag in packing.bags] == stops
        assert [lb.order_key for lb in sheets.labels if lb.route_key == packing.route_key] == stops


def _order_the_lunch(session: Session, canteens: tuple[Canteen, ...], rng: random.Random) -> list[Order]:
    """Two random menu items for every senior of these canteens who has not ordered this lunch yet (one order per
    senior and slot is a database rule), in their own texture; one in ten cancelled."""
    deliveries = []
    ordered = set(session.exec(select(Order.senior_id).where(
        Order.service_date == DAY, Order.slot == "lunch", col(Order.status) != "cancelled")).all())
    for senior in session.exec(
        select(Senior).where(col(Senior.default_canteen_id).in_([c.id for c in canteens]))
    ):
        if senior.id in ordered:
            continue
        menu = session.exec(
            select(Menu).where(
                Menu.canteen_id == senior.default_canteen_id, Menu.service_date == DAY, Menu.slot == "lunch"
            )
        ).one()
        items = list(session.exec(select(MenuItem).where(MenuItem.menu_id == menu.id)).all())
        lines = [
            (item, senior.texture, rng.choice(["标准", "小份"]), rng.randint(1, 2))
            for item in rng.sample(items, 2)
        ]
        status = "cancelled" if rng.random() < 0.1 else "placed"
        order = make_order(
            session,
            senior,
            Lunch(menu, items[0], items[-1], [], items[0]),  # type: ignore[arg-type]
            fulfilment=senior.preferred_fulfilment,
            lines=lines,
            status=status,
        )
        if order.fulfilment == "delivery" and order.canteen_id == canteens[0].id:
            deliveries.append(order)
    return deliveries


def _dishes_per_point(session: Session, canteens: tuple[Canteen, ...]) -> dict[str, int]:
    """Counted straight from the order lines, without the service: a 套餐 line is as many dishes as it holds."""
    expected = {str(c.id): 0 for c in canteens}
    query = (
        select(OrderLine, Order, MenuItem)
        .join(Order, col(Order.id) == OrderLine.order_id)
        .join(MenuItem, col(MenuItem.id) == OrderLine.menu_item_id)
        .where(
            col(Order.status).not_in(ks.NOT_COOKED),
            col(Order.canteen_id).in_([c.id or 0 for c in canteens]),
            Order.service_date == DAY,
            Order.slot == "lunch",
        )
    )
    for line, order, item in session.exec(query).all():
        links = session.exec(select(SetMealDish).where(SetMealDish.set_meal_id == item.set_meal_id)).all()
        expected[str(order.canteen_id)] += line.quantity * (1 if item.kind == "dish" else len(links))
    return expected


def _active_stops(session: Session, route_id: int) -> list[str]:
    stops = session.exec(
        select(DeliveryStop).where(DeliveryStop.route_id == route_id).order_by(col(DeliveryStop.seq))
    )
    return [
        str(stop.order_id)
        for stop in stops
        if session.get_one(Order, stop.order_id).status not in ks.NOT_COOKED
    ]


def _same_dishes_as(session: Session, point_lunch: Lunch, kitchen_lunch: Lunch) -> None:
    """The point keeps its own copies of the central kitchen's dishes, under the same names."""
    for mine, theirs in zip(
        [*point_lunch.set_dishes, point_lunch.dish], [*kitchen_lunch.set_dishes, kitchen_lunch.dish], strict=True
    ):
        mine.name = theirs.name
        session.add(mine)
    session.commit()


def test_a_central_kitchen_cooks_each_dish_once_with_a_count_per_point_and_one_sample(session: Session) -> None:
    central = make_canteen(session, name="彭浦新村长者食堂")
    point = make_canteen(session, name="闻喜路助餐点", kind="point", supplier_id=central.id)
    kitchen_lunch, point_lunch = make_lunch(session, central, DAY), make_lunch(session, point, DAY)
    _same_dishes_as(session, point_lunch, kitchen_lunch)
    for _ in range(2):
        make_order(session, make_senior(session), kitchen_lunch)
    for _ in range(3):
        make_order(session, make_senior(session), point_lunch, fulfilment="pickup")

    sheets = ks.sheets_for(session, _scope(session, central), DAY, "lunch", at=AFTER_CUTOFF)

    rice = kitchen_lunch.set_dishes[2].name
    rows = [row for row in sheets.prep.rows if row.dish_name == rice]
    assert [(row.quantity, row.point_quantity(str(central.id)), row.point_quantity(str(point.id))) for row in rows] == [
        (5, 2, 3)
    ]
    assert len(sheets.prep.rows) == 3
    assert [sample.dish_name for sample in sheets.samples].count(rice) == 1
    assert len(sheets.samples) == 3
    assert (sheets.prep.point_total(str(central.id)), sheets.prep.point_total(str(point.id))) == (6, 9)


def test_a_points_dish_the_central_kitchen_has_no_dish_of_that_name_for_stays_its_own_row(session: Session) -> None:
    central = make_canteen(session, name="彭浦新村长者食堂")
    point = make_canteen(session, name="闻喜路助餐点", kind="point", supplier_id=central.id)
    make_lunch(session, central, DAY)
    point_lunch = make_lunch(session, point, DAY)
    make_order(session, make_senior(session), point_lunch, fulfilment="pickup")

    sheets = ks.sheets_for(session, _scope(session, central), DAY, "lunch", at=AFTER_CUTOFF)

    assert sorted(row.dish_name for row in sheets.prep.rows) == sorted(d.name for d in point_lunch.set_dishes)
