"""Imported seniors get 助餐卡: numbers with a check digit issued in bulk, an initial PIN shown once that signs
the senior in, and a lost card reissued under a new number while the old one stops working."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core import messages as msg
from app.models import AuditEvent, LoginAttempt, Senior
from app.seniors import cards
from tests.conftest import csrf
from tests.factories import make_senior, make_user, principal_of


def _operator(session: Session, login: Callable[..., object]) -> Any:
    make_user(session, "operator", phone="13900001111", name="陈运营")
    return login("13900001111")


def _imported(session: Session, name: str) -> Senior:
    """A senior as the register import leaves them: no card."""
    senior = make_senior(session, name=name)
    senior.card_no = None
    session.add(senior)
    session.commit()
    return senior


def test_a_card_number_carries_a_check_digit_that_catches_a_mistyped_or_swapped_digit() -> None:
    number = cards.card_number(12)

    assert number == "880000120"
    assert cards.card_number_ok(number)
    assert not cards.card_number_ok("880000128")  # one digit wrong
    assert not cards.card_number_ok("880000210")  # two neighbours swapped


def test_issuing_cards_in_bulk_gives_each_senior_without_one_a_number_and_a_pin_shown_once(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    wang, zhang = _imported(session, "王秀英"), _imported(session, "张建国")
    make_senior(session, name="李桂英")  # has a card already

    page = client.post("/admin/seniors/cards", data={"csrf_token": csrf(client)})

    soup = BeautifulSoup(page.text, "html.parser")
    issued = {s.select_one(".senior-card-name").get_text(): (s.select_one("[data-card-no]").get_text(),
                                                              s.select_one("[data-pin]").get_text())
              for s in soup.select("[data-card]")}
    session.refresh(wang)
    session.refresh(zhang)
    assert page.headers["cache-control"] == "no-store"
    assert sorted(issued) == ["张建国", "王秀英"]
    assert issued["王秀英"][0] == wang.card_no == "880000013"
    assert issued["张建国"][0] == zhang.card_no == "880000021"
    assert all(len(pin) == 6 and pin.isdigit() for _, pin in issued.values())

    client.cookies.clear()
    client.get("/login")
    signed_in = client.post("/login/senior", data={"card_no": wang.card_no, "pin": issued["王秀英"][1],
                                                   "csrf_token": csrf(client)}, follow_redirects=False)
    assert signed_in.status_code == 303


def test_a_lost_card_is_reissued_under_a_new_number_and_the_old_one_no_longer_signs_in(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = _imported(session, "王秀英")
    first = client.post(f"/admin/seniors/{senior.id}/card", data={"csrf_token": csrf(client)})
    old_no = BeautifulSoup(first.text, "html.parser").select_one("[data-card-no]").get_text()
    old_pin = BeautifulSoup(first.text, "html.parser").select_one("[data-pin]").get_text()

    again = client.post(f"/admin/seniors/{senior.id}/card", data={"csrf_token": csrf(client)})

    soup = BeautifulSoup(again.text, "html.parser")
    new_no, new_pin = soup.select_one("[data-card-no]").get_text(), soup.select_one("[data-pin]").get_text()
    events = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "senior.card_reissue"))]
    assert (old_no, new_no) == ("880000013", "880000021")
    assert "旧卡即刻作废" in soup.select_one("[data-cards-issued]").get_text()
    assert events == ["挂失补卡：旧卡 880000013 作废，新卡 880000021"]
    client.cookies.clear()
    client.get("/login")
    old = client.post("/login/senior", data={"card_no": old_no, "pin": old_pin, "csrf_token": csrf(client)},
                      follow_redirects=False)
    new = client.post("/login/senior", data={"card_no": new_no, "pin": new_pin, "csrf_token": csrf(client)},
                      follow_redirects=False)
    assert old.status_code == 422
    assert new.status_code == 303
    assert session.exec(select(Senior.card_no).where(Senior.id == senior.id)).one() == "880000021"


def test_a_mistyped_card_number_is_told_at_sign_in_before_any_pin_try_is_counted(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    senior = _imported(session, "王秀英")
    operator = make_user(session, "operator", phone="13900001111", name="陈运营")
    card = cards.issue_cards(session, principal_of(session, operator), [senior.id or 0])[0]
    typo = card.card_no[:-1] + str((int(card.card_no[-1]) + 1) % 10)  # the last digit mistyped

    refused = client.post("/login/senior", data={"card_no": typo, "pin": card.pin, "csrf_token": csrf(client)},
                          follow_redirects=False)

    soup = BeautifulSoup(refused.text, "html.parser")
    assert refused.status_code == 422
    assert soup.select_one("#f-card_no-err").get_text().strip() == "⚠ " + msg.CARD_MISTYPED
    assert session.exec(select(LoginAttempt)).all() == []
    login(card_no=card.card_no, pin=card.pin)
    assert session.exec(select(LoginAttempt)).one().success is True


def test_the_issued_sheet_downloads_as_an_a4_pdf_with_qr_codes_and_pin_letters(
        session: Session, client: Any, login: Callable[..., object], tmp_path: Path) -> None:
    _operator(session, login)
    wang, zhang = _imported(session, "王秀英"), _imported(session, "张建国")
    sheet = BeautifulSoup(client.post("/admin/seniors/cards", data={"csrf_token": csrf(client)}).text, "html.parser")
    form = sheet.select_one("form[data-form=cards-pdf]")
    data: dict[str, list[str]] = {}
    for i in form.select("input"):
        data.setdefault(i["name"], []).append(i["value"])

    pdf = client.post(form["action"], data=data)

    (tmp_path / "cards.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "cards.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    pins = [p.get_text() for p in sheet.select("[data-pin]")]
    assert len(sheet.select("[data-qr] svg path")) == 2
    assert (pdf.status_code, pdf.headers["content-type"], pdf.headers["cache-control"]) == (
        200, "application/pdf", "no-store")
    assert pdf.content.startswith(b"%PDF")
    for name, card, pin in zip(("王秀英", "张建国"), ("880000013", "880000021"), pins, strict=True):
        assert name in text and card in text and f"初始密码 {pin}" in text
    assert data["senior"] == [str(wang.id), str(zhang.id)]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "senior.cards_pdf")).one().detail == \
        "打印助餐卡 PDF：2 张"


def test_a_city_card_number_is_recorded_as_the_seniors_card_and_signs_them_in(
        session: Session, client: Any, login: Callable[..., object]) -> None:
    _operator(session, login)
    senior = _imported(session, "王秀英")
    taken = make_senior(session, name="张建国", card_no="SH310106001")

    bad = client.post(f"/admin/seniors/{senior.id}/card/existing",
                      data={"csrf_token": csrf(client), "existing_card": "12-34"})
    twice = client.post(f"/admin/seniors/{senior.id}/card/existing",
                        data={"csrf_token": csrf(client), "existing_card": taken.card_no})
    page = client.post(f"/admin/seniors/{senior.id}/card/existing",
                       data={"csrf_token": csrf(client), "existing_card": "3101 0600 0123"})

    sheet = BeautifulSoup(page.text, "html.parser")
    session.refresh(senior)
    assert (bad.status_code, twice.status_code) == (422, 422)
    assert msg.CARD_EXISTING_INVALID in BeautifulSoup(bad.text, "html.parser").select_one("#f-existing_card-err").text
    assert msg.CARD_EXISTING_TAKEN in BeautifulSoup(twice.text, "html.parser").select_one("#f-existing_card-err").text
    assert senior.card_no == "310106000123" == sheet.select_one("[data-card-no]").get_text()
    client.cookies.clear()
    client.get("/login")
    login(card_no="310106000123", pin=sheet.select_one("[data-pin]").get_text())
