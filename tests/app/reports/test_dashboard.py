"""The operator's day: today's orders by slot and channel against capacity, route progress, open alerts, and the
seniors who usually eat but have gone quiet for two days, living-alone seniors first."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from app.models import Alert, DeliveryPlan, DeliveryRoute, DeliveryStop, Driver, Vehicle, now
from app.reports import dashboard as db
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes


def _ate(session: Session, senior: object, canteen: object, days: list[date], placed_by: object) -> None:
    for day in days:
        make_priced_order(session, senior, canteen, day, status="served", placed_by=placed_by)  # type: ignore[arg-type]


def test_todays_orders_are_counted_by_slot_and_channel_against_capacity_in_the_chosen_canteen(
    session: Session,
) -> None:
    seed_schemes(session)
    today = now().date()
    canteen, other = make_canteen(session), make_canteen(session)
    counter = make_user(session, "counter")
    for channel in ("dine_in", "dine_in", "delivery"):
        make_priced_order(
            session, make_senior(session), canteen, today, "lunch", channel=channel, placed_by=counter
        )
    make_priced_order(
        session, make_senior(session), canteen, today, "lunch", status="cancelled", placed_by=counter
    )
    make_priced_order(
        session, make_senior(session), canteen, today, "dinner", channel="pickup", placed_by=counter
    )
    make_priced_order(session, make_senior(session), other, today, "lunch", placed_by=counter)

    picture = db.picture(session, db.Scope(canteen_id=canteen.id), today)

    lunch, dinner = picture.slots
    assert (lunch.slot, lunch.by_channel, lunch.total, lunch.capacity, lunch.used_percent) == (
        "lunch",
        {"dine_in": 2, "delivery": 1},
        3,
        200,
        2,
    )
    assert (dinner.slot, dinner.by_channel) == ("dinner", {"pickup": 1})
    assert (picture.orders_today, picture.channel_total("dine_in")) == (4, 2)


def test_a_district_shows_each_of_its_canteens_and_only_them(session: Session) -> None:
    make_canteen(session, name="静安一号食堂", district="静安")
    make_canteen(session, name="静安二号食堂", district="静安")
    make_canteen(session, name="普陀食堂", district="普陀")

    picture = db.picture(session, db.Scope(district="静安"), now().date())

    assert [c.name for c in picture.canteens] == ["静安一号食堂", "静安二号食堂"]
    assert len(picture.slots) == 4


def test_route_progress_counts_delivered_no_answer_and_pending_stops(session: Session) -> None:
    seed_schemes(session)
    today = now().date()
    canteen = make_canteen(session)
    driver = Driver(canteen_id=canteen.id or 0, name="孙师傅", phone="13900000011")
    vehicle = Vehicle(canteen_id=canteen.id or 0, name="电动车1")
    plan = DeliveryPlan(canteen_id=canteen.id or 0, service_date=today, slot="lunch", status="published")
    session.add_all([driver, vehicle, plan])
    session.flush()
    route = DeliveryRoute(plan_id=plan.id or 0, driver_id=driver.id or 0, vehicle_id=vehicle.id or 0)
    session.add(route)
    session.flush()
    for seq, status in enumerate(("delivered", "delivered", "no_answer", "pending"), start=1):
        order = make_priced_order(session, make_senior(session), canteen, today, channel="delivery")
        session.add(DeliveryStop(route_id=route.id or 0, order_id=order.id or 0, seq=seq, status=status))
    session.commit()

    picture = db.picture(session, db.Scope(canteen_id=canteen.id), today)

    assert [
        (r.slot, r.status, r.routes, r.stops, r.delivered, r.no_answer, r.pending) for r in picture.routes
    ] == [("lunch", "published", 1, 4, 2, 1, 1)]


def test_open_alerts_of_the_scope_need_someone_and_resolved_ones_do_not(session: Session) -> None:
    canteen, other = make_canteen(session), make_canteen(session)
    senior = make_senior(session, name="王秀英")
    session.add_all(
        [
            Alert(
                kind="no_answer", senior_id=senior.id or 0, canteen_id=canteen.id or 0, message="敲门无人应答"
            ),
            Alert(
                kind="wellness",
                status="resolved",
                senior_id=senior.id or 0,
                canteen_id=canteen.id or 0,
                message="已处理",
            ),
            Alert(kind="no_answer", senior_id=senior.id or 0, canteen_id=other.id or 0, message="别处"),
        ]
    )
    session.commit()

    picture = db.picture(session, db.Scope(canteen_id=canteen.id), now().date())

    assert [(a.kind, a.senior_name, a.message) for a in picture.alerts] == [
        ("no_answer", "王秀英", "敲门无人应答")
    ]


def test_seniors_who_usually_eat_but_went_quiet_for_two_days_are_listed_living_alone_first(
    session: Session,
) -> None:
    seed_schemes(session)
    today = now().date()
    canteen = make_canteen(session)
    counter = make_user(session, "counter")
    usual = [today - timedelta(days=n) for n in range(3, 9)]  # six days, then two quiet days
    with_family = make_senior(session, name="张建国", lives_alone=False)
    alone = make_senior(session, name="王秀英", lives_alone=True)
    ordered_today = make_senior(session, name="李桂英", lives_alone=True)
    occasional = make_senior(session, name="赵德明", lives_alone=True)
    in_hospital = make_senior(
        session, name="钱美华", lives_alone=True, status="paused", paused_until=today + timedelta(days=3)
    )
    for senior in (with_family, alone, ordered_today, in_hospital):
        _ate(session, senior, canteen, usual, counter)
    _ate(session, occasional, canteen, usual[:3], counter)
    make_priced_order(session, ordered_today, canteen, today, placed_by=counter)

    picture = db.picture(session, db.Scope(canteen_id=canteen.id), today)

    assert [(c.name, c.lives_alone, c.last_meal, c.usual_days) for c in picture.check_ins] == [
        ("王秀英", True, today - timedelta(days=3), 6),
        ("张建国", False, today - timedelta(days=3), 6),
    ]


def test_an_operator_scoped_to_one_canteen_never_sees_another(session: Session) -> None:
    mine, theirs = make_canteen(session), make_canteen(session)

    picture = db.picture(session, db.Scope(allowed=frozenset({mine.id or 0})), now().date())

    assert [c.id for c in picture.canteens] == [mine.id]
    assert theirs.id not in {s.canteen_id for s in picture.slots}
