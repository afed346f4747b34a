"""An operator keeps a senior's record: eligibility evidence is audited, a hospital stay pauses deliveries until a
resume date, and a senior who died or moved away has their future orders withdrawn."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from app.core.errors import InvalidInput
from app.core.principal import Principal
from app.models import AuditEvent, MenuItem, Order, OrderLine, now
from app.seniors import service as sa
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes


def _operator(session: Session) -> Principal:
    user = make_user(session, "operator")
    return Principal(
        user_id=user.id or 0,
        name="陈运营",
        roles={"operator": frozenset({None})},
        senior_id=None,
        font_size="大",
        session_id=0,
        csrf_token="",
    )


def _order(
    session: Session, senior: object, canteen: object, day: date, *, open_for_change: bool = True
) -> Order:
    order = make_priced_order(session, senior, canteen, day)  # type: ignore[arg-type]
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    item = session.get(MenuItem, line.menu_item_id)
    assert item is not None
    item.sold_count += 1  # as place_order takes the portion
    session.add(item)
    order.changeable_until = now() + timedelta(days=30) if open_for_change else now() - timedelta(minutes=1)
    session.add(order)
    session.commit()
    return order


def _statuses(session: Session) -> dict[date, str]:
    return {o.service_date: o.status for o in session.exec(select(Order))}


def _form(senior: object, **changes: str) -> dict[str, str]:
    return sa.form_of(senior) | changes  # type: ignore[arg-type]


def test_new_eligibility_evidence_is_saved_and_audited_with_old_and_new_values(session: Session) -> None:
    senior = make_senior(session)
    form = _form(
        senior,
        economic_status="低保",
        economic_source="区民政局社会救助平台",
        economic_valid_from="2026-01-01",
        economic_valid_to="2026-12-31",
    )

    sa.update_senior(session, senior.id or 0, form, user_id=None)

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.eligibility")).one()
    assert (senior.economic_status, senior.economic_valid_to) == ("低保", date(2026, 12, 31))
    assert "economic_status:  → 低保" in event.detail
    assert "economic_valid_to: None → 2026-12-31" in event.detail


def test_a_form_with_mistakes_saves_nothing_and_names_each_field(session: Session) -> None:
    senior = make_senior(session, phone="13911112222")
    form = _form(senior, phone="123", economic_status="低保", economic_valid_to="", care_level="9")

    with pytest.raises(InvalidInput) as refused:
        sa.update_senior(session, senior.id or 0, form, user_id=None)

    session.refresh(senior)
    assert set(refused.value.errors) == {"phone", "economic_valid_to", "care_level"}
    assert (senior.phone, senior.economic_status) == ("13911112222", "")


def test_a_hospital_stay_pauses_deliveries_and_cancels_the_orders_until_the_resume_date(
    session: Session,
) -> None:
    seed_schemes(session)
    canteen, senior, today = make_canteen(session), make_senior(session), now().date()
    for offset in (1, 2, 5):
        _order(session, senior, canteen, today + timedelta(days=offset))

    change = sa.pause(
        session, _operator(session), senior.id or 0, f"{today + timedelta(days=5)}", "住院", today=today
    )

    session.refresh(senior)
    assert (senior.status, senior.paused_until) == ("paused", today + timedelta(days=4))
    assert len(change.cancelled) == 2
    assert _statuses(session) == {
        today + timedelta(days=1): "cancelled",
        today + timedelta(days=2): "cancelled",
        today + timedelta(days=5): "placed",
    }


def test_marking_a_senior_deceased_cancels_future_orders_and_reports_those_past_their_change_window(
    session: Session,
) -> None:
    seed_schemes(session)
    canteen, senior, today = make_canteen(session), make_senior(session), now().date()
    past = _order(session, senior, canteen, today - timedelta(days=1))
    past.status = "served"
    session.add(past)
    late = _order(session, senior, canteen, today, open_for_change=False)
    _order(session, senior, canteen, today + timedelta(days=3))

    change = sa.mark_gone(session, _operator(session), senior.id or 0, "deceased", "家属告知", today=today)

    session.refresh(senior)
    assert senior.status == "deceased"
    assert change.kept == [late.public_no]
    assert _statuses(session) == {
        today - timedelta(days=1): "served",
        today: "placed",
        today + timedelta(days=3): "cancelled",
    }


def test_a_resume_date_in_the_past_is_refused(session: Session) -> None:
    senior = make_senior(session)

    with pytest.raises(InvalidInput) as refused:
        sa.pause(session, _operator(session), senior.id or 0, "2020-01-01", "", today=now().date())

    assert refused.value.errors == {"resume": "请填写恢复送餐的日期（年-月-日），最早明天。"}


def test_a_pause_whose_last_day_has_passed_ends_by_itself(session: Session) -> None:
    today = now().date()
    senior = make_senior(session, status="paused", paused_until=today - timedelta(days=1))

    resumed = sa.resume_due(session, today)

    session.refresh(senior)
    assert (resumed, senior.status, senior.paused_until) == (1, "active", None)


def test_the_list_masks_id_numbers_and_finds_a_senior_by_the_last_digits(session: Session) -> None:
    senior = make_senior(session, name="王秀英")

    rows = sa.list_seniors(session, q=senior.id_number[-4:], today=now().date())

    assert [r.name for r in rows] == ["王秀英"]
    assert rows[0].masked_id == senior.id_number[:3] + "*" * 11 + senior.id_number[-4:]


def test_opening_a_seniors_full_record_is_audited(session: Session) -> None:
    senior = make_senior(session)
    user = make_user(session, "operator")

    sa.open_record(session, senior.id or 0, user_id=user.id, address="10.0.0.8")

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.view")).one()
    assert (event.user_id, event.object_id, event.address) == (user.id, str(senior.id), "10.0.0.8")
