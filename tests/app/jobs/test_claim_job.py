"""The settlement claim pack as a file job: a district operator's pack is built by the worker with the same
figures as the direct download; an operator of some canteens only is refused in words."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from app.core import messages as msg
from app.core.settings import get_settings
from app.jobs import files
from app.subsidy.claim_pack import build_claim_pack, claim_pack_xlsx
from tests.app.subsidy.test_claim_pack import MONTH, month  # noqa: F401 - the month with check-ins (a fixture)
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
