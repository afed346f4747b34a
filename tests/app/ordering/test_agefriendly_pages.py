"""Issue 17 as HTML: why there is no subsidy in plain words, the three text-size steps, the help bar's number in
words, and a form sent after the session ended returning to the page it was on once signed in again."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.core import messages as msg
from app.core.principal import next_font_size
from app.core.settings import get_settings
from app.models import User, UserSession
from app.ordering.views import no_subsidy_words
from tests.app.ordering.test_pages import clock, world  # noqa: F401  (fixtures)
from tests.conftest import csrf
from tests.factories import PIN


@pytest.mark.parametrize(("subsidy_fen", "scheme_key", "explanation", "said"), [
    (300, "shanghai-putuo", "高龄补贴3元", ""),
    (0, "", "没有适用的补贴方案，按原价计费", msg.NO_SUBSIDY_NOT_REGISTERED),
    (0, "shanghai-putuo", "本食堂不在普陀区助餐补贴范围内，按原价计费", msg.NO_SUBSIDY_NOT_REGISTERED),
    (0, "shanghai-putuo", "80周岁及以上，八五折；今日补贴次数已用完",
     "您的补贴次数或额度这段时间已经用完了（今日补贴次数已用完），这一餐没有补贴。"),
    (0, "shanghai-putuo", "补贴仅限到店堂食", "补贴仅限到店堂食，这一餐没有补贴。"),
    (0, "shanghai-putuo", "高龄补贴：消费满10.00元可享补贴", "高龄补贴：消费满10.00元可享补贴，这一餐没有补贴。"),
    (0, "shanghai-putuo", "按原价计费", msg.NO_SUBSIDY_NOT_ELIGIBLE),
])
def test_no_subsidy_is_explained_from_the_price_snapshot_in_plain_words(
        subsidy_fen: int, scheme_key: str, explanation: str, said: str) -> None:
    assert no_subsidy_words(subsidy_fen, scheme_key, explanation) == said


def test_the_text_size_button_steps_through_three_sizes_and_back() -> None:
    assert [next_font_size(s) for s in ("标准", "大", "特大", "")] == ["大", "特大", "标准", "大"]


def test_a_senior_choosing_large_text_keeps_it_on_the_account_and_the_page_says_which_step(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:  # noqa: F811
    login(card_no="88000001", pin=PIN)

    r = client.post("/prefs/font", data={"csrf_token": csrf(client), "size": "大", "back": "/order"},
                    follow_redirects=False)
    page = BeautifulSoup(client.get("/order").text, "html.parser")

    assert r.status_code == 303 and r.headers["location"] == "/order"
    assert session.exec(select(User).where(User.senior_id == world["senior"].id)).one().font_size == "大"
    assert page.html["class"] == ["fs-large", "care"]
    button = page.select_one("header button[name=size]")
    assert (button.get_text(strip=True), button["value"]) == ("字号：大", "特大")


@pytest.mark.parametrize(("number", "words", "href"), [
    ("021-12345678", "零二一 一二三四 五六七八", "tel:02112345678"),
    ("400-820-8820", "四零零 八二零 八八二零", "tel:4008208820"),
    ("13912345678", "一三九 一二三四 五六七八", "tel:13912345678"),
])
def test_the_help_bar_gives_the_configured_number_in_digits_and_words(
        client: Any, login: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        number: str, words: str, href: str) -> None:
    monkeypatch.setattr(get_settings(), "help_phone", number)  # CANTEEN_HELP_PHONE
    login(card_no="88000001", pin=PIN)

    bar = BeautifulSoup(client.get("/order").text, "html.parser").select_one("[data-help-bar]")

    assert bar.select_one("[data-help-digits]").get_text(strip=True) == number
    assert bar.select_one("[data-help-words]").get_text(strip=True) == words
    assert bar.select_one("a")["href"] == href


def test_an_order_sent_after_the_session_ended_signs_in_again_back_to_the_confirmation(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:  # noqa: F811
    login(card_no="88000001", pin=PIN)
    token = csrf(client)
    for row in session.exec(select(UserSession)).all():
        session.delete(row)
    session.commit()
    confirm = f"/order/confirm?menu={world['menu'].id}&item=1&fulfilment=dine_in"

    r = client.post("/order/place", data={"csrf_token": token, "menu": world["menu"].id, "item": 1},
                    headers={"referer": f"http://testserver{confirm}"}, follow_redirects=False)

    assert r.status_code == 303
    assert r.headers["location"] == (
        "/login?next=/order/confirm%3Fmenu%3D" + str(world["menu"].id) + "%26item%3D1%26fulfilment%3Ddine_in&expired=1")
    login_page = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
    assert "您选好的菜还在" in login_page.select_one("[data-expired]").get_text()
    assert login_page.select_one("input[name=next]")["value"] == confirm


def test_a_form_sent_after_the_session_ended_never_returns_to_another_site(
        client: Any, login: Any, session: Session, world: dict[str, Any]) -> None:  # noqa: F811
    login(card_no="88000001", pin=PIN)
    token = csrf(client)
    for row in session.exec(select(UserSession)).all():
        session.delete(row)
    session.commit()

    r = client.post("/order/place", data={"csrf_token": token, "menu": world["menu"].id, "item": 1},
                    headers={"referer": "http://evil.example/order/confirm?menu=1"}, follow_redirects=False)

    assert r.headers["location"] == "/login?next=/&expired=1"
