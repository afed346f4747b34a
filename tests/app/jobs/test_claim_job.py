"""The settlement claim pack as a file job: a district operator's pack is built by the worker with the same
figures as the direct download; an operator of some canteens only is refused in words."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from app.core import messages as msg
from app.core.settings import get_settings
from app.jobs import files
from app.models import FileJob
from app.subsidy.claim_pack import build_claim_pack, claim_pack_xlsx
from tests.app.subsidy.test_claim_pack import MONTH, month  # noqa: F401 - the month with check-ins (a fixture)
from tests.conftest import csrf
from tests.factories import make_canteen, make_user


@pytest.fixture(autouse=True)
def data_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()


PARAMS = {"scheme_key": "tianjin-hexi", "funder": "district", "month": MONTH}


def test_a_district_operators_claim_pack_is_built_as_a_job_with_the_same_figures(
        session: Session, month: dict[str, Any]) -> None:  # noqa: F811
    operator = make_user(session, ("operator", None), phone="13900007777")
    job_id = files.enqueue_file(session, "subsidy_claim_pack", {**PARAMS, "fmt": "xlsx"}, operator.id or 0)
    files.drain_files(session)

    name, media, body = files.file_body(session, job_id, operator.id or 0)
    direct = claim_pack_xlsx(build_claim_pack(session, "tianjin-hexi", MONTH, "district"))
    sheets = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in load_workbook(io.BytesIO(body))]
    expected = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in load_workbook(io.BytesIO(direct))]
    assert name.startswith("补贴申领_") and name.endswith(f"_{MONTH}.xlsx")
    assert media == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sheets == expected


def test_an_operator_of_some_canteens_only_is_refused_the_claim_pack_in_words(
        session: Session, month: dict[str, Any]) -> None:  # noqa: F811
    canteen = make_canteen(session, name="别的食堂")
    operator = make_user(session, ("operator", canteen.id), phone="13900008888")
    job_id = files.enqueue_file(session, "subsidy_claim_pack", PARAMS, operator.id or 0)
    files.drain_files(session)

    status = files.file_status(session, job_id, operator.id or 0)
    assert (status.state, status.error) == ("failed", msg.SCHEME_DISTRICT_ONLY)


def test_the_scheme_pages_claim_form_queues_the_pack_and_its_page_offers_the_same_file(
        session: Session, month: dict[str, Any], client: Any, login: Any) -> None:  # noqa: F811
    make_user(session, ("operator", None), phone="13900007777")
    login("13900007777")
    form = BeautifulSoup(client.get("/subsidy/schemes/tianjin-hexi").text, "html.parser").select_one(
        "form[data-claim-form]")
    sent = {"csrf_token": csrf(client), "month": MONTH, "funder": "district", "fmt": "pdf"}

    queued = client.post(str(form["action"]), data=sent, follow_redirects=False)
    again = client.post(str(form["action"]), data=sent, follow_redirects=False)
    waiting = client.get(queued.headers["location"])
    files.drain_files(session)
    job_id = int(queued.headers["location"].rsplit("/", 1)[1])
    download = client.get(f"/jobs/files/{job_id}/download")

    assert form["method"] == "post"
    assert queued.status_code == 303 and again.headers["location"] == queued.headers["location"]
    assert "生成补贴申领表" in waiting.text and "排队等待生成" in waiting.text
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert "attachment" in download.headers["content-disposition"]


def test_a_wrong_month_or_funder_is_said_on_the_claim_form_and_nothing_is_queued(
        session: Session, month: dict[str, Any], client: Any, login: Any) -> None:  # noqa: F811
    make_user(session, ("operator", None), phone="13900007777")
    login("13900007777")

    bad_month = client.post("/subsidy/schemes/tianjin-hexi/claim", data={
        "csrf_token": csrf(client), "month": "2026年13月", "funder": "district"}, follow_redirects=False)
    bad_funder = client.post("/subsidy/schemes/tianjin-hexi/claim", data={
        "csrf_token": csrf(client), "month": MONTH, "funder": "nobody"}, follow_redirects=False)

    month_field = BeautifulSoup(bad_month.text, "html.parser").select_one("[data-claim-form] #f-month-err")
    funder_field = BeautifulSoup(bad_funder.text, "html.parser").select_one("[data-claim-form] #f-funder-err")
    assert bad_month.status_code == 422 and month_field is not None
    assert msg.SETTLEMENT_MONTH_INVALID in month_field.get_text()
    assert BeautifulSoup(bad_month.text, "html.parser").select_one("#f-month")["value"] == "2026年13月"
    assert bad_funder.status_code == 422 and funder_field is not None
    assert msg.CLAIM_FUNDER_NOT_FOUND in funder_field.get_text()
    assert session.exec(select(func.count()).select_from(FileJob)).one() == 0


def test_a_claim_pack_being_built_can_be_cancelled_and_its_file_is_never_offered(
        session: Session, month: dict[str, Any], client: Any, login: Any) -> None:  # noqa: F811
    operator = make_user(session, ("operator", None), phone="13900007777")
    login("13900007777")
    job_id = files.enqueue_file(session, "subsidy_claim_pack", {**PARAMS, "fmt": "pdf"}, operator.id or 0)
    owner = files.take(session, job_id)
    assert owner is not None  # a worker is building it

    cancelled = client.post(f"/jobs/files/{job_id}/cancel", data={"csrf_token": csrf(client)})
    files._store(session, job_id, owner, "late.pdf", b"%PDF-late", "")  # the run finishes after the cancel
    status = client.get(f"/jobs/files/{job_id}/status").json()

    assert cancelled.status_code == 200 and "已取消" in cancelled.text
    assert (status["state"], status["filename"], status["cancellable"]) == ("cancelled", "", False)
    assert client.get(f"/jobs/files/{job_id}/download").status_code == 400
