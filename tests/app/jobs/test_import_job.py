"""The register import as a file job: the upload the preview keeps is imported by the worker with the posted
choices, progress in rows, and the outcome offered as a small CSV; a refused import comes back in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from app.core.settings import get_settings
from app.jobs import files
from app.models import FileJob, Senior
from app.seniors import uploads
from tests.conftest import csrf
from tests.data import registers as reg
from tests.factories import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def data_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


def _token(client: Any, data: bytes) -> str:
    page = client.post("/admin/seniors/import", data={"csrf_token": csrf(client), "canteen": ""},
                       files={"file": ("名册.xlsx", data, XLSX)})
    action = BeautifulSoup(page.text, "html.parser").select_one("form[data-form=import]")["action"]
    return str(action).rstrip("/").rsplit("/", 1)[1]


def _import_form(client: Any, token: str) -> dict[str, str]:
    """The preview's import form as the browser would send it (hidden mapping fields, CSRF)."""
    page = client.get(f"/admin/seniors/import/{token}")
    form = BeautifulSoup(page.text, "html.parser").select_one("form[data-form=import]")
    return {str(i["name"]): str(i.get("value", "")) for i in form.select("input[type=hidden]")}


@pytest.fixture
def big_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every register counts as large here (the demo's threshold is 300 rows)."""
    monkeypatch.setenv("CANTEEN_IMPORT_JOB_ROWS", "0")
    get_settings.cache_clear()


def test_a_large_import_is_queued_from_the_preview_runs_with_row_progress_and_says_what_it_did(
        session: Session, client: Any, login: Callable[..., object], big_registers: None) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    seen: list[str] = []
    real = files.builder_for("seniors_import")
    assert real is not None
    files.EXTRA["seniors_import"] = lambda s, p, progress: real(s, p, lambda t: (seen.append(t), progress(t))[1])
    try:
        queued = client.post(f"/admin/seniors/import/{token}",
                             data=_import_form(client, token) | {"valid_only": "1", "confirm_warnings": "1"},
                             follow_redirects=False)
        again = client.post(f"/admin/seniors/import/{token}",
                            data=_import_form(client, token) | {"valid_only": "1", "confirm_warnings": "1"},
                            follow_redirects=False)
        waiting = client.get(queued.headers["location"])
        assert session.exec(select(func.count()).select_from(Senior)).one() == 0  # nothing saved before the run
        files.drain_files(session)
    finally:
        files.EXTRA.pop("seniors_import")
    job_id = int(queued.headers["location"].rstrip("/").rsplit("/", 1)[1])
    status = client.get(f"/jobs/files/{job_id}/status").json()
    done = BeautifulSoup(client.get(f"/jobs/files/{job_id}").text, "html.parser")
    download = client.get(f"/jobs/files/{job_id}/download")

    saved = session.exec(select(func.count()).select_from(Senior)).one()
    assert queued.status_code == 303 and again.headers["location"] == queued.headers["location"]
    assert "排队等待导入" in waiting.text and "导入长者名册" in waiting.text
    assert (status["state"], status["error"], status["filename"]) == ("done", "", "名册导入结果.csv")
    assert seen and seen[-1].startswith("已检查 ") and seen[-1].endswith(" 行")
    assert done.select_one("[data-file-summary]").get_text() == (
        f"新增 {saved} 位，更新 0 位，无变化 0 位，跳过有错 {len(reg.INVALID_ROW_NUMBERS)} 行，已故未导入 0 行")
    assert done.select_one("[data-file-next]").get("hidden") is None
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "新增,更新,未变,跳过（有错）,跳过（已故）"
    assert int(lines[1].split(",")[0]) == saved > 0
    assert int(lines[1].split(",")[3]) == len(reg.INVALID_ROW_NUMBERS)
    assert client.get(f"/admin/seniors/import/{token}").status_code == 404  # the register is not kept after


def test_a_large_import_with_mistakes_is_refused_on_the_preview_and_nothing_is_queued(
        session: Session, client: Any, login: Callable[..., object], big_registers: None) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    under_60 = _token(client, reg.real_register())  # one senior is 58: the operator must confirm

    refused = client.post(f"/admin/seniors/import/{token}", data=_import_form(client, token),
                          follow_redirects=False)
    unconfirmed = client.post(f"/admin/seniors/import/{under_60}", data=_import_form(client, under_60),
                              follow_redirects=False)

    assert refused.status_code == 422 and "全部没有导入" in refused.text
    assert unconfirmed.status_code == 422 and "行需要确认（如不满 60 岁）" in unconfirmed.text
    assert session.exec(select(func.count()).select_from(FileJob)).one() == 0
    assert session.exec(select(func.count()).select_from(Senior)).one() == 0


def test_an_import_refused_by_the_worker_reaches_the_page_in_words_and_saves_nothing(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    """The register is checked again when the job runs: here the choices kept say nothing of the invalid rows."""
    user = make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    digest = uploads.keep_choices(token, {"name": "名册.xlsx"})

    job_id = files.enqueue_file(session, "seniors_import", {"token": token, "choices": digest}, user.id or 0)
    files.drain_files(session)
    page = client.get(f"/jobs/files/{job_id}")

    assert "全部没有导入" in page.text and "导入失败，什么都没有保存" in page.text
    assert session.exec(select(func.count()).select_from(Senior)).one() == 0


def test_a_queued_import_is_cancelled_by_its_operator_and_never_runs(
        session: Session, client: Any, login: Callable[..., object], big_registers: None) -> None:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    queued = client.post(f"/admin/seniors/import/{token}",
                         data=_import_form(client, token) | {"valid_only": "1", "confirm_warnings": "1"},
                         follow_redirects=False)
    page = BeautifulSoup(client.get(queued.headers["location"]).text, "html.parser")
    cancel = page.select_one("form[data-file-cancel]")

    cancelled = client.post(str(cancel["action"]), data={"csrf_token": csrf(client)})
    ran = files.drain_files(session)

    assert cancel.get("hidden") is None
    assert "已取消，什么都没有保存" in cancelled.text
    assert ran == 0 and session.exec(select(func.count()).select_from(Senior)).one() == 0


def test_an_import_already_saving_is_not_cancelled_and_says_why(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    user = make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    job_id = files.enqueue_file(session, "seniors_import", {"token": token, "choices": uploads.keep_choices(
        token, {"valid_only": "1", "confirm_warnings": "1"})}, user.id or 0)
    assert files.take(session, job_id) is not None  # a worker has started it

    refused = client.post(f"/jobs/files/{job_id}/cancel", data={"csrf_token": csrf(client)})
    status = client.get(f"/jobs/files/{job_id}/status").json()

    assert refused.status_code == 409 and "现在不能取消" in refused.text
    assert (status["state"], status["cancellable"]) == ("running", False)
