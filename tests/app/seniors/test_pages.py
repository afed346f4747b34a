"""An operator imports the register through the pages (mapping, preview, all-or-nothing, valid rows on request)
and keeps a senior's record; ID numbers are masked on every page."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook
from sqlmodel import Session, func, select

from app.core import messages as msg
from app.core.settings import get_settings
from app.models import AuditEvent, HelperLink, Senior
from tests.conftest import csrf
from tests.data import registers as reg
from tests.factories import make_canteen, make_senior, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploaded registers hold personal data: tests keep theirs in their own temporary folder."""
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


def _operator(session: Session, login: Callable[..., object]) -> Any:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    return login("13900001111")


def _upload(client: Any, data: bytes) -> Any:
    return client.post("/admin/seniors/import", data={"csrf_token": csrf(client), "canteen": ""},
                       files={"file": ("名册.xlsx", data, XLSX)})


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Senior)).one()


def test_the_preview_maps_the_columns_masks_id_numbers_and_lists_every_invalid_row(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)

    page = _upload(client, reg.messy_register_with_mistakes())

    soup = BeautifulSoup(page.text, "html.parser")
    invalid = {int(tr["data-invalid-row"]): tr.find_all("td")[2].get_text() for tr in soup.select("[data-invalid-row]")}
    assert page.status_code == 200
    assert soup.select_one("#f-map_phone option[selected]").get_text() == "第 5 列：联系电话"
    assert sorted(invalid) == reg.INVALID_ROW_NUMBERS
    assert "校验位不对" in invalid[8]
    assert reg.WANG not in page.text and reg.ZHANG not in page.text
    assert soup.select("[data-id-number]")[0].get_text() == reg.WANG[:3] + "*" * 11 + reg.WANG[-4:]
    assert soup.select_one("[data-import-all]") is None
    assert _count(session) == 0


def test_importing_all_rows_of_a_file_with_mistakes_saves_nothing(session: Session, client: Any,
                                                                   login: Callable[..., object]) -> None:
    _operator(session, login)
    preview = _upload(client, reg.messy_register_with_mistakes())
    action = BeautifulSoup(preview.text, "html.parser").select_one("form[data-form=import]")["action"]

    refused = client.post(action, data={"csrf_token": csrf(client), "name": "名册.xlsx"})

    assert refused.status_code == 422
    assert "全部没有导入" in refused.text
    assert _count(session) == 0


def test_the_operator_explicitly_imports_the_valid_rows_only(session: Session, client: Any,
                                                             login: Callable[..., object]) -> None:
    _operator(session, login)
    preview = _upload(client, reg.messy_register_with_mistakes())
    action = BeautifulSoup(preview.text, "html.parser").select_one("form[data-form=import]")["action"]

    done = client.post(action, data={"csrf_token": csrf(client), "name": "名册.xlsx", "valid_only": "1"})

    assert done.status_code == 200
    assert BeautifulSoup(done.text, "html.parser").select_one("[data-import-done]").get_text() == \
        "名册.xlsx：新增 3 位，更新 0 位，无变化 0 位，跳过不符合要求的 3 行。"
    assert _count(session) == 3


def test_a_file_that_is_not_a_register_is_refused_next_to_the_file_field(session: Session, client: Any,
                                                                         login: Callable[..., object]) -> None:
    _operator(session, login)

    page = client.post("/admin/seniors/import", data={"csrf_token": csrf(client)},
                       files={"file": ("notes.txt", b"hello", "text/plain")})

    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 422
    assert "只能导入 Excel" in soup.select_one("#f-file-err").get_text()


def test_a_senior_record_with_a_mistake_re_renders_with_the_error_next_to_the_field_and_input_kept(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英")
    form = {"csrf_token": csrf(client), "phone": "12345", "address": "上海市静安区临汾路380弄2号301室",
            "floor": "3", "texture": "普通", "economic_status": "低保", "economic_valid_to": "2026-12-31",
            "preferred_fulfilment": "dine_in", "hukou_city": "上海", "disability_level": ""}

    page = client.post(f"/admin/seniors/{senior.id}", data=form)

    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 422
    assert "手机应为 11 位" in soup.select_one("#f-phone-err").get_text()
    assert soup.select_one("#f-phone")["value"] == "12345"
    assert soup.select_one("#f-economic_status option[selected]")["value"] == "低保"
    assert senior.id_number not in page.text


def test_marking_a_senior_as_moved_is_shown_on_their_record(session: Session, client: Any,
                                                            login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英")

    page = client.post(f"/admin/seniors/{senior.id}/gone",
                       data={"csrf_token": csrf(client), "status": "moved", "note": "搬去女儿家"})

    session.refresh(senior)
    assert senior.status == "moved"
    assert "已将王秀英标记为已迁出" in page.text
    assert BeautifulSoup(page.text, "html.parser").select_one("[data-status]").get_text() == "已迁出"


def test_the_register_list_masks_id_numbers_and_phones(session: Session, client: Any,
                                                       login: Callable[..., object]) -> None:
    _operator(session, login)
    make_canteen(session)
    senior = make_senior(session, name="王秀英", phone="13912345678")

    page = client.get("/admin/seniors?q=王秀英")

    row = BeautifulSoup(page.text, "html.parser").select_one("[data-senior=王秀英]")
    assert senior.id_number not in page.text and "13912345678" not in page.text
    assert "139****5678" in row.get_text()


def test_uploading_and_previewing_a_register_are_in_the_audit_log_and_the_table_stays_in_the_data_directory(
        session: Session, client: Any, login: Callable[..., object], tmp_path: Path) -> None:
    from app.models import AuditEvent

    _operator(session, login)

    _upload(client, reg.messy_register())

    kept = list((tmp_path / "data" / "imports").glob("*/*.json"))
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events if e.action.startswith("senior.import")] == [
        "senior.import_upload", "senior.import_preview"]
    assert [e.detail for e in events if e.action == "senior.import_preview"] == ["预览名册：3 行，不符合要求 0 行"]
    assert len(kept) == 1
    assert oct(kept[0].stat().st_mode & 0o777) == "0o600"
    assert reg.WANG not in " ".join(e.detail for e in events)


def test_the_preview_shows_each_normalisation_and_the_rows_to_confirm_and_importing_without_the_tick_saves_nothing(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    preview = _upload(client, reg.real_register())
    soup = BeautifulSoup(preview.text, "html.parser")
    action = soup.select_one("form[data-form=import]")["action"]

    refused = client.post(action, data={"csrf_token": csrf(client), "name": "名册.xlsx"})

    noted = {int(tr["data-noted-row"]): tr.find_all("td")[2].get_text() for tr in soup.select("[data-noted-row]")}
    warned = {int(tr["data-warned-row"]): tr.find_all("td")[2].get_text() for tr in soup.select("[data-warned-row]")}
    assert noted[4] == ("户籍“沪” → 上海；残疾等级“二级” → 特殊群体：重残；过敏原“海鲜” → 鱼、甲壳类、贝类；"
                        "过敏原“花生米” → 花生；备注“住6楼无电梯” → 6 楼；备注“住6楼无电梯” → 无电梯")
    assert warned == {6: "只有 56 岁，不满 60 岁：请确认是服务对象", 7: "备注写着已故：不导入"}
    assert soup.select_one("#f-confirm_warnings")["required"] == ""
    assert refused.status_code == 422
    assert "请勾选“我已核对”" in refused.text
    assert _count(session) == 0


def test_the_register_list_pages_through_every_senior_by_name_without_a_name_in_the_address_bar(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    for i in range(120):
        make_senior(session, name=f"张{chr(0x4e00 + i)}{chr(0x4e00 + i)}")

    seen: list[str] = []
    url = "/admin/seniors"
    while url:
        page = BeautifulSoup(client.get(url).text, "html.parser")
        seen += [tr["data-senior"] for tr in page.select("tr[data-senior]")]
        link = page.select_one("[data-next-page]")
        url = link["href"] if link else ""
        assert "张" not in unquote(url)

    assert len(seen) == 120
    assert seen == sorted(seen)


def test_the_operator_links_a_helper_from_the_seniors_record_without_typing_a_card_number(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", card_no=None)
    make_user(session, "helper", phone="13800002222", name="李女儿")
    form = {"csrf_token": csrf(client), "helper_phone": "13800002222", "relation": "女儿", "consent_by": "王秀英",
            "consent_method": "当面", "consent_date": "2026-12-01"}

    wrong = client.post(f"/admin/seniors/{senior.id}/helper", data=form | {"helper_phone": "13800009999"})
    page = client.post(f"/admin/seniors/{senior.id}/helper", data=form)

    soup = BeautifulSoup(page.text, "html.parser")
    assert wrong.status_code == 422
    assert BeautifulSoup(wrong.text, "html.parser").select_one("#f-helper_phone")["value"] == "13800009999"
    assert BeautifulSoup(wrong.text, "html.parser").select_one("#f-helper_phone-err") is not None
    assert soup.select_one("[data-helper='李女儿']").get_text() == "李女儿（女儿）138****2222，王秀英当面同意"
    link = session.exec(select(HelperLink)).one()
    assert (link.senior_id, link.relation, link.consent_method) == (senior.id, "女儿", "当面")


def test_the_record_keeps_residence_apart_from_hukou_and_reads_typed_values(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", hukou="上海", residence_district="普陀")
    form = {k: v for k, v in _record_form(senior).items()} | {
        "csrf_token": csrf(client), "residence_district": "静安区", "residence_street": "临汾路街道", "floor": "５",
        "economic_status": "低保", "economic_valid_from": "2026-03-01", "economic_valid_to": "2026-01-31"}

    wrong = client.post(f"/admin/seniors/{senior.id}", data=form)
    right = client.post(f"/admin/seniors/{senior.id}", data=form | {"economic_valid_to": "2027/2/28"})

    session.refresh(senior)
    assert wrong.status_code == 422
    assert "认定有效期止早于有效期起" in BeautifulSoup(wrong.text, "html.parser").select_one(
        "#f-economic_valid_to-err").get_text()
    assert right.status_code == 200
    assert (senior.residence_district, senior.residence_street, senior.hukou_city, senior.floor) == (
        "静安", "临汾路街道", "上海", 5)
    facts = client.get(f"/api/v1/seniors/{senior.id}").json()
    assert (facts["residence_district"], facts["hukou_city"], facts["economic_valid_to"]) == (
        "静安", "上海", "2027-02-28")
    assert facts["id_number_masked"] == senior.id_number[:3] + "*" * 11 + senior.id_number[-4:]


def test_the_api_changes_residence_facts_through_the_records_rules(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = make_senior(session, name="王秀英", hukou="上海", residence_district="普陀")
    body = {"hukou_city": "上海", "hukou_district": "静安", "residence_city": "上海", "residence_district": "静安"}

    refused = client.put(f"/api/v1/seniors/{senior.id}/residence", json=body | {"hukou_city": ""},
                         headers={"X-CSRF-Token": csrf(client)})
    changed = client.put(f"/api/v1/seniors/{senior.id}/residence", json=body,
                         headers={"X-CSRF-Token": csrf(client)})

    session.refresh(senior)
    assert refused.status_code == 422
    assert changed.status_code == 200
    assert (senior.hukou_district, senior.residence_district) == ("静安", "静安")
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.eligibility")).one()
    assert audit.detail == "hukou_district: 普陀 → 静安；residence_district: 普陀 → 静安"


def _record_form(senior: Senior) -> dict[str, str]:
    from app.seniors import service as seniors_admin

    return seniors_admin.form_of(senior)


def _register_without_names() -> bytes:
    """The real register with its 姓名 column left out (a sheet exported with the wrong columns)."""
    wb = Workbook()
    wb.active.append([h for h in reg.REAL_HEADER if h != "姓名"])
    for row in reg.REAL_ROWS:
        wb.active.append([row[0], *row[2:]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_register_without_a_name_column_or_unreadable_is_refused_in_words_and_saves_nothing(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)

    preview = _upload(client, _register_without_names())
    broken = _upload(client, b"PK\x03\x04 this is not a workbook")

    soup = BeautifulSoup(preview.text, "html.parser")
    assert preview.status_code == 422
    assert soup.select_one("#f-map_name-err").get_text().strip() == "⚠ " + msg.IMPORT_COLUMN_REQUIRED.format(
        label="姓名")
    assert broken.status_code == 422
    assert BeautifulSoup(broken.text, "html.parser").select_one("#f-file-err").get_text().strip() == \
        "⚠ " + msg.IMPORT_FILE_UNREADABLE
    assert _count(session) == 0
