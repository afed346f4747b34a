"""An operator of some canteens settles only those canteens; only a district operator changes a scheme."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session

from app.models import now
from tests.conftest import csrf
from tests.factories import make_canteen, make_priced_order, make_senior, make_user, seed_schemes


def _last_month_day() -> Any:
    return now().date().replace(day=1) - timedelta(days=20)


def _two_canteens(session: Session) -> tuple[Any, Any]:
    seed_schemes(session)
    a = make_canteen(session, name="甲食堂", district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    b = make_canteen(session, name="乙食堂", district="普陀", street="长寿路街道", scheme_key="shanghai-putuo")
    day = _last_month_day()
    make_priced_order(session, make_senior(session, age=85, today=day), a, day, status="served")
    make_priced_order(session, make_senior(session, age=85, today=day), b, day, status="served")
    return a, b


def test_an_operator_of_one_canteen_sees_only_its_orders_in_the_settlement(session: Session, login: Any) -> None:
    a, b = _two_canteens(session)
    make_user(session, ("operator", b.id), phone="13900008811")
    client = login("13900008811")

    page = BeautifulSoup(client.get("/subsidy/settlement", params={"month": f"{_last_month_day():%Y-%m}"}).text,
                         "html.parser")

    assert [td.get_text(strip=True) for td in page.select("tr[data-order] [data-canteen]")] == ["乙食堂"]
    assert [o.get_text(strip=True) for o in page.select("select#f-canteen option[value!='']")] == ["乙食堂（普陀）"]


def test_an_operator_of_one_canteen_may_not_read_or_download_another_canteens_settlement(
    session: Session, login: Any
) -> None:
    a, b = _two_canteens(session)
    make_user(session, ("operator", b.id), phone="13900008811")
    client = login("13900008811")
    month = f"{_last_month_day():%Y-%m}"

    page = client.get("/subsidy/settlement", params={"month": month, "canteen": str(a.id)})
    download = client.get("/subsidy/settlement/download", params={"month": month, "fmt": "csv", "part": "ledger"})

    assert page.status_code == 403
    assert "您只能查看自己负责的食堂的补贴核销。" in page.text
    assert "甲食堂" not in download.content.decode("utf-8-sig")
    assert "乙食堂" in download.content.decode("utf-8-sig")


def test_an_operator_of_one_canteen_may_not_add_a_scheme_version(session: Session, login: Any) -> None:
    _, b = _two_canteens(session)
    make_user(session, ("operator", b.id), phone="13900008811")
    client = login("13900008811")

    form = client.get("/subsidy/schemes/shanghai-putuo/new")
    posted = client.post("/subsidy/schemes/shanghai-putuo/new",
                         data={"body": "{}", "effective_from": "2099-01-01", "csrf_token": csrf(client)})

    assert (form.status_code, posted.status_code) == (403, 403)
    assert "补贴方案由区级运营人员维护" in posted.text


def test_a_canteen_that_is_not_a_plain_number_is_explained_next_to_the_field(
    session: Session, login: Any
) -> None:
    make_user(session, "operator", phone="13900008812")
    client = login("13900008812")

    answers = [client.get("/subsidy/settlement", params={"month": "2026-10", "canteen": bad})
               for bad in ("²", "9" * 5000, "9" * 25)]

    assert [r.status_code for r in answers] == [422, 422, 422]
    assert all("请从列表中选择食堂。" in r.text for r in answers)
