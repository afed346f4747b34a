"""Operators invite staff and helpers, change roles, switch accounts off, link helpers with consent and read the
audit log; invitees set their own password; the counter sets a senior's card PIN."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core.privacy import mask_id_number
from app.models import AuditEvent, HelperLink, Invitation, User, UserRole, now
from tests.conftest import csrf
from tests.factories import make_canteen, make_senior, make_user


def _soup(r: Any) -> BeautifulSoup:
    return BeautifulSoup(r.text, "html.parser")


def _one(soup: Any, selector: str) -> Any:
    found = soup.select_one(selector)
    assert found is not None, selector
    return found


def _as_operator(session: Session, login: Any) -> User:
    op = make_user(session, "operator", phone="13900001001", name="陈运营")
    login("13900001001")
    return op


def test_an_operator_invites_a_kitchen_worker_who_then_sets_their_own_password(session: Session, client: Any,
                                                                                login: Any) -> None:
    _as_operator(session, login)
    canteen = make_canteen(session, name="彭浦长者食堂")

    r = client.post("/admin/users/new", data={"name": "李厨师", "phone": "13911112222", "role_kitchen": "1",
                                              "canteen_kitchen": str(canteen.id), "csrf_token": csrf(client)})
    link = _one(_soup(r), "[data-invite-link]")["value"]
    client.cookies.clear()
    landing, _, token = link.partition("#")
    opened = client.get(landing)  # what the browser sends: never the fragment
    page = client.post("/invite/open", data={"token": token, "csrf_token": csrf(client)})
    done = client.post("/invite", data={"token": token, "password": "green-teapot-7", "password2": "green-teapot-7",
                                        "csrf_token": csrf(client)}, follow_redirects=False)
    kitchen = client.get("/kitchen")

    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert landing == "http://testserver/invite" and len(token) >= 40
    assert opened.status_code == 200 and token not in opened.text
    assert "李厨师" in page.text and "139****2222" in page.text
    assert done.status_code == 303
    assert kitchen.status_code == 200
    user = session.exec(select(User).where(User.phone == "13911112222")).one()
    assert [(x.role, x.canteen_id) for x in session.exec(select(UserRole).where(UserRole.user_id == user.id))] == [
        ("kitchen", canteen.id)]


def test_an_invitation_link_works_only_once(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    r = client.post("/admin/users/new", data={"name": "王阿姨", "phone": "13911113333", "role_helper": "1",
                                              "csrf_token": csrf(client)})
    token = _one(_soup(r), "[data-invite-link]")["value"].partition("#")[2]
    client.post("/invite", data={"token": token, "password": "green-teapot-7", "password2": "green-teapot-7",
                                 "csrf_token": csrf(client)})

    again = client.post("/invite/open", data={"token": token, "csrf_token": csrf(client)})

    assert again.status_code == 404
    assert "链接无效或已经用过了" in again.text


def test_a_bad_invitation_form_shows_each_error_next_to_its_field_and_keeps_the_input(
        session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)

    r = client.post("/admin/users/new", data={"name": "张师傅", "phone": "1391111", "role_driver": "1",
                                              "csrf_token": csrf(client)})

    soup = _soup(r)
    assert r.status_code == 422
    assert "11 位数字" in _one(soup, "#f-phone-err").text
    assert "送餐员需要选择所属食堂" in _one(soup, "#f-canteen_driver-err").text
    assert _one(soup, "#f-name")["value"] == "张师傅"
    assert _one(soup, "input[name=role_driver]").has_attr("checked")
    assert session.exec(select(User).where(User.name == "张师傅")).first() is None


def test_the_user_list_masks_phones(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    make_user(session, "helper", phone="13955556666", name="刘志愿")

    r = client.get("/admin/users")

    assert "139****6666" in r.text
    assert "13955556666" not in r.text


def test_deactivating_an_account_signs_it_out_and_is_audited(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    worker = make_user(session, "kitchen", phone="13955557777", name="周厨师")

    r = client.post(f"/admin/users/{worker.id}/active", data={"active": "0", "csrf_token": csrf(client)})

    session.refresh(worker)
    assert r.status_code == 200 and "账号已停用" in r.text
    assert worker.active is False and worker.session_generation == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivate")).one()
    assert event.object_id == str(worker.id)


def test_an_operator_cannot_switch_off_their_own_account(session: Session, client: Any, login: Any) -> None:
    op = _as_operator(session, login)

    r = client.post(f"/admin/users/{op.id}/active", data={"active": "0", "csrf_token": csrf(client)})

    assert r.status_code == 422
    assert "不能停用自己的账号" in r.text


def test_changing_roles_replaces_them_and_records_before_and_after(session: Session, client: Any,
                                                                   login: Any) -> None:
    _as_operator(session, login)
    a, b = make_canteen(session, name="甲食堂"), make_canteen(session, name="乙食堂")
    worker = make_user(session, ("counter", a.id), phone="13955558888", name="吴窗口")

    r = client.post(f"/admin/users/{worker.id}/roles", data={"role_counter": "1", "canteen_counter": str(b.id),
                                                             "csrf_token": csrf(client)})

    roles = session.exec(select(UserRole).where(UserRole.user_id == worker.id)).all()
    assert r.status_code == 200 and "角色已保存" in r.text
    assert [(x.role, x.canteen_id) for x in roles] == [("counter", b.id)]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.roles")).one()
    assert "甲食堂" in event.detail and "乙食堂" in event.detail


def test_a_helper_is_linked_only_with_a_consent_record(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    helper = make_user(session, "helper", phone="13955559999", name="赵女儿")
    senior = make_senior(session, name="赵秀英", card_no="88001234")

    missing = client.post("/admin/helper-links", data={"helper_phone": "13955559999", "senior_card": "88001234",
                                                       "relation": "女儿", "csrf_token": csrf(client)})
    done = client.post("/admin/helper-links", data={
        "helper_phone": "13955559999", "senior_card": "88001234", "relation": "女儿", "consent_by": "赵秀英",
        "consent_method": "当面", "consent_date": "2026-11-01", "csrf_token": csrf(client)})

    soup = _soup(missing)
    assert missing.status_code == 422
    assert _one(soup, "#f-consent_by-err") is not None
    assert _one(soup, "#f-consent_method-err") is not None
    link = session.exec(select(HelperLink)).one()
    assert (link.helper_id, link.senior_id, link.consent_by, link.consent_method) == (
        helper.id, senior.id, "赵秀英", "当面")
    assert mask_id_number(senior.id_number) in done.text
    assert senior.id_number not in done.text


def test_revoking_a_link_keeps_the_record_and_is_audited(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    helper = make_user(session, "helper", phone="13955550000")
    senior = make_senior(session, card_no="88004321")
    link = HelperLink(helper_id=helper.id or 0, senior_id=senior.id or 0, relation="邻居", consent_by=senior.name,
                      consent_method="电话", consent_at=now())
    session.add(link)
    session.commit()

    r = client.post(f"/admin/helper-links/{link.id}/revoke", data={"csrf_token": csrf(client)})

    session.refresh(link)
    assert r.status_code == 200 and "已解除" in r.text
    assert link.revoked_at is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "helper_link.revoke")).one()


def test_the_audit_log_filters_by_action_and_marks_personal_exports(session: Session, client: Any,
                                                                   login: Any) -> None:
    op = _as_operator(session, login)
    session.add(AuditEvent(user_id=op.id, action="export.personal", object_type="senior", detail="长者名单"))
    session.add(AuditEvent(user_id=op.id, action="user.invite", object_type="user", object_id="7"))
    session.commit()

    r = client.get("/admin/audit", params={"action": "export.personal"})

    rows = _soup(r).select("tr[data-event]")
    assert [row["data-action"] for row in rows] == ["export.personal"]
    assert rows[0].select_one("[data-personal-export]") is not None


def test_an_impossible_date_in_the_audit_filter_is_explained(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)

    r = client.get("/admin/audit", params={"date_from": "2026-02-30"})

    assert r.status_code == 422
    assert "年-月-日" in _one(_soup(r), "#f-date_from-err").text


def test_the_audit_log_never_shows_a_full_id_number(session: Session, client: Any, login: Any) -> None:
    op = _as_operator(session, login)
    senior = make_senior(session)
    session.add(AuditEvent(user_id=op.id, action="senior.view", object_type="senior",
                           detail=f"查看 {senior.id_number}"))
    session.commit()

    r = client.get("/admin/audit")

    assert senior.id_number not in r.text
    assert mask_id_number(senior.id_number) in r.text


def test_the_counter_sets_a_pin_for_a_senior_of_its_own_canteen(session: Session, client: Any,
                                                              login: Any) -> None:
    canteen = make_canteen(session)
    make_user(session, ("counter", canteen.id), phone="13955551111")
    senior = make_senior(session, default_canteen_id=canteen.id, card_no="88005555")
    login("13955551111")

    r = client.post(f"/accounts/seniors/{senior.id}/pin", data={"pin": "2580", "pin2": "2580",
                                                               "csrf_token": csrf(client)})
    client.cookies.clear()
    client.get("/login")
    signed_in = client.post("/login/senior", data={"card_no": "88005555", "pin": "2580",
                                                   "csrf_token": csrf(client)}, follow_redirects=False)

    assert r.status_code == 200 and "卡密码已设置" in r.text
    assert signed_in.status_code == 303


def test_the_counter_cannot_set_the_pin_of_another_canteens_senior(session: Session, client: Any,
                                                                  login: Any) -> None:
    mine, other = make_canteen(session), make_canteen(session)
    make_user(session, ("counter", mine.id), phone="13955552222")
    senior = make_senior(session, default_canteen_id=other.id)
    login("13955552222")

    r = client.post(f"/accounts/seniors/{senior.id}/pin", data={"pin": "2580", "pin2": "2580",
                                                               "csrf_token": csrf(client)})

    assert r.status_code == 403
    assert session.exec(select(User).where(User.senior_id == senior.id)).first() is None


def test_a_reissued_invitation_ends_the_old_password_and_links(session: Session, client: Any, login: Any) -> None:
    _as_operator(session, login)
    worker = make_user(session, "dispatcher", phone="13955553333")

    r = client.post(f"/admin/users/{worker.id}/invitation", data={"csrf_token": csrf(client)})

    session.refresh(worker)
    assert r.status_code == 200 and _one(_soup(r), "[data-invite-link]") is not None
    assert worker.password_hash == "" and worker.session_generation == 2
    assert len(session.exec(select(Invitation).where(Invitation.user_id == worker.id)).all()) == 1


def test_an_operator_of_one_canteen_sees_only_its_staff_and_not_the_whole_audit_log(
        session: Session, client: Any, login: Any) -> None:
    mine, other = make_canteen(session, name="甲食堂"), make_canteen(session, name="乙食堂")
    make_user(session, ("operator", mine.id), phone="13900001002", name="街道运营")
    make_user(session, ("kitchen", mine.id), phone="13955550101", name="甲厨师")
    theirs = make_user(session, ("kitchen", other.id), phone="13955550102", name="乙厨师")
    login("13900001002")

    listed = client.get("/admin/users")
    other_user = client.get(f"/admin/users/{theirs.id}")
    log = client.get("/admin/audit")

    names = [a.text for a in _soup(listed).select("tr[data-user] a")]
    assert names == ["甲厨师"]
    assert other_user.status_code == 403 and log.status_code == 403
