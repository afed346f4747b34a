"""An operator imports the messy civil-affairs register in the browser: the preview shows every invalid row and
nothing is saved until they explicitly import the valid rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from app.core.settings import get_settings
from app.models import Senior
from tests.browser.agefriendly import check_page
from tests.conftest import screenshot
from tests.data import registers as reg
from tests.factories import PASSWORD, make_canteen, make_user

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploaded registers hold personal data: tests keep theirs in their own temporary folder."""
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


def sign_in_as_operator(page: Any, session: Session) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    page.goto("/login?mode=staff")
    page.fill("#f-phone", "13900001111")
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Senior)).one()


def test_an_operator_imports_the_messy_register_and_only_the_valid_rows_on_request(
        page: Any, session: Session, tmp_path: Path) -> None:
    make_canteen(session, name="彭浦新村长者食堂")
    register = tmp_path / "彭浦镇名册.xlsx"
    register.write_bytes(reg.messy_register_with_mistakes())
    sign_in_as_operator(page, session)

    page.goto("/admin/seniors/import")
    upload_problems = check_page(page)
    page.set_input_files("#f-file", str(register))
    page.click("form[data-form=upload] button[type=submit]")
    page.wait_for_selector("[data-invalid-row]")
    invalid_rows = page.locator("[data-invalid-row]").count()
    saved_after_preview = _count(session)
    preview_problems = check_page(page)
    screenshot(page, "admin-import-preview")
    page.check("#f-valid_only")
    page.click("[data-import-valid]")
    done = page.locator("[data-import-done]").inner_text()
    done_problems = check_page(page)
    screenshot(page, "admin-import-done")

    assert (invalid_rows, saved_after_preview, _count(session)) == (3, 0, 3)
    assert "新增 3 位" in done and "跳过不符合要求的 3 行" in done
    assert upload_problems == []
    assert preview_problems == []
    assert done_problems == []


def test_a_real_register_is_imported_then_a_senior_gets_a_map_point_and_a_card_and_signs_in_with_it(
        page: Any, session: Session, tmp_path: Path) -> None:
    make_canteen(session, name="临汾路长者食堂")
    register = tmp_path / "临汾路名册.xlsx"
    register.write_bytes(reg.real_register())
    sign_in_as_operator(page, session)

    page.goto("/admin/seniors/import")
    page.set_input_files("#f-file", str(register))
    page.click("form[data-form=upload] button[type=submit]")
    page.wait_for_selector("[data-noted-row]")
    preview_problems = check_page(page)
    screenshot(page, "admin-import-real-preview")
    page.check("#f-confirm_warnings")
    page.click("[data-import-all]")
    done = page.locator("[data-import-done]").inner_text()
    wang = session.exec(select(Senior).where(Senior.name == "王秀英")).one()
    page.goto(f"/admin/seniors/{wang.id}")
    page.fill("#f-point", "https://uri.amap.com/marker?position=121.451,31.300")
    page.click("form[data-form=point] button[type=submit]")
    page.wait_for_selector("[data-point]")
    record_problems = check_page(page)
    screenshot(page, "admin-senior-point-and-card")
    page.click("[data-issue-card]")
    card_no = page.locator("[data-card-no]").inner_text()
    pin = page.locator("[data-pin]").inner_text()
    screenshot(page, "admin-senior-card-sheet")
    page.emulate_media(media="print")
    screenshot(page, "admin-senior-card-sheet-print")
    page.emulate_media(media="screen")
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#f-card_no", card_no)
    page.fill("#f-pin", pin)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    screenshot(page, "imported-senior-signed-in")

    assert "新增 5 位" in done and "备注已故未导入 1 行" in done
    assert card_no == "880000013"
    assert preview_problems == []
    assert record_problems == []
