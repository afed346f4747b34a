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
from app.models import Senior
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


def test_a_large_import_runs_as_a_job_with_row_progress_and_offers_its_outcome(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    user = make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())
    seen: list[str] = []
    real = files.builder_for("seniors_import")
    assert real is not None
    files.EXTRA["seniors_import"] = lambda s, p, progress: real(s, p, lambda t: (seen.append(t), progress(t))[1])
    try:
        job_id = files.enqueue_file(session, "seniors_import", {"token": token, "form": {"valid_only": "1",
                                                                "confirm_warnings": "1", "name": "名册.xlsx"}},
                                    user.id or 0)
        files.drain_files(session)
    finally:
        files.EXTRA.pop("seniors_import")
    status = client.get(f"/jobs/files/{job_id}/status").json()
    download = client.get(f"/jobs/files/{job_id}/download")

    saved = session.exec(select(func.count()).select_from(Senior)).one()
    assert (status["state"], status["error"], status["filename"]) == ("done", "", "名册导入结果.csv")
    assert seen and seen[-1].startswith("已检查 ") and seen[-1].endswith(" 行")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "新增,更新,未变,跳过（有错）,跳过（已故）"
    assert int(lines[1].split(",")[0]) == saved > 0
    assert int(lines[1].split(",")[3]) == len(reg.INVALID_ROW_NUMBERS)


def test_an_import_refused_for_its_mistakes_reaches_the_page_in_words_and_saves_nothing(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    user = make_user(session, "operator", phone="13900001111", name="陈运营")
    login("13900001111")
    token = _token(client, reg.messy_register_with_mistakes())

    job_id = files.enqueue_file(session, "seniors_import", {"token": token, "form": {"name": "名册.xlsx"}},
                                user.id or 0)
    files.drain_files(session)
    page = client.get(f"/jobs/files/{job_id}")

    assert "全部没有导入" in page.text and "生成失败" in page.text
    assert session.exec(select(func.count()).select_from(Senior)).one() == 0
