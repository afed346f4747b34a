"""Placing and cancelling orders: cutoffs, grace, portions, allergies, texture, radius, idempotency, who may order."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.core.errors import Conflict, Forbidden, InvalidInput
from app.core.settings import TZ
from app.models import MenuItem, Order, OrderEvent, OrderLine, OrderSubsidy, Senior
from app.ordering import service as ordering
from app.ordering.service import AllergyBlocked, Choice, OrderClosed, OrderRequest, OutOfRange, SoldOut
from tests.factories import (
    link_helper,
    make_canteen,
    make_dish_menu,
    make_menu,
    make_senior,
    make_user,
    principal_of,
    seed_schemes,
)

DAY = date(2030, 3, 4)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, datetime.min.time(), TZ).replace(hour=hour, minute=minute)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    seed_schemes(session)
    canteen = make_canteen(session, district="普陀", street="长风新村")
    senior = make_senior(session, age=85, today=DAY, default_canteen_id=canteen.id)
    user = make_user(session, "senior", senior=senior, name=senior.name)
    menu = make_menu(session, canteen, DAY, "lunch", items=[("一荤两素一汤", 2000), ("爱心实惠套餐", 800)])
    return dict(canteen=canteen, senior=senior, user=user, menu=menu, principal=principal_of(session, user))


def _items(session: Session, menu_id: int) -> list[MenuItem]:
    return list(session.exec(select(MenuItem).where(MenuItem.menu_id == menu_id).order_by(col(MenuItem.position))))


def _request(
    session: Session,
    senior: Senior,
    menu_id: int,
    *,
    item: int = 0,
    fulfilment: str = "dine_in",
    key: str = "key-00000001",
    **choice: Any,
) -> OrderRequest:
    item_id = _items(session, menu_id)[item].id or 0
    return OrderRequest(senior.id or 0, menu_id, fulfilment, (Choice(item_id, **choice),), key)


def _place(session: Session, w: dict[str, Any], when: datetime, **kw: Any) -> Order:
    actor = ordering.actor_for(session, w["principal"], w["senior"].id)
    return ordering.place_order(session, actor, _request(session, w["senior"], w["menu"].id, **kw), at=when)


def test_a_senior_orders_lunch_and_the_price_snapshot_balances_with_each_funders_share(
    session: Session, world: dict[str, Any]
) -> None:
    order = _place(session, world, at(8))

    subsidies = session.exec(select(OrderSubsidy).where(OrderSubsidy.order_id == order.id)).all()
    events = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert (order.list_fen, order.discount_fen, order.subsidy_fen, order.payable_fen) == (
        2000,
        300,
        300,
        1400,
    )
    assert sum(s.amount_fen for s in subsidies) == 300
    assert order.placed_via == "self" and order.status == "placed"
    assert [e.status for e in events] == ["placed"]
    assert [(ln.name, ln.quantity, ln.unit_price_fen) for ln in lines] == [("一荤两素一汤", 1, 2000)]
    assert order.changeable_until == at(9, 30)
    assert order.scheme_key == "shanghai-putuo" and order.explanation


def test_the_same_idempotency_key_returns_the_same_order_never_two(
    session: Session, world: dict[str, Any]
) -> None:
    first = _place(session, world, at(8))

    again = _place(session, world, at(8, 1))

    assert again.id == first.id
    assert len(session.exec(select(Order)).all()) == 1


def test_a_second_lunch_for_the_same_senior_from_a_fresh_screen_is_refused(
    session: Session, world: dict[str, Any]
) -> None:
    first = _place(session, world, at(8))

    with pytest.raises(Conflict) as refused:
        _place(session, world, at(8, 5), key="key-00000002", item=1)

    assert (
        refused.value.message
        == f"今天午餐已经订好了（订单号 {first.public_no}）。如要改，请先取消原来的订单。"
    )


def test_after_the_dine_in_cutoff_lunch_is_refused_and_tomorrow_is_offered(
    session: Session, world: dict[str, Any]
) -> None:
    make_menu(session, world["canteen"], DAY + timedelta(days=1), "lunch")

    with pytest.raises(OrderClosed) as refused:
        _place(session, world, at(9, 31))

    assert refused.value.message == "今天午餐已截止，可以订明天的。"
    assert refused.value.field == "slot"


def test_delivery_closes_the_day_before_at_five_while_dine_in_stays_open(
    session: Session, world: dict[str, Any]
) -> None:
    make_menu(session, world["canteen"], DAY, "dinner")

    with pytest.raises(OrderClosed) as refused:
        _place(session, world, at(8), fulfilment="delivery")

    assert refused.value.field == "fulfilment"
    assert refused.value.message.startswith("今天午餐的送餐上门已于昨天下午5:00截止")


def test_delivery_ordered_the_day_before_is_priced_with_the_delivery_fee(
    session: Session, world: dict[str, Any]
) -> None:
    order = _place(session, world, at(16, 59, DAY - timedelta(days=1)), fulfilment="delivery")

    assert order.delivery_fee_fen == ordering.DELIVERY_FEE_FEN
    assert order.list_fen == 2000 + ordering.DELIVERY_FEE_FEN
    assert order.address_snapshot == world["senior"].address


def test_an_order_stays_cancellable_for_the_grace_minutes_after_the_cutoff(
    session: Session, world: dict[str, Any]
) -> None:
    order = _place(session, world, at(9, 25))
    assert order.changeable_until == at(9, 35)

    with pytest.raises(Conflict):
        ordering.cancel_order(session, world["principal"], order.id or 0, at=at(9, 36))
    cancelled = ordering.cancel_order(session, world["principal"], order.id or 0, at=at(9, 34))

    assert cancelled.status == "cancelled"
    assert [e.status for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))] == [
        "placed",
        "cancelled",
    ]


def test_the_last_portion_goes_once_and_a_cancel_puts_it_back(
    session: Session, world: dict[str, Any]
) -> None:
    item = _items(session, world["menu"].id)[0]
    item.quantity_limit = 1
    session.add(item)
    session.commit()
    neighbour = make_senior(session, age=70, today=DAY, default_canteen_id=world["canteen"].id)
    counter = principal_of(session, make_user(session, ("counter", world["canteen"].id)))
    first = _place(session, world, at(8))

    actor = ordering.actor_for(session, counter, neighbour.id or 0)
    with pytest.raises(SoldOut) as refused:
        ordering.place_order(
            session, actor, _request(session, neighbour, world["menu"].id, key="key-neigh1"), at=at(8)
        )
    ordering.cancel_order(session, world["principal"], first.id or 0, at=at(8, 5))
    again = ordering.place_order(
        session, actor, _request(session, neighbour, world["menu"].id, key="key-neigh2"), at=at(8, 6)
    )

    assert refused.value.message == "“一荤两素一汤”已经订完了。可以改订：爱心实惠套餐。"
    assert refused.value.alternative_id == _items(session, world["menu"].id)[1].id
    assert again.status == "placed"
    session.refresh(item)
    assert item.sold_count == 1


def test_a_dish_with_an_allergen_is_blocked_with_a_safe_alternative(
    session: Session, world: dict[str, Any]
) -> None:
    senior = world["senior"]
    senior.allergies = "虾"
    session.add(senior)
    menu = make_dish_menu(
        session,
        world["canteen"],
        DAY,
        "dinner",
        dishes=[
            dict(name="虾仁豆腐", price_fen=800, allergens="虾,大豆"),
            dict(name="肉末蒸蛋", price_fen=500, allergens="鸡蛋"),
        ],
    )
    actor = ordering.actor_for(session, world["principal"], senior.id)

    with pytest.raises(AllergyBlocked) as refused:
        ordering.place_order(session, actor, _request(session, senior, menu.id or 0), at=at(8))

    assert refused.value.message == f"“虾仁豆腐”含有虾，{senior.name}对虾过敏，不能订。可以改订：肉末蒸蛋。"
    assert refused.value.field == "item"


def test_texture_defaults_to_the_seniors_need_and_a_firmer_one_is_refused(
    session: Session, world: dict[str, Any]
) -> None:
    senior = world["senior"]
    senior.texture = "碎食"
    session.add(senior)
    menu = make_dish_menu(
        session,
        world["canteen"],
        DAY,
        "dinner",
        dishes=[
            dict(name="肉末豆腐", price_fen=600, textures="普通,软食,碎食,糊状"),
            dict(name="红烧肉", price_fen=900, textures="普通,软食"),
        ],
    )
    actor = ordering.actor_for(session, world["principal"], senior.id)

    with pytest.raises(InvalidInput) as firmer:
        ordering.prepare(session, actor, _request(session, senior, menu.id or 0, texture="软食"), at=at(8))
    with pytest.raises(InvalidInput) as unsafe:
        ordering.prepare(session, actor, _request(session, senior, menu.id or 0, item=1), at=at(8))
    draft = ordering.prepare(session, actor, _request(session, senior, menu.id or 0), at=at(8))

    assert draft.lines[0].texture == "碎食"
    assert firmer.value.errors == {"texture": "这道菜不能做成软食（可做：碎食、糊状）。"}
    assert unsafe.value.errors == {
        "texture": f"{senior.name}需要碎食，这道菜没有合适的做法（可做：普通、软食）。"
    }


def test_delivery_beyond_the_canteens_radius_is_refused_in_words(
    session: Session, world: dict[str, Any]
) -> None:
    senior = world["senior"]
    senior.lat, senior.lng = world["canteen"].lat + 0.03, world["canteen"].lng
    session.add(senior)
    session.commit()

    with pytest.raises(OutOfRange) as refused:
        _place(session, world, at(12, 0, DAY - timedelta(days=1)), fulfilment="delivery")

    assert refused.value.field == "fulfilment"
    assert refused.value.message.endswith(
        f"只送 1.5 公里以内，{senior.name}家约 3.3 公里，送不到。可以选到店堂食或自取。"
    )


@pytest.mark.parametrize(
    ("status", "paused_until", "words"),
    [
        ("paused", None, "助餐服务暂停中"),
        ("paused", DAY, "助餐服务暂停中"),
        ("deceased", None, "助餐服务已停止"),
        ("moved", None, "助餐服务已停止"),
    ],
)
def test_paused_deceased_or_moved_seniors_cannot_order(
    session: Session, world: dict[str, Any], status: str, paused_until: date | None, words: str
) -> None:
    senior = world["senior"]
    senior.status, senior.paused_until = status, paused_until
    session.add(senior)
    session.commit()

    with pytest.raises(Forbidden) as refused:
        _place(session, world, at(8))

    assert words in refused.value.message


def test_a_pause_that_ended_yesterday_no_longer_stops_orders(session: Session, world: dict[str, Any]) -> None:
    senior = world["senior"]
    senior.status, senior.paused_until = "paused", DAY - timedelta(days=1)
    session.add(senior)
    session.commit()

    assert _place(session, world, at(8)).status == "placed"


def test_a_helper_orders_only_for_seniors_linked_and_not_revoked(
    session: Session, world: dict[str, Any]
) -> None:
    helper = make_user(session, "helper", name="刘女儿")
    stranger = make_senior(session, today=DAY, default_canteen_id=world["canteen"].id)
    link = link_helper(session, helper, world["senior"])
    principal = principal_of(session, helper)

    actor = ordering.actor_for(session, principal, world["senior"].id)
    with pytest.raises(Forbidden):
        ordering.actor_for(session, principal, stranger.id or 0)
    link.revoked_at = at(7)
    session.add(link)
    session.commit()
    with pytest.raises(Forbidden):
        ordering.actor_for(session, principal, world["senior"].id)

    assert (actor.relation, actor.via) == ("helper", "helper")


def test_counter_staff_order_only_at_their_own_canteen_and_walk_ins_until_serving_ends(
    session: Session, world: dict[str, Any]
) -> None:
    other = make_canteen(session)
    elsewhere = principal_of(session, make_user(session, ("counter", other.id)))
    here = principal_of(session, make_user(session, ("counter", world["canteen"].id)))

    with pytest.raises(Forbidden):
        ordering.place_order(
            session,
            ordering.actor_for(session, elsewhere, world["senior"].id),
            _request(session, world["senior"], world["menu"].id),
            at=at(10),
        )
    order = ordering.place_order(
        session,
        ordering.actor_for(session, here, world["senior"].id),
        _request(session, world["senior"], world["menu"].id),
        at=at(11, 30),
    )

    assert (order.placed_via, order.status) == ("counter", "placed")


def test_cancelling_releases_the_daily_subsidy_for_the_next_meal(
    session: Session, world: dict[str, Any]
) -> None:
    dinner = make_menu(session, world["canteen"], DAY, "dinner")
    lunch = _place(session, world, at(8))
    actor = ordering.actor_for(session, world["principal"], world["senior"].id)
    dinner_request = _request(session, world["senior"], dinner.id or 0, key="key-dinner1")
    without = ordering.prepare(session, actor, dinner_request, at=at(8, 1))

    ordering.cancel_order(session, world["principal"], lunch.id or 0, at=at(8, 2))
    with_subsidy = ordering.place_order(session, actor, dinner_request, at=at(8, 3))

    assert without.breakdown.subsidy_fen == 0
    assert with_subsidy.subsidy_fen == 300


def test_a_cancelled_order_cannot_be_cancelled_twice(session: Session, world: dict[str, Any]) -> None:
    order = _place(session, world, at(8))
    ordering.cancel_order(session, world["principal"], order.id or 0, at=at(8, 1))

    with pytest.raises(Conflict) as refused:
        ordering.cancel_order(session, world["principal"], order.id or 0, at=at(8, 2))

    assert refused.value.message == "这笔订单已经取消了。"
    assert _items(session, world["menu"].id)[0].sold_count == 0


def test_a_key_reused_for_another_senior_is_refused_not_answered_with_the_first_order(
    session: Session, world: dict[str, Any]
) -> None:
    helper = make_user(session, "helper")
    other = make_senior(session, today=DAY, default_canteen_id=world["canteen"].id)
    link_helper(session, helper, world["senior"])
    link_helper(session, helper, other)
    principal = principal_of(session, helper)
    ordering.place_order(session, ordering.actor_for(session, principal, world["senior"].id),
                         _request(session, world["senior"], world["menu"].id, key="helper-key-1"), at=at(8))

    with pytest.raises(Conflict) as refused:
        ordering.place_order(session, ordering.actor_for(session, principal, other.id or 0),
                             _request(session, other, world["menu"].id, key="helper-key-1"), at=at(8, 1))

    assert refused.value.message == "这个防重复提交编号已用于另一位老人的订单，请刷新页面后再试。"


def test_order_numbers_count_per_canteen_and_day_and_can_be_read_out(session: Session, world: dict[str, Any]) -> None:
    other = make_canteen(session, district="普陀", street="长风新村", name="第二食堂")
    other_menu = make_menu(session, other, DAY, "lunch", items=[("一荤两素一汤", 2000)])
    seniors = [make_senior(session, age=85, today=DAY, default_canteen_id=world["canteen"].id) for _ in range(2)]
    counter = principal_of(session, make_user(session, ("counter", world["canteen"].id)))
    other_counter = principal_of(session, make_user(session, ("counter", other.id)))

    placed = [ordering.place_order(session, ordering.actor_for(session, counter, s.id or 0),
                                   _request(session, s, world["menu"].id, key=f"number-key-{s.id:04d}"), at=at(8))
              for s in seniors]
    elsewhere = ordering.place_order(session, ordering.actor_for(session, other_counter, world["senior"].id or 0),
                                     _request(session, world["senior"], other_menu.id, key="number-key-other"), at=at(8))

    assert [o.short_no for o in placed] == [1, 2]
    assert [o.public_no for o in placed] == [f"300304-{world['canteen'].id}-0001", f"300304-{world['canteen'].id}-0002"]
    assert (elsewhere.short_no, elsewhere.public_no) == (1, f"300304-{other.id}-0001")


def test_the_ten_thousandth_order_of_a_day_keeps_all_five_digits_of_its_number(session: Session,
                                                                              world: dict[str, Any]) -> None:
    from app.models import OrderNumberCounter

    session.add(OrderNumberCounter(service_date=DAY, canteen_id=world["canteen"].id or 0, last_no=9999))
    session.commit()

    order = _place(session, world, at(8))

    assert (order.short_no, order.public_no) == (10000, f"300304-{world['canteen'].id}-10000")
    stored = session.exec(select(Order.short_no, Order.public_no).where(Order.id == order.id)).one()
    assert tuple(stored) == (10000, f"300304-{world['canteen'].id}-10000")


def test_an_order_of_two_dishes_is_stored_with_both_lines_its_shares_and_its_event(
    session: Session, world: dict[str, Any]
) -> None:
    items = _items(session, world["menu"].id)
    request = OrderRequest(world["senior"].id or 0, world["menu"].id, "dine_in",
                           (Choice(items[0].id or 0), Choice(items[1].id or 0, quantity=2)), "two-dishes-01")

    order = ordering.place_order(session, ordering.actor_for(session, world["principal"], world["senior"].id),
                                 request, at=at(8))

    session.expire_all()
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))).all()
    shares = session.exec(select(OrderSubsidy).where(OrderSubsidy.order_id == order.id)).all()
    events = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
    assert [(ln.menu_item_id, ln.quantity, ln.unit_price_fen) for ln in lines] == [
        (items[0].id, 1, 2000), (items[1].id, 2, 800)]
    stored = session.get(Order, order.id)
    assert stored is not None and stored.list_fen == 2000 + 2 * 800
    assert stored.list_fen == stored.discount_fen + stored.subsidy_fen + stored.payable_fen
    assert sum(s.amount_fen for s in shares) == stored.subsidy_fen > 0
    assert [(e.status, e.by_user_id) for e in events] == [("placed", world["user"].id)]
    assert [i.sold_count for i in _items(session, world["menu"].id)] == [1, 2]
