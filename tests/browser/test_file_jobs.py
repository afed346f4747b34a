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
