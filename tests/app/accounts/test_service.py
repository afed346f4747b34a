"""Accounts as the operator and the counter use them: invitations, roles, switching off, card PINs, helper links
with consent, and the audit log that records all of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from app.accounts import audit_log, helper_links
from app.accounts import service as accounts
from app.accounts.auth import sign_in_senior, verify_secret
from app.accounts.helper_links import LinkForm
from app.core import messages as msg
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.principal import Principal, principal_for_token
from app.models import AuditEvent, Canteen, Driver, HelperLink, Invitation, User, UserRole, now
from tests.factories import make_canteen, make_senior, make_user, principal_of

TODAY = date(2026, 11, 22)


def operator(session: Session) -> Principal:
    return principal_of(session, make_user(session, "operator", name="陈运营"))


def actions(session: Session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


# ---------------------------------------------------------------- invitations

def test_an_invited_account_has_no_password_until_the_invitee_sets_one(session: Session) -> None:
    op, canteen = operator(session), make_canteen(session)

    invited = accounts.invite(session, op, name="李厨师", phone="13911112222",
                              form={"role_kitchen": "1", "canteen_kitchen": str(canteen.id)})

    user = session.get(User, invited.user_id)
    assert user is not None and user.password_hash == "" and user.invited_by_id == op.user_id
    roles = session.exec(select(UserRole).where(UserRole.user_id == user.id)).all()
    assert [(r.role, r.canteen_id) for r in roles] == [("kitchen", canteen.id)]
    stored = session.exec(select(Invitation)).one()
    assert invited.token not in stored.token_hash and len(stored.token_hash) == 64
    assert actions(session) == ["user.invite"]


def test_accepting_sets_the_password_signs_in_and_uses_up_the_link(session: Session) -> None:
    invited = accounts.invite(session, operator(session), name="王阿姨", phone="13911113333",
                              form={"role_helper": "1"})

    cookie = accounts.accept_invitation(session, invited.token, "green-teapot-7", "green-teapot-7")

    user = session.get(User, invited.user_id)
    assert user is not None and verify_secret(user.password_hash, "green-teapot-7")
    assert principal_for_token(session, cookie) is not None
    with pytest.raises(NotFound):
        accounts.accept_invitation(session, invited.token, "blue-kettle-42", "blue-kettle-42")


def test_an_expired_invitation_says_so(session: Session) -> None:
    invited = accounts.invite(session, operator(session), name="王阿姨", phone="13911114444",
                              form={"role_helper": "1"})
    row = session.exec(select(Invitation)).one()
    row.expires_at = now() - timedelta(minutes=1)
    session.add(row)
    session.commit()

    with pytest.raises(accounts.InvitationGone) as e:
        accounts.invitation_for(session, invited.token)

    assert "过期" in e.value.message


@pytest.mark.parametrize(("password", "again", "field", "words"), [
    ("short", "short", "password", "至少 12 位"),
    ("good-pass-1", "good-pass-1", "password", "至少 12 位"),
    ("13911115555", "13911115555", "password", "至少 12 位"),
    ("13911115555abc", "13911115555abc", "password", "不能和手机号相同"),
    ("wang-11115555", "wang-11115555", "password", "不能和手机号相同"),
    ("green-teapot-7", "green-teapot-8", "password2", "不一样"),
    ("xy" * 65, "xy" * 65, "password", "最多 128 位"),
    ("123456789012", "123456789012", "password", "不能只有数字"),
    ("hi13800001111", "hi13800001111", "password", "不能有手机号"),
    ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", "太容易被猜到"),
    ("abcabcabcabc", "abcabcabcabc", "password", "太容易被猜到"),
    ("woaini1314520", "woaini1314520", "password", "太容易被猜到"),
    ("Password2026!", "Password2026!", "password", "太容易被猜到"),
    ("qwerty-900726", "qwerty-900726", "password", "太容易被猜到"),
    ("my-pin-34567x", "my-pin-34567x", "password", "太容易被猜到"),
    ("wang-19540428", "wang-19540428", "password", "太容易被猜到"),
])
def test_a_weak_or_mistyped_password_is_refused_next_to_its_field(session: Session, password: str, again: str,
                                                                  field: str, words: str) -> None:
    invited = accounts.invite(session, operator(session), name="王阿姨", phone="13911115555",
                              form={"role_helper": "1"})

    with pytest.raises(InvalidInput) as e:
        accounts.accept_invitation(session, invited.token, password, again)

    assert words in e.value.errors[field]
    assert session.exec(select(Invitation)).one().used_at is None


def test_an_invitation_names_every_problem_at_once_and_saves_nothing(session: Session) -> None:
    op = operator(session)
    make_user(session, "helper", phone="13911116666")

    with pytest.raises(InvalidInput) as e:
        accounts.invite(session, op, name="", phone="13911116666",
                        form={"role_kitchen": "1", "role_counter": "1", "canteen_counter": "²"})

    assert set(e.value.errors) == {"name", "phone", "canteen_kitchen", "canteen_counter"}
    assert "已经有账号" in e.value.errors["phone"]
    assert session.exec(select(User).where(User.name == "")).first() is None


def test_a_senior_account_cannot_be_invited(session: Session) -> None:
    with pytest.raises(InvalidInput) as e:
        accounts.invite(session, operator(session), name="王秀英", phone="13911117777",
                        form={"role_senior": "1"})

    assert "设置卡密码时自动开通" in e.value.errors["roles"]


def test_inviting_a_driver_makes_them_ready_for_shifts(session: Session) -> None:
    canteen = make_canteen(session)

    invited = accounts.invite(session, operator(session), name="张师傅", phone="13911118888",
                              form={"role_driver": "1", "canteen_driver": str(canteen.id)})

    driver = session.exec(select(Driver).where(Driver.user_id == invited.user_id)).one()
    assert (driver.canteen_id, driver.name, driver.phone) == (canteen.id, "张师傅", "13911118888")


# ---------------------------------------------------------------- roles and switching off

def test_roles_are_replaced(session: Session) -> None:
    op, a, b = operator(session), make_canteen(session), make_canteen(session)
    user = make_user(session, ("kitchen", a.id), "helper")

    accounts.set_roles(session, op, user.id or 0, {"role_counter": "1", "canteen_counter": str(b.id)})

    roles = sorted((r.role, r.canteen_id) for r in session.exec(select(UserRole).where(UserRole.user_id == user.id)))
    assert roles == [("counter", b.id)]


def test_a_seniors_card_account_gets_no_staff_powers_behind_a_short_pin(session: Session) -> None:
    senior = make_senior(session)
    user = make_user(session, "senior", senior=senior)

    with pytest.raises(InvalidInput) as e:
        accounts.set_roles(session, operator(session), user.id or 0, {"role_operator": "1"})

    assert "另外邀请" in e.value.errors["roles"]
    assert [r.role for r in session.exec(select(UserRole).where(UserRole.user_id == user.id))] == ["senior"]


def test_an_operator_cannot_take_away_their_own_operator_role(session: Session) -> None:
    op = operator(session)

    with pytest.raises(InvalidInput):
        accounts.set_roles(session, op, op.user_id, {"role_helper": "1"})

    assert [r.role for r in session.exec(select(UserRole).where(UserRole.user_id == op.user_id))] == ["operator"]


def test_switching_an_account_off_ends_its_sessions(session: Session) -> None:
    op = operator(session)
    user = make_user(session, "kitchen")

    accounts.set_active(session, op, user.id or 0, False)

    session.refresh(user)
    assert (user.active, user.session_generation) == (False, 2)
    assert actions(session) == ["user.deactivate"]


def test_an_unknown_account_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        accounts.set_active(session, operator(session), 987654, False)


# ---------------------------------------------------------------- seniors' card PINs

def test_a_pin_set_at_the_counter_opens_the_seniors_own_account(session: Session) -> None:
    canteen = make_canteen(session)
    counter = principal_of(session, make_user(session, ("counter", canteen.id)))
    senior = make_senior(session, default_canteen_id=canteen.id, card_no="88007777", name="周秀兰")

    accounts.set_senior_pin(session, counter, senior.id or 0, "2580", "2580")

    token = sign_in_senior(session, "88007777", "2580", "127.0.0.1")
    principal = principal_for_token(session, token)
    assert principal is not None and principal.senior_id == senior.id and principal.has("senior")
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.object_id, e.user_id) for e in events] == [
        ("senior.pin_set", str(senior.id), counter.user_id), ("auth.login", str(principal.user_id), principal.user_id)]


@pytest.mark.parametrize(("pin", "again", "field"), [("1234", "1234", "pin"), ("0000", "0000", "pin"),
                                                     ("12a4", "12a4", "pin"), ("2580", "2581", "pin2")])
def test_an_easy_or_mistyped_pin_is_refused(session: Session, pin: str, again: str, field: str) -> None:
    senior = make_senior(session, card_no="88007778")

    with pytest.raises(InvalidInput) as e:
        accounts.set_senior_pin(session, operator(session), senior.id or 0, pin, again)

    assert field in e.value.errors
    assert session.exec(select(User).where(User.senior_id == senior.id)).first() is None


@pytest.mark.parametrize("pin", ["0428", "2804", "1954", "540428", "፩፪፫፬"])
def test_a_pin_made_of_the_seniors_birthday_or_of_foreign_digits_is_refused(session: Session, pin: str) -> None:
    senior = make_senior(session, card_no="88007780", birth_date=date(1954, 4, 28))

    with pytest.raises(InvalidInput) as e:
        accounts.set_senior_pin(session, operator(session), senior.id or 0, pin, pin)

    expected = msg.PIN_INVALID if pin == "፩፪፫፬" else msg.PIN_IS_BIRTHDAY
    assert e.value.errors == {"pin": expected}
    assert session.exec(select(User).where(User.senior_id == senior.id)).first() is None


def test_a_six_digit_pin_not_from_the_birthday_is_accepted(session: Session) -> None:
    senior = make_senior(session, card_no="88007781", birth_date=date(1954, 4, 28))

    accounts.set_senior_pin(session, operator(session), senior.id or 0, "739185", "739185")

    assert sign_in_senior(session, "88007781", "739185", "127.0.0.1")


def test_a_new_pin_signs_out_whoever_knew_the_old_one(session: Session) -> None:
    op = operator(session)
    senior = make_senior(session, card_no="88007779")
    accounts.set_senior_pin(session, op, senior.id or 0, "2580", "2580")
    old = sign_in_senior(session, "88007779", "2580", "127.0.0.1")

    accounts.set_senior_pin(session, op, senior.id or 0, "3691", "3691")

    assert principal_for_token(session, old) is None


def test_the_counter_of_another_canteen_may_not_set_the_pin(session: Session) -> None:
    mine, other = make_canteen(session), make_canteen(session)
    counter = principal_of(session, make_user(session, ("counter", mine.id)))
    senior = make_senior(session, default_canteen_id=other.id)

    with pytest.raises(Forbidden):
        accounts.set_senior_pin(session, counter, senior.id or 0, "2580", "2580")


# ---------------------------------------------------------------- helper links with consent

def _link_form(**kw: str) -> LinkForm:
    fields = dict(helper_phone="13922223333", senior_card="88008888", relation="女儿", consent_by="赵秀英",
                  consent_method="书面", consent_date="2026-11-20")
    return LinkForm(**(fields | kw))


def test_a_link_records_who_agreed_when_and_how(session: Session) -> None:
    op = operator(session)
    helper = make_user(session, "helper", phone="13922223333")
    senior = make_senior(session, card_no="88008888")

    link = helper_links.link_helper(session, op, _link_form(), TODAY)

    assert (link.helper_id, link.senior_id, link.consent_by, link.consent_method) == (
        helper.id, senior.id, "赵秀英", "书面")
    assert link.consent_at.date() == date(2026, 11, 20) and link.recorded_by_id == op.user_id
    assert helper_links.linked_senior_ids(session, helper.id or 0) == {senior.id}
    event = session.exec(select(AuditEvent)).one()
    assert event.action == "helper_link.create" and "赵秀英书面同意" in event.detail


@pytest.mark.parametrize(("change", "field"), [
    ({"consent_by": ""}, "consent_by"), ({"consent_method": "微信"}, "consent_method"),
    ({"consent_date": "2026-11-23"}, "consent_date"), ({"consent_date": "2026-02-30"}, "consent_date"),
    ({"relation": ""}, "relation"), ({"senior_card": "00000000"}, "senior_card"),
    ({"helper_phone": "13900000000"}, "helper_phone"),
])
def test_a_link_without_a_complete_consent_record_is_refused(session: Session, change: dict[str, str],
                                                             field: str) -> None:
    make_user(session, "helper", phone="13922223333")
    make_senior(session, card_no="88008888")

    with pytest.raises(InvalidInput) as e:
        helper_links.link_helper(session, operator(session), _link_form(**change), TODAY)

    assert field in e.value.errors
    assert session.exec(select(HelperLink)).first() is None


def test_only_helper_accounts_can_be_linked(session: Session) -> None:
    make_user(session, "kitchen", phone="13922223333")
    make_senior(session, card_no="88008888")

    with pytest.raises(InvalidInput) as e:
        helper_links.link_helper(session, operator(session), _link_form(), TODAY)

    assert "不是家属" in e.value.errors["helper_phone"]


def test_a_revoked_link_ends_access_and_a_new_consent_restores_it(session: Session) -> None:
    op = operator(session)
    helper = make_user(session, "helper", phone="13922223333")
    make_senior(session, card_no="88008888")
    link = helper_links.link_helper(session, op, _link_form(), TODAY)

    helper_links.revoke_link(session, op, link.id or 0)
    revoked = helper_links.linked_senior_ids(session, helper.id or 0)
    again = helper_links.link_helper(session, op, _link_form(consent_method="电话", consent_date="2026-11-22"), TODAY)

    assert revoked == set()
    assert again.id == link.id and again.revoked_at is None and again.consent_method == "电话"
    assert actions(session) == ["helper_link.create", "helper_link.revoke", "helper_link.create"]
    with pytest.raises(InvalidInput):
        helper_links.link_helper(session, op, _link_form(), TODAY)


def test_revoking_twice_says_it_is_already_revoked(session: Session) -> None:
    op = operator(session)
    make_user(session, "helper", phone="13922223333")
    make_senior(session, card_no="88008888")
    link = helper_links.link_helper(session, op, _link_form(), TODAY)
    helper_links.revoke_link(session, op, link.id or 0)

    with pytest.raises(Conflict):
        helper_links.revoke_link(session, op, link.id or 0)


# ---------------------------------------------------------------- the audit log

def test_the_audit_log_filters_by_user_action_object_and_dates(session: Session) -> None:
    a, b = make_user(session, "operator", name="陈运营"), make_user(session, "operator", name="吴运营")
    at = now()
    session.add_all([
        AuditEvent(user_id=a.id, action="user.invite", object_type="user", object_id="7", at=at),
        AuditEvent(user_id=b.id, action="user.invite", object_type="user", object_id="8", at=at),
        AuditEvent(user_id=a.id, action="helper_link.create", object_type="helper_link", object_id="7", at=at),
        AuditEvent(user_id=a.id, action="user.invite", object_type="user", object_id="9",
                   at=at - timedelta(days=40)),
    ])
    session.commit()
    today = at.date().isoformat()

    page = audit_log.search(session, audit_log.parse_query({"user": "陈运营", "action": "user", "object_type": "user",
                                                            "date_from": today, "date_to": today}))

    assert [(r.user_name, r.action, r.object_id) for r in page.rows] == [("陈运营", "user.invite", "7")]
    assert page.total == 1 and page.next_before is None


def test_an_export_with_personal_data_is_marked(session: Session) -> None:
    user = make_user(session, "operator")

    audit_log.record_export(session, user_id=user.id or 0, what="长者名单", object_type="senior", rows=12,
                            personal=True)

    row = audit_log.search(session, audit_log.AuditQuery()).rows[0]
    assert (row.action, row.personal_export) == ("export.personal", True)
    assert "含个人信息" in row.detail and "12 行" in row.detail


def test_details_are_masked_even_when_a_caller_wrote_a_number_in_full() -> None:
    text = audit_log.mask_personal("查看 310106195001011234 的资料，电话 13812345678，订单 20261122")

    assert text == "查看 310***********1234 的资料，电话 138****5678，订单 20261122"


@pytest.mark.parametrize(("params", "field"), [({"date_from": "2026-02-30"}, "date_from"),
                                               ({"date_from": "2026-11-22", "date_to": "2026-11-01"}, "date_to")])
def test_impossible_dates_in_the_filter_are_explained(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        audit_log.parse_query(params)

    assert field in e.value.errors


@pytest.mark.parametrize("before", ["²", "0", "-3", "9" * 5000, "abc"])
def test_an_odd_page_cursor_falls_back_to_the_newest_page(before: str) -> None:
    assert audit_log.parse_query({"before": before}).before is None


# ---------------------------------------------------------------- operators of some canteens only

def street_operator(session: Session, *canteens: Canteen) -> Principal:
    return principal_of(session, make_user(session, *[("operator", c.id) for c in canteens]))


def test_an_operator_of_some_canteens_cannot_make_a_city_wide_operator(session: Session) -> None:
    mine = make_canteen(session)
    op = street_operator(session, mine)

    with pytest.raises(InvalidInput) as e:
        accounts.invite(session, op, name="同伙", phone="13933330001", form={"role_operator": "1"})

    assert "负责全部食堂" in e.value.errors["roles"]
    assert session.exec(select(User).where(User.phone == "13933330001")).first() is None


def test_an_operator_of_some_canteens_grants_roles_only_there(session: Session) -> None:
    mine, other = make_canteen(session), make_canteen(session)
    op = street_operator(session, mine)

    ok = accounts.invite(session, op, name="李厨师", phone="13933330002",
                         form={"role_kitchen": "1", "canteen_kitchen": str(mine.id)})
    with pytest.raises(InvalidInput) as e:
        accounts.invite(session, op, name="王厨师", phone="13933330003",
                        form={"role_kitchen": "1", "canteen_kitchen": str(other.id)})

    assert ok.user_id
    assert "canteen_kitchen" in e.value.errors


def test_an_operator_of_some_canteens_cannot_touch_other_canteens_staff_or_operators(session: Session) -> None:
    mine, other = make_canteen(session), make_canteen(session)
    op = street_operator(session, mine)
    theirs = make_user(session, ("kitchen", other.id))
    boss = make_user(session, "operator")

    for user in (theirs, boss):
        with pytest.raises(Forbidden):
            accounts.set_active(session, op, user.id or 0, False)
        with pytest.raises(Forbidden):
            accounts.reinvite(session, op, user.id or 0)

    assert [u.active for u in (theirs, boss)] == [True, True]


def test_an_operator_of_some_canteens_links_and_sets_pins_only_for_their_seniors(session: Session) -> None:
    mine, other = make_canteen(session), make_canteen(session)
    op = street_operator(session, mine)
    make_user(session, "helper", phone="13922223333")
    make_senior(session, card_no="88008888", default_canteen_id=other.id)
    far = make_senior(session, card_no="88008889", default_canteen_id=other.id)

    with pytest.raises(Forbidden):
        helper_links.link_helper(session, op, _link_form(), TODAY)
    with pytest.raises(Forbidden):
        accounts.set_senior_pin(session, op, far.id or 0, "2580", "2580")

    assert session.exec(select(HelperLink)).first() is None


def test_the_whole_audit_log_is_for_operators_of_every_canteen() -> None:
    from app.accounts import scope as accounts_scope

    street = Principal(user_id=1, name="街道运营", roles={"operator": frozenset({3})}, senior_id=None,
                       font_size="大", session_id=1, csrf_token="x")
    city = Principal(user_id=2, name="全市运营", roles={"operator": frozenset({None})}, senior_id=None,
                     font_size="大", session_id=2, csrf_token="x")

    with pytest.raises(Forbidden):
        accounts_scope.check_audit_access(street)
    accounts_scope.check_audit_access(city)


def test_a_wildcard_in_the_user_search_matches_only_itself(session: Session) -> None:
    from app.accounts import views as accounts_view

    op = operator(session)
    make_user(session, "helper", name="刘志愿")

    found = accounts_view.users_list(session, op, q="%")

    assert found.rows == [] and found.next_after is None
