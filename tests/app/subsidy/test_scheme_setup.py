"""A district sets up its own scheme: create it from a blank form, check, preview, save; every error next to its
field; warnings confirmed; a pending version withdrawn; a backdated version only with a reason."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select

from app.models import AuditEvent, Canteen, SubsidySchemeVersion, now
from app.pricing import builtin_scheme_data
from app.subsidy import schemes, service
from tests.conftest import csrf
from tests.factories import id_of, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

OPERATOR_PHONE = "13900008802"


@pytest.fixture
def operator(session: Session, login: Any) -> Any:
    seed_schemes(session)
    make_user(session, "operator", phone=OPERATOR_PHONE, name="陈运营")
    return login(OPERATOR_PHONE)


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def one(page: BeautifulSoup | Tag, selector: str) -> Tag:
    found = page.select_one(selector)
    assert found is not None, selector
    return found


def next_month_first() -> str:
    today = now().date()
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()


def hexi_form(**changes: str) -> dict[str, str]:
    """天津河西: 60–79 get 3 元 a meal, 80+ 5 元, 特困 free; the city pays 3 元 and the district the rest."""
    form = {
        "key": "tianjin-hexi", "area_city": "天津", "area_district": "河西", "name": "天津市河西区老年助餐补贴",
        "effective_from": next_month_first(), "note": "依据河西区2027年1号通知",
        "funder1_kind": "city", "funder1_name": "天津市财政", "funder1_share": "fixed", "funder1_amount": "1",
        "funder2_kind": "district", "funder2_name": "河西区财政", "funder2_share": "rest",
        "tier1_name": "60至79周岁", "tier1_min_age": "60", "tier1_max_age": "79", "tier1_hukou": "天津",
        "tier1_kind": "fixed", "tier1_amount": "3",
        "tier2_name": "80周岁及以上", "tier2_min_age": "80", "tier2_hukou": "天津", "tier2_kind": "fixed",
        "tier2_amount": "5",
        "tier3_name": "特困老人", "tier3_min_age": "60", "tier3_economic": "特困", "tier3_kind": "free",
        "channel_dine_in": "1", "slot_lunch": "1", "slot_dinner": "1", "meals_per_day": "1",
        "voucher_allowance": "300",
    }
    return form | changes


def test_a_new_scheme_is_checked_previewed_and_only_then_saved(operator: Any, session: Session) -> None:
    make_senior(session, age=70, hukou="天津", residence_city="天津", residence_district="河西", today=now().date())
    make_senior(session, age=85, hukou="天津", residence_city="天津", residence_district="河西", today=now().date())
    form = hexi_form(csrf_token=csrf(operator))

    checked = operator.post("/subsidy/new-scheme", data=form | {"action": "preview"})
    digest = one(soup(checked), "input[name=previewed]")["value"]
    saved = operator.post("/subsidy/new-scheme", data=form | {"action": "save", "previewed": str(digest)},
                          follow_redirects=False)

    page = soup(checked)
    tiers = {row["data-tier"]: row.select("td")[1].get_text() for row in page.select("[data-preview-tiers] tr[data-tier]")}
    assert tiers == {"60至79周岁": "1", "80周岁及以上": "1", "特困老人": "0", "不享受补贴": "0"}
    assert page.select_one("[data-warnings]") is None
    assert saved.status_code == 303 and saved.headers["location"].endswith("/subsidy/schemes/tianjin-hexi?added=1")
    row = session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key == "tianjin-hexi")).one()
    assert (row.name, row.version, row.effective_from.isoformat()) == ("天津市河西区老年助餐补贴", 1, next_month_first())
    assert '"voucher": {\n    "monthly_allowance_fen": 30000' in row.body


def test_saving_without_the_preview_shows_the_preview_first(operator: Any, session: Session) -> None:
    r = operator.post("/subsidy/new-scheme", data=hexi_form(csrf_token=csrf(operator), action="save"))

    page = soup(r)
    assert r.status_code == 422
    assert one(page, "[data-error-summary]").get_text(" ", strip=True).endswith("请先查看下面的预览，确认无误后再点“保存”。")
    assert page.select_one("[data-preview]") is not None
    assert session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key == "tianjin-hexi")).all() == []


def test_a_bad_version_is_refused_with_every_error_next_to_its_field(operator: Any, session: Session) -> None:
    bad = hexi_form(key="Tianjin Hexi", name="", funder2_share="fixed", funder2_amount="3元5",
                    tier1_max_age="50", tier2_amount="", tier3_name="", channel_dine_in="", effective_from="明年",
                    csrf_token=csrf(operator), action="preview")

    r = operator.post("/subsidy/new-scheme", data=bad)

    page = soup(r)
    errors = {p["id"].removeprefix("f-").removesuffix("-err"): p.get_text(strip=True) for p in page.select(".error-text")}
    assert r.status_code == 422
    assert set(errors) == {"key", "name", "funder2_amount", "tier1_max_age", "tier2_amount", "tier3_name",
                           "channel_dine_in", "effective_from"}
    assert errors["tier1_max_age"] == "⚠最高年龄 50 小于最低年龄 60。"
    assert errors["key"] == "⚠方案标识只能用小写英文字母、数字和 -（不能有空格或汉字），如 tianjin-hexi。"
    assert errors["funder2_amount"] == "⚠金额请写元，最多两位小数，如 3 或 2.50。"
    assert errors["effective_from"] == "⚠生效日期格式不对，应为 年-月-日，如 2027-01-01。"
    assert len(page.select("[data-error-summary] li")) == 8
    assert one(page, "input#f-tier1_max_age")["aria-invalid"] == "true"
    assert one(page, "input#f-tier1_max_age")["value"] == "50"
    assert session.exec(select(SubsidySchemeVersion).where(SubsidySchemeVersion.scheme_key != "shanghai-putuo")).all() == []


def test_doubtful_input_warns_and_needs_a_confirmation(operator: Any, session: Session) -> None:
    make_senior(session, age=70, hukou="天津", residence_city="天津", residence_district="河西", today=now().date())
    form = hexi_form(tier1_hukou="天津市", tier2_min_age="130", tier2_max_age="", tier3_min_age="",
                     tier3_economic="", tier3_kind="fixed", tier3_amount="0", csrf_token=csrf(operator))

    checked = operator.post("/subsidy/new-scheme", data=form | {"action": "preview"})
    digest = str(one(soup(checked), "input[name=previewed]")["value"])
    refused = operator.post("/subsidy/new-scheme", data=form | {"action": "save", "previewed": digest})
    saved = operator.post("/subsidy/new-scheme", data=form | {"action": "save", "previewed": digest,
                                                              "confirm_warnings": "1"}, follow_redirects=False)

    warnings = [li.get_text() for li in soup(checked).select("[data-warnings] li")]
    assert warnings == [
        "第2档“80周岁及以上”的年龄 130 不在 50–120 岁之间，请核对是否录错。",
        "第3档“特困老人”没有任何条件：所有老人都会符合。",
        "第3档“特困老人”的补贴或每餐上限为 0 元：这一档实际不补贴。",
        "第1档的户籍“天津市”在老人档案里没有出现过（档案里有：天津）。",
    ]
    assert refused.status_code == 422 and "#f-confirm_warnings" in refused.text
    assert saved.status_code == 303


def test_overlapping_age_bands_are_pointed_out(session: Session) -> None:
    seed_schemes(session)
    data = hexi_form(tier1_max_age="80")

    checked = schemes.check_version(session, data, scheme_key=None, today=now().date())

    assert checked.warnings == ["第1档与第2档的条件在 80–80 岁重叠：同时符合的老人只享受补贴较多的一档。"]


def test_the_preview_prices_last_month_again_per_funder(session: Session) -> None:
    seed_schemes(session)
    today = now().date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    canteen = make_canteen(session, district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    person = make_senior(session, age=70, hukou="上海", residence_district="普陀", today=last_month)
    # Now: 10 % off (18 元) and 2 元 subsidy, pays 16 元. The new version has no discount: 20 − 3 = 17 元.
    make_priced_order(session, person, canteen, last_month, price_fen=2000, status="served")
    form = hexi_form(key="shanghai-putuo-2", area_city="上海", area_district="普陀", tier1_hukou="上海",
                     tier2_hukou="上海", funder1_name="上海市财政", funder2_name="普陀区财政")
    canteen.scheme_key = "shanghai-putuo-2"
    session.add(canteen)
    session.commit()

    found = schemes.preview(session, schemes.check_version(session, form, scheme_key=None, today=today).scheme, today)

    assert (found.orders, found.pay_more, found.pay_less) == (1, 1, 0)
    assert (found.subsidy_before_fen, found.subsidy_after_fen, found.change_fen) == (200, 300, 100)
    assert [(f.name, f.before_fen, f.after_fen) for f in found.funders] == [
        ("上海市财政", 0, 100), ("普陀区财政", 200, 200)]


def test_a_backdated_version_needs_a_written_reason_and_is_audited(operator: Any, session: Session) -> None:
    today = now().date()
    form = hexi_form(effective_from=today.isoformat(), note="", csrf_token=csrf(operator), action="preview")

    refused = operator.post("/subsidy/new-scheme", data=form)
    checked = operator.post("/subsidy/new-scheme", data=form | {"note": "区里通知晚到，补登本月起的补贴"})
    digest = str(one(soup(checked), "input[name=previewed]")["value"])
    operator.post("/subsidy/new-scheme", data=form | {"note": "区里通知晚到，补登本月起的补贴", "action": "save",
                                                      "previewed": digest})

    assert "须在“修改说明”里写明原因" in one(soup(refused), "#f-effective_from-err").get_text()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "scheme.version_backdated")).one()
    assert event.detail.endswith("区里通知晚到，补登本月起的补贴")


def test_a_pending_version_is_withdrawn_and_no_longer_prices(operator: Any, session: Session) -> None:
    tomorrow = now().date() + timedelta(days=1)
    session.add(SubsidySchemeVersion(scheme_key="shanghai-putuo", name="普陀 第2版", version=2,
                                     effective_from=tomorrow, body=_putuo_body(2, tomorrow)))
    session.commit()

    refused = operator.post("/subsidy/schemes/shanghai-putuo/versions/2/withdraw",
                            data={"reason": "", "csrf_token": csrf(operator)})
    done = operator.post("/subsidy/schemes/shanghai-putuo/versions/2/withdraw",
                         data={"reason": "通知撤销", "csrf_token": csrf(operator)}, follow_redirects=False)
    too_late = operator.post("/subsidy/schemes/shanghai-putuo/versions/1/withdraw",
                             data={"reason": "试试", "csrf_token": csrf(operator)})

    assert refused.status_code == 422 and "请写明撤回原因。" in refused.text
    assert done.status_code == 303
    assert too_late.status_code == 409


    assert [s.version for s in service.scheme_versions(session, "shanghai-putuo")] == [1]
    page = soup(operator.get("/subsidy/schemes/shanghai-putuo?withdrawn=2"))
    assert "第 2 版已撤回" in page.get_text()
    assert one(page, "tr[data-version='2']").get_text(" ", strip=True).count("已撤回") == 1


def _putuo_body(version: int, day: date) -> str:
    return json.dumps(builtin_scheme_data("shanghai-putuo") | {"version": version, "effective_from": day.isoformat()},
                      ensure_ascii=False)


def test_a_district_scheme_prices_an_order_at_an_attached_canteen(session: Session) -> None:
    seed_schemes(session)
    user = make_user(session, "operator")
    day = date.fromisoformat(next_month_first())
    checked = schemes.check_version(session, hexi_form(), scheme_key=None, today=now().date())
    schemes.save_checked(session, hexi_form(previewed=checked.digest), scheme_key=None, user_id=id_of(user),
                         today=now().date())
    canteen = make_canteen(session, district="河西", street="友谊路街道", scheme_key="tianjin-hexi")
    person = make_senior(session, age=85, hukou="天津", residence_city="天津", residence_district="河西", today=day)

    order = make_priced_order(session, person, canteen, day, price_fen=1500)

    assert (order.subsidy_fen, order.payable_fen, order.category_name) == (500, 1000, "80周岁及以上")
    assert order.scheme_key == "tianjin-hexi"


def canteen_form(**changes: str) -> dict[str, str]:
    form = {"name": "河西区友谊路长者食堂", "kind": "canteen", "supplier_id": "", "district": "河西",
            "street": "友谊路街道", "address": "天津市河西区友谊路1号", "phone": "022-23300000", "lat": "39.10",
            "lng": "117.21", "daily_capacity": "300", "delivery_radius_m": "1500", "open_days": "12345",
            "active": "1", "scheme_key": "tianjin-hexi"}
    return form | changes


def _save_hexi(session: Session) -> None:
    checked = schemes.check_version(session, hexi_form(), scheme_key=None, today=now().date())
    schemes.save_checked(session, hexi_form(previewed=checked.digest), scheme_key=None,
                         user_id=id_of(make_user(session, "operator")), today=now().date())


def test_the_canteen_form_attaches_a_canteen_to_a_scheme(operator: Any, session: Session) -> None:
    _save_hexi(session)

    offered = soup(operator.get("/admin/canteens/edit"))
    saved = operator.post("/admin/canteens/edit", data=canteen_form(csrf_token=csrf(operator)),
                          follow_redirects=False)

    options = [o["value"] for o in offered.select("select#f-scheme_key option")]
    assert options == ["", "shanghai-putuo", "tianjin-hexi"]
    assert one(offered, "select#f-scheme_key option[selected]")["value"] == ""
    assert saved.status_code == 303
    page = soup(operator.get("/subsidy/schemes/tianjin-hexi"))
    assert [li.get_text(strip=True) for li in page.select("[data-attached] li")] == ["河西区友谊路长者食堂（河西）"]


def test_a_canteen_outside_its_schemes_area_is_refused(operator: Any, session: Session) -> None:
    _save_hexi(session)

    r = operator.post("/admin/canteens/edit", data=canteen_form(district="南开", csrf_token=csrf(operator)))

    assert r.status_code == 422
    assert one(soup(r), "#f-scheme_key-err").get_text(strip=True).startswith(
        "⚠食堂不在方案“天津市河西区老年助餐补贴”的适用地区（天津河西）内")
    assert session.exec(select(Canteen).where(Canteen.name == "河西区友谊路长者食堂")).first() is None


def test_a_new_version_starts_from_the_latest_in_the_same_form(operator: Any, session: Session) -> None:
    _save_hexi(session)
    later = (date.fromisoformat(next_month_first()) + timedelta(days=40)).replace(day=1).isoformat()

    shown = soup(operator.get("/subsidy/schemes/tianjin-hexi/form"))
    form = {i["name"]: i.get("value", "") for i in shown.select("form[data-scheme-form] input")
            if i.get("type") not in ("checkbox", "hidden") or i.has_attr("checked")}
    form |= {s["name"]: (s.select_one("option[selected]") or s.select_one("option"))["value"]
             for s in shown.select("form[data-scheme-form] select")}
    form |= {"tier2_amount": "6", "effective_from": later, "note": "80岁以上提高到6元", "csrf_token": csrf(operator)}
    checked = operator.post("/subsidy/schemes/tianjin-hexi/form", data=form | {"action": "preview"})
    digest = str(one(soup(checked), "input[name=previewed]")["value"])
    saved = operator.post("/subsidy/schemes/tianjin-hexi/form", data=form | {"action": "save", "previewed": digest},
                          follow_redirects=False)

    assert one(shown, "#f-tier2_amount")["value"] == "5"
    assert one(shown, "#f-voucher_allowance")["value"] == "300"
    assert shown.select_one("#f-key") is None  # the key and the area are the scheme's, fixed
    assert saved.status_code == 303 and saved.headers["location"].endswith("added=2")


    versions = {s.version: s for s in service.scheme_versions(session, "tianjin-hexi")}
    assert versions[2].subsidy is not None and versions[2].subsidy.categories[1].benefit.amount_fen == 600
    assert versions[2].area == versions[1].area and versions[2].voucher == versions[1].voucher


def test_a_scheme_is_copied_into_a_new_one(operator: Any, session: Session) -> None:
    _save_hexi(session)

    page = soup(operator.get("/subsidy/new-scheme?copy=tianjin-hexi"))

    assert one(page, "#f-key")["value"] == ""
    assert (one(page, "#f-area_city")["value"], one(page, "#f-area_district")["value"]) == ("天津", "河西")
    assert one(page, "#f-tier1_name")["value"] == "60至79周岁"
    assert one(page, "#f-funder2_name")["value"] == "河西区财政"


def test_the_json_editor_warns_too_and_saves_once_confirmed(operator: Any, session: Session) -> None:
    data = builtin_scheme_data("shanghai-putuo")
    data["subsidy"]["categories"][2]["when"]["min_age"] = 130
    posted = {"body": json.dumps(data, ensure_ascii=False), "effective_from": next_month_first(), "note": "",
              "csrf_token": csrf(operator)}

    warned = operator.post("/subsidy/schemes/shanghai-putuo/new", data=posted)
    saved = operator.post("/subsidy/schemes/shanghai-putuo/new", data=posted | {"confirm_warnings": "1"},
                          follow_redirects=False)

    assert warned.status_code == 422
    assert [li.get_text() for li in soup(warned).select("[data-warnings] li")] == [
        "第3档“80周岁及以上本市户籍老人”的年龄 130 不在 50–120 岁之间，请核对是否录错。"]
    assert saved.status_code == 303
    assert len(service.scheme_versions(session, "shanghai-putuo")) == 2


def test_the_canteen_list_flags_a_canteen_outside_its_schemes_area(operator: Any, session: Session) -> None:
    make_canteen(session, name="长寿路长者食堂", district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    make_canteen(session, name="彭浦新村长者食堂", district="静安", street="彭浦镇", scheme_key="shanghai-putuo")
    make_canteen(session, name="河西区长者食堂", district="河西", street="友谊路街道", scheme_key="")

    page = soup(operator.get("/admin/canteens"))

    status = {s["data-canteen"]: one(s, "[data-scheme-status]").get_text(strip=True)
              for s in page.select("section[data-canteen]")}
    assert status == {
        "长寿路长者食堂": "补贴方案：上海市普陀区长者食堂折扣与堂食补贴",
        "彭浦新村长者食堂": "补贴方案：⚠ 不在方案“上海市普陀区长者食堂折扣与堂食补贴”的适用地区内，每餐按原价计费",
        "河西区长者食堂": "补贴方案：⚠ 未参加补贴方案，每餐按原价计费",
    }
