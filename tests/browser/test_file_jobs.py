"""The kitchen's labels for a whole slot come as a file job: 生成 PDF → a page that shows the progress → 下载."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.core.settings import get_settings
from app.jobs import drain_files
from app.models import now
from tests.app.subsidy.test_claim_pack import month  # noqa: F401 - the month with check-ins (a fixture)
from tests.browser.dispatch_world import sign_in
from tests.conftest import screenshot
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import make_lunch, make_order

pytestmark = pytest.mark.browser
TODAY = now().date()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_the_labels_button_shows_the_progress_then_offers_the_download(page: Any, session: Session) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    lunch = make_lunch(session, canteen, TODAY)
    for name in ("王秀英", "李建国", "张桂英"):
        make_order(session, make_senior(session, name=name), lunch, fulfilment="pickup")
    make_user(session, ("kitchen", canteen.id), phone="13900000002")
    sign_in(page, "13900000002")
    page.goto(f"/kitchen?day={TODAY.isoformat()}")
    home_buttons = page.locator(".sheet-links form.pdf-job-form button").count()
    slots = page.locator(".sheet-links").count()
    screenshot(page, "file-job-kitchen-home")
    page.goto(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/labels")
    screenshot(page, "file-job-labels-sheet")

    page.get_by_role("button", name="生成 PDF").click()
    page.wait_for_selector("[data-file-job]")
    waiting = page.locator("[data-file-state]").inner_text()
    screenshot(page, "file-job-queued")
    drain_files(session)  # the worker (the SQLite local runner's code) builds it
    page.wait_for_selector("[data-file-download]", state="visible", timeout=10000)
    link = page.locator("[data-file-download]").inner_text()
    screenshot(page, "file-job-ready")
    with page.expect_download() as info:
        page.locator("[data-file-download]").click()
    body = Path(info.value.path()).read_bytes()

    assert home_buttons == 2 * slots and slots >= 1  # packing and labels of each slot
    assert waiting == "排队等待生成"
    assert page.locator("[data-file-state]").inner_text() == "已生成，可以下载"
    assert link == f"下载 彭浦新村长者食堂-{TODAY.isoformat()}-午餐-餐盒标签.pdf"
    assert info.value.suggested_filename == f"彭浦新村长者食堂-{TODAY.isoformat()}-午餐-餐盒标签.pdf"
    assert body.startswith(b"%PDF")
    assert page.locator("[data-file-error]").is_hidden()


def test_a_failed_file_says_so_in_words_and_the_ready_page_fits_a_phone(phone_page: Any, session: Session) -> None:
    from app.jobs import enqueue_file, files

    user = make_user(session, ("kitchen", make_canteen(session).id), phone="13900000002")

    def broken(_s: Session, _p: dict[str, Any], _progress: Any) -> tuple[str, bytes]:
        raise RuntimeError("disk on fire")

    files.EXTRA["broken"] = broken
    files.EXTRA["long"] = lambda _s, _p, _progress: ("彭浦新村长者食堂-2026-12-03-午餐-餐盒标签.pdf", b"%PDF-1.4")
    try:
        failed = enqueue_file(session, "broken", {}, user.id or 0)
        ready = enqueue_file(session, "long", {}, user.id or 0)
        sign_in(phone_page, "13900000002")
        phone_page.goto(f"/jobs/files/{failed}")
        drain_files(session)
        phone_page.wait_for_selector("[data-file-error]", state="visible", timeout=10000)
        error = phone_page.locator("[data-file-error]").inner_text()
        screenshot(phone_page, "file-job-failed-phone")
        phone_page.goto(f"/jobs/files/{ready}")
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        screenshot(phone_page, "file-job-ready-phone")
    finally:
        files.EXTRA.pop("broken")
        files.EXTRA.pop("long")

    assert error == "生成文件时出错了，请稍后重试；仍不行请联系技术支持。"
    assert phone_page.locator("[data-file-download]").is_visible()
    assert overflow <= 0


def test_a_streets_register_of_400_rows_is_imported_in_the_background_and_the_page_says_what_it_did(
        page: Any, session: Session, tmp_path: Path) -> None:
    from sqlmodel import func, select

    from app.models import Senior
    from tests.browser.agefriendly import check_page
    from tests.browser.test_admin_import import sign_in_as_operator
    from tests.data import registers as reg

    register = tmp_path / "临汾路街道名册.xlsx"
    register.write_bytes(reg.large_register(400))
    sign_in_as_operator(page, session)
    page.goto("/admin/seniors/import")
    page.set_input_files("#f-file", str(register))
    page.click("form[data-form=upload] button[type=submit]")
    page.wait_for_selector("[data-import-all]")
    page.click("[data-import-all]")
    page.wait_for_selector("[data-file-job]")
    queued = page.locator("[data-file-state]").inner_text()
    cancel_shown = page.locator("[data-file-cancel]").is_visible()
    saved_while_queued = session.exec(select(func.count()).select_from(Senior)).one()
    screenshot(page, "file-job-import-queued")
    drain_files(session)  # the worker imports it
    page.wait_for_selector("[data-file-summary]", state="visible", timeout=15000)
    summary = page.locator("[data-file-summary]").inner_text()
    problems = check_page(page)
    screenshot(page, "file-job-import-done")

    assert page.locator("h1").inner_text() == "导入长者名册"
    assert (queued, cancel_shown, saved_while_queued) == ("排队等待导入", True, 0)
    assert summary == "新增 400 位，更新 0 位，无变化 0 位，跳过有错 0 行，已故未导入 0 行"
    assert page.locator("[data-file-state]").inner_text() == "导入完成"
    assert session.exec(select(func.count()).select_from(Senior)).one() == 400
    assert page.locator("[data-file-cancel]").is_hidden()
    assert page.locator("[data-file-next] [data-locate]").is_visible()
    assert problems == []


def test_the_claim_pack_is_generated_from_the_scheme_page_and_downloaded_when_ready(
        page: Any, session: Session, month: dict[str, Any]) -> None:  # noqa: F811
    from tests.app.subsidy.test_claim_pack import MONTH

    make_user(session, ("operator", None), phone="13900007777", name="区运营")
    sign_in(page, "13900007777")
    page.goto("/subsidy/schemes/tianjin-hexi")
    page.fill("#f-month", MONTH)
    page.select_option("#f-funder", "district")
    screenshot(page, "file-job-claim-form")
    page.click("[data-claim-form] button[value=pdf]")
    page.wait_for_selector("[data-file-job]")
    title = page.locator("h1").inner_text()
    drain_files(session)
    page.wait_for_selector("[data-file-download]", state="visible", timeout=15000)
    screenshot(page, "file-job-claim-ready")
    with page.expect_download() as info:
        page.locator("[data-file-download]").click()

    assert title == "生成补贴申领表"
    assert info.value.suggested_filename.startswith("补贴申领_") and info.value.suggested_filename.endswith(
        f"_{MONTH}.pdf")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
