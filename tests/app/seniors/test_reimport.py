"""Next month's register imported over this month's: the preview shows exactly the seniors that change, a field
the operator corrected by hand is kept while the register still says its old value, blank validity dates do not
clear the record's, and every change is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core.settings import get_settings
from app.models import AuditEvent, Senior
from app.seniors import service as seniors_admin
from app.seniors.identity import make_id_number
from tests.conftest import csrf
from tests.data import registers as reg
from tests.factories import make_canteen, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZHOU = make_id_number("310106", date(1940, 2, 2), 21, male=True)
WU = make_id_number("310106", date(1942, 8, 8), 23, male=False)
EXTRA = [(4, "周国强", ZHOU, None, "13700004444", "上海市静安区临汾路 380 弄 2 号 401 室", "上海", "", None, None, "否"),
         (5, "吴玉兰", WU, None, "13700005555", "上海市静安区共康路 118 弄 5 号 602 室", "上海", "", None, None, "是")]
THIS_MONTH = [*reg.VALID_ROWS, *EXTRA]


def _next_month(wang_phone: str = "１３９１２３４５６７８") -> list[tuple[Any, ...]]:
    wang, zhang, li, zhou, wu = (list(r) for r in THIS_MONTH)
    wang[4] = wang_phone
    wang[8] = wang[9] = None  # the office left the validity dates out this month
    zhang[4] = "13812340000"  # 1: new phone
    li[5] = "上海市静安区闻喜路 255 弄 9 号 201 室"  # 2: moved upstairs
    zhou[7], zhou[9] = "低收入", "2027-06-30"  # 3: newly 低收入
    return [tuple(r) for r in (wang, zhang, li, zhou, wu)]


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


def _preview(client: Any, rows: list[tuple[Any, ...]], canteen: int | None = None) -> BeautifulSoup:
    page = client.post("/admin/seniors/import", data={"csrf_token": csrf(client), "canteen": canteen or ""},
                       files={"file": ("名册.xlsx", reg.messy_register(rows), XLSX)})
    assert page.status_code == 200
    return BeautifulSoup(page.text, "html.parser")


def _import(client: Any, soup: BeautifulSoup) -> BeautifulSoup:
    form = soup.select_one("form[data-form=import]")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"csrf_token": csrf(client)}
    done = client.post(form["action"], data=data)
    assert done.status_code == 200, done.text
    return BeautifulSoup(done.text, "html.parser")


def _correct_phone_by_hand(session: Session, phone: str) -> Senior:
    wang = session.exec(select(Senior).where(Senior.id_number == reg.WANG)).one()
    seniors_admin.update_senior(session, wang.id or 0, seniors_admin.form_of(wang) | {"phone": phone}, user_id=None)
    session.refresh(wang)
    return wang


def test_next_months_register_shows_exactly_the_three_changes_and_keeps_the_hand_correction(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    _import(client, _preview(client, THIS_MONTH))
    _correct_phone_by_hand(session, "13955556666")

    soup = _preview(client, _next_month())
    rows = {(tr["data-diff-row"], tr["data-field"]): tr.select_one("[data-outcome]").text
            for tr in soup.select("[data-diff-row]")}
    done = _import(client, soup)

    assert (soup.select_one("[data-diff-new]").text, soup.select_one("[data-diff-changed]").text,
            soup.select_one("[data-diff-kept]").text) == ("0", "3", "1")
    assert rows == {("张建国", "phone"): "改为名册的值", ("李桂英", "address"): "改为名册的值",
                    ("李桂英", "room"): "改为名册的值", ("李桂英", "floor"): "改为名册的值",
                    ("周国强", "economic_status"): "改为名册的值", ("周国强", "economic_valid_to"): "改为名册的值",
                    ("王秀英", "phone"): "保留手工修改"}
    assert "更新 3 位" in done.select_one("[data-import-done]").text
    by_id = {s.id_number: s for s in session.exec(select(Senior)).all()}
    wang = by_id[reg.WANG]
    assert (wang.phone, wang.economic_valid_from, wang.economic_valid_to) == (
        "13955556666", date(2026, 1, 1), date(2026, 12, 31))
    assert (by_id[reg.ZHANG].phone, by_id[reg.LI].floor, by_id[ZHOU].economic_status) == ("13812340000", 2, "低收入")
    audited = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "senior.import_update")
                                              .order_by(AuditEvent.id))]
    assert audited == ["联系电话", "居住地址；室号；楼层",
                       "经济状况:  → 低收入；认定有效期止:  → 2027-06-30"]


def test_a_hand_correction_gives_way_once_the_register_itself_changes(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    _import(client, _preview(client, THIS_MONTH))
    _correct_phone_by_hand(session, "13955556666")

    soup = _preview(client, _next_month(wang_phone="13977778888"))
    _import(client, soup)

    outcome = soup.select_one("[data-diff-row='王秀英'][data-field=phone] [data-outcome]").text
    wang = session.exec(select(Senior).where(Senior.id_number == reg.WANG)).one()
    assert outcome == "名册已更新，改用名册的值"
    assert (wang.phone, wang.hand_fields) == ("13977778888", "{}")


def test_the_same_id_on_another_canteens_register_must_be_confirmed_as_one_senior(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    first, second = make_canteen(session, name="临汾路长者食堂"), make_canteen(session, name="彭浦新村长者食堂")
    _import(client, _preview(client, THIS_MONTH, canteen=first.id))

    soup = _preview(client, [EXTRA[0]], canteen=second.id)
    form = soup.select_one("form[data-form=import]")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"csrf_token": csrf(client)}
    unconfirmed = client.post(form["action"], data=data)
    confirmed = client.post(form["action"], data=data | {"confirm_warnings": "1"})

    assert [li.text for li in soup.select("[data-elsewhere-row]")] == [
        "第 5 行 周国强：身份证号与已登记在另一个食堂的周国强相同：可能在另一份名册里，请确认是同一位长者"]
    assert unconfirmed.status_code == 422
    assert "有 1 行需要确认" in unconfirmed.text
    assert confirmed.status_code == 200


def _real_preview(client: Any) -> BeautifulSoup:
    page = client.post("/admin/seniors/import", data={"csrf_token": csrf(client), "canteen": ""},
                       files={"file": ("名册.xlsx", reg.real_register(), XLSX)})
    return BeautifulSoup(page.text, "html.parser")


def _run_with(client: Any, soup: BeautifulSoup, changes: dict[str, str]) -> Any:
    form = soup.select_one("form[data-form=import]")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    fixes = {e["name"]: e.get("value", "") for e in soup.select("[data-fix]") if e.name == "input"}
    fixes |= {e["name"]: e.select_one("option[selected]")["value"] for e in soup.select("select[data-fix]")}
    return client.post(form["action"], data=data | fixes | changes | {"csrf_token": csrf(client),
                                                                      "confirm_warnings": "1"})


def test_a_wrong_parse_is_corrected_in_the_preview_saved_and_kept_as_a_hand_correction(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    soup = _real_preview(client)
    zhang = soup.select_one("[data-fix-row='4']")
    shown = {e["data-fix"]: e.get("value", "") if e.name == "input" else e.select_one("option[selected]")["value"]
             for e in zhang.select("[data-fix]")}

    refused = _run_with(client, soup, {"fix_4_floor": "七"})
    done = _run_with(client, soup, {"fix_4_allergies": "花生米", "fix_4_floor": "5"})

    assert shown == {"hukou_city": "上海", "economic_status": "", "allergies": "花生,鱼,甲壳类,贝类",
                     "texture": "", "floor": "6", "has_lift": "无", "status": "active"}
    assert refused.status_code == 422
    assert "预览里改的楼层“七”不对：楼层应为 -3 到 60 的整数。" in refused.text
    assert done.status_code == 200
    saved = session.exec(select(Senior).where(Senior.id_number == reg.ZHANG)).one()
    assert (saved.allergies, saved.floor) == ("花生", 5)
    assert json.loads(saved.hand_fields) == {"allergies": "花生,鱼,甲壳类,贝类", "floor": "6"}
