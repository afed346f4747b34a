"""File jobs on the SQLite default (the local runner's code): the kitchen's big labels PDF is queued by its 生成 PDF
button, built with progress, downloaded by its requester only; a second click starts nothing new; a failing
builder reaches the page in words; old files are cleaned up."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.errors import AppError
from app.core.settings import get_settings
from app.jobs import files
from app.models import AuditEvent, Canteen, FileJob, User, now
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import make_lunch, make_order

TODAY = now().date()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def _cook(session: Session, login: Any, canteen: Canteen) -> Any:
    user = make_user(session, ("kitchen", canteen.id), phone=f"1390000{canteen.id:04d}")
    return login(user.phone)


def _lunch(session: Session, canteen: Canteen) -> None:
    lunch = make_lunch(session, canteen, TODAY)
    make_order(session, make_senior(session, name="王秀英"), lunch, fulfilment="pickup")
    make_order(session, make_senior(session, name="李建国"), lunch, fulfilment="pickup")


def _click(client: Any, canteen: Canteen, sheet: str = "labels") -> Any:
    page = client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/{sheet}")
    form = BeautifulSoup(page.text, "html.parser").select_one("form.pdf-job-form")
    assert form is not None
    token = form.select_one("input[name=csrf_token]")
    data = {"csrf_token": token["value"]} if token is not None else {}
    return client.post(str(form["action"]), data=data, follow_redirects=False)


def _job_id(response: Any) -> int:
    assert response.status_code == 303, response.text[-300:]
    return int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])


def test_the_labels_button_queues_a_job_whose_file_its_requester_downloads(
        session: Session, login: Any, tmp_path: Path) -> None:
    canteen = make_canteen(session)
    _lunch(session, canteen)
    client = _cook(session, login, canteen)

    job_id = _job_id(_click(client, canteen))
    queued = client.get(f"/jobs/files/{job_id}/status").json()
    waiting_page = client.get(f"/jobs/files/{job_id}")
    seen: list[str] = []
    real = files.builder_for("kitchen_sheet")
    assert real is not None
    files.EXTRA["kitchen_sheet"] = lambda s, p, progress: real(s, p, lambda t: (seen.append(t), progress(t))[1])
    try:
        ran = files.drain_files(session)
    finally:
        files.EXTRA.pop("kitchen_sheet")
    done = client.get(f"/jobs/files/{job_id}/status").json()
    download = client.get(f"/jobs/files/{job_id}/download")

    assert (queued["state"], queued["active"]) == ("queued", True)
    assert "排队等待生成" in waiting_page.text and "data-file-job" in waiting_page.text
    assert ran == 1 and seen == ["正在排版 2 张标签"]
    assert (done["state"], done["error"]) == ("done", "")
    assert done["filename"] == f"{canteen.name}-{TODAY.isoformat()}-午餐-餐盒标签.pdf"
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(download.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "王*英" in text and "李*国" in text and "自取" in text
    job = session.get(FileJob, job_id)
    assert job is not None and job.stored_name is not None
    assert job.stored_name not in download.headers.get("content-disposition", "")
    exports = session.exec(select(AuditEvent).where(col(AuditEvent.object_type) != "")).all()
    assert any("labels" in e.detail or "标签" in e.detail for e in exports)


def test_another_canteens_kitchen_may_not_see_or_download_the_file(session: Session, login: Any) -> None:
    mine, theirs = make_canteen(session, name="东食堂"), make_canteen(session, name="西食堂")
    _lunch(session, mine)
    job_id = _job_id(_click(_cook(session, login, mine), mine))
    files.drain_files(session)

    other = _cook(session, login, theirs)
    assert other.get(f"/jobs/files/{job_id}/download").status_code == 403
    assert other.get(f"/jobs/files/{job_id}/status").status_code == 403
    assert other.get(f"/jobs/files/{job_id}").status_code == 403
    assert other.post(f"/kitchen/{mine.id}/{TODAY.isoformat()}/lunch/labels/pdf-job",
                      data={"csrf_token": other.cookies.get("csrf_token", "")}).status_code == 403


def test_a_second_click_while_the_file_is_on_its_way_starts_nothing_new(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    _lunch(session, canteen)
    client = _cook(session, login, canteen)

    first, second = _job_id(_click(client, canteen)), _job_id(_click(client, canteen))
    packing = _job_id(_click(client, canteen, "packing"))
    ran = files.drain_files(session)
    third = _job_id(_click(client, canteen))

    assert first == second and packing != first
    assert ran == 2
    assert third not in (first, packing)  # once the file is done, a new click builds a fresh one


def test_the_builder_rechecks_the_canteen_and_refuses_another_canteens_sheet_in_words(
        session: Session, login: Any) -> None:
    canteen, other = make_canteen(session, name="东食堂"), make_canteen(session, name="西食堂")
    _lunch(session, canteen)
    user = make_user(session, ("kitchen", canteen.id), phone="13900001234")
    job_id = files.enqueue_file(session, "kitchen_sheet", {"canteen_id": other.id, "day": TODAY.isoformat(),
                                                            "slot": "lunch", "sheet": "labels"}, user.id or 0)
    files.drain_files(session)

    status = files.file_status(session, job_id, user.id or 0)
    assert (status.state, status.error) == ("failed", msg.KITCHEN_OTHER_CANTEEN)


def test_a_failing_builder_reaches_the_page_in_words(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    client = _cook(session, login, canteen)

    def broken(_s: Session, _p: dict[str, Any], progress: files.Progress) -> tuple[str, bytes]:
        progress("正在读取")
        raise RuntimeError("disk on fire")

    files.EXTRA["broken"] = broken
    try:
        assert client.get("/jobs/files/0/status").status_code == 404
        uid = session.exec(select(User.id).where(User.phone == f"1390000{canteen.id:04d}")).one()
        job_id = files.enqueue_file(session, "broken", {"n": 1}, uid or 0)
        files.drain_files(session)
    finally:
        files.EXTRA.pop("broken")
    status = client.get(f"/jobs/files/{job_id}/status").json()
    page = client.get(f"/jobs/files/{job_id}")

    assert (status["state"], status["error"]) == ("failed", "生成文件时出错了，请稍后重试；仍不行请联系技术支持。")
    assert "disk on fire" not in page.text
    assert "生成文件时出错了" in page.text and "生成失败" in page.text
    assert client.get(f"/jobs/files/{job_id}/download").status_code == 400


def test_a_kind_not_wired_yet_or_unknown_is_refused_at_queueing(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(session, ("operator", None), phone="13900005678")
    monkeypatch.setitem(files.BUILDERS, "later", None)
    with pytest.raises(AppError, match="还没有接入"):
        files.enqueue_file(session, "later", {}, user.id or 0)
    with pytest.raises(AppError, match="系统不认识这种文件"):
        files.enqueue_file(session, "nonsense", {}, user.id or 0)
    assert session.exec(select(FileJob)).all() == []


def test_finished_files_older_than_a_day_are_removed_and_the_page_says_so(
        session: Session, login: Any, data_dir: Path) -> None:
    canteen = make_canteen(session)
    _lunch(session, canteen)
    client = _cook(session, login, canteen)
    job_id = _job_id(_click(client, canteen))
    files.drain_files(session)
    job = session.get(FileJob, job_id)
    assert job is not None
    stored = data_dir / "files" / (job.stored_name or "")
    assert stored.is_file()

    assert files.clean_up(session) == 0
    job.finished_at = now() - timedelta(hours=25)
    session.add(job)
    session.commit()
    removed = files.clean_up(session)

    assert removed == 1 and not stored.exists()
    gone = client.get(f"/jobs/files/{job_id}/download")
    assert gone.status_code == 404 and "已过期清理" in gone.text


def test_the_local_runner_builds_queued_files_and_one_left_running_by_a_killed_runner(
        session: Session, engine: Any) -> None:
    from app.jobs import local

    canteen = make_canteen(session)
    _lunch(session, canteen)
    user = make_user(session, ("kitchen", canteen.id), phone="13900004321")
    params = {"canteen_id": canteen.id, "day": TODAY.isoformat(), "slot": "lunch"}
    queued = files.enqueue_file(session, "kitchen_sheet", {**params, "sheet": "labels"}, user.id or 0)
    orphan = files.enqueue_file(session, "kitchen_sheet", {**params, "sheet": "packing"}, user.id or 0)
    assert files.take(session, orphan) is not None  # a runner took it, then was killed

    local.run_local(once=True, check_every=3600)

    session.expire_all()
    done = [session.get(FileJob, i) for i in (queued, orphan)]
    assert [(j.state, j.attempts) for j in done if j is not None] == [("done", 1), ("done", 2)]
