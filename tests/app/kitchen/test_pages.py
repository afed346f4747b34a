"""Kitchen staff open /kitchen, see today's slots with live counts, and print the four sheets or take a PDF."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session

from app.models import Canteen, now
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import Lunch, make_lunch, make_order, publish_plan

TODAY = now().date()


def _one(node: Tag, selector: str) -> Tag:
    found = node.select_one(selector)
    assert found is not None, selector
    return found


def _soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text[-400:]
    return BeautifulSoup(response.text, "html.parser")


def _cook(session: Session, login: Any, canteen: Canteen) -> Any:
    user = make_user(session, ("kitchen", canteen.id), phone=f"1390000{canteen.id:04d}")
    return login(user.phone)


def _lunch_with_orders(session: Session, canteen: Canteen, day: date = TODAY) -> Lunch:
    lunch = make_lunch(session, canteen, day)
    make_order(session, make_senior(session, name="王秀英"), lunch)
    make_order(
        session,
        make_senior(session, name="李建国", allergies="鸡蛋"),
        lunch,
        fulfilment="pickup",
        lines=[(lunch.set_item, "软食", "标准", 1), (lunch.dish_item, "普通", "标准", 1)],
    )
    make_order(session, make_senior(session, name="张桂英"), lunch, status="cancelled")
    return lunch


def test_the_kitchen_front_page_shows_todays_slots_with_live_counts(session: Session, login: Any) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)

    page = _soup(client.get("/kitchen"))

    lunch = _one(page, f'[data-canteen="{canteen.id}"] [data-slot="lunch"]')
    assert lunch is not None
    assert _one(lunch, '[data-count="orders"]').get_text(strip=True) == "2"
    assert _one(lunch, '[data-count="meals"]').get_text(strip=True) == "3"
    assert _one(lunch, '[data-count="special"]').get_text(strip=True) == "1 人"
    links = [urlsplit(str(a["href"])).path for a in lunch.select(".sheet-links a")]
    assert f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/prep" in links
    assert f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/prep.pdf" in links
    # the big sheets (one label per meal) are built as file jobs (issue 16): a 生成 button, not a link
    jobs = [urlsplit(str(f["action"])).path for f in lunch.select(".sheet-links form.pdf-job-form")]
    assert jobs == [f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/{s}/pdf-job" for s in ("packing", "labels")]


def test_the_production_sheet_lists_each_dish_texture_and_portion_with_a_sample_row(
    session: Session, login: Any
) -> None:
    canteen = make_canteen(session)
    lunch = _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)

    page = _soup(client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/prep"))

    pork = lunch.set_dishes[0].name
    rows = {
        (str(tr["data-dish"]), str(tr["data-texture"])): _one(tr, "[data-qty]").get_text(strip=True)
        for tr in page.select("tr[data-dish]")
    }
    assert rows[(pork, "普通")] == "1"
    assert rows[(pork, "软食")] == "1"
    assert rows[(lunch.dish.name, "普通")] == "1"
    assert sorted(str(tr["data-sample"]) for tr in page.select("tr[data-sample]")) == sorted(
        [d.name for d in lunch.set_dishes] + [lunch.dish.name]
    )
    assert page.select(".sheet-toolbar.no-print [data-print], .sheet-toolbar.no-print [data-pdf]") != []
    assert page.select('link[href$="css/print.css"]') != []


def test_before_the_cutoff_the_sheet_says_it_is_an_estimate(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    tomorrow = TODAY.fromordinal(TODAY.toordinal() + 1)
    _lunch_with_orders(session, canteen, tomorrow)
    client = _cook(session, login, canteen)

    page = _soup(client.get(f"/kitchen/{canteen.id}/{tomorrow.isoformat()}/lunch/prep"))

    assert _one(page, '[data-status="provisional"]').get_text(strip=True).startswith("预估")


def test_the_special_diet_sheet_flags_an_allergy_to_a_dish_in_the_box(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    lunch = _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)

    page = _soup(client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/diets"))

    row = _one(page, 'tr[data-senior="李*国"]')
    assert "row-conflict" in row.get_attribute_list("class")
    assert _one(row, f'[data-conflict="{lunch.dish.name}"]').get_text(strip=True) == f"⚠ {lunch.dish.name}含鸡蛋"


def test_the_special_diet_sheet_has_one_line_per_senior_with_all_their_needs(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, TODAY)
    senior = make_senior(session, name="赵玉兰", allergies="花生", diet_restrictions="低盐,无骨无刺")
    make_order(session, senior, lunch, lines=[(lunch.set_item, "碎食", "标准", 1), (lunch.dish_item, "碎食", "小份", 1)])
    make_order(session, make_senior(session, name="王秀英"), lunch)
    client = _cook(session, login, canteen)

    page = _soup(client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/diets"))

    rows = page.select(".diet-table tbody tr[data-senior]")
    assert [str(tr["data-senior"]) for tr in rows] == ["赵*兰"]
    cells = [td.get_text(" ", strip=True) for td in rows[0].select("td, th")]
    boxes = len(lunch.set_dishes) + 1
    assert cells[1:5] == ["赵*兰", "碎食", "花生", "低盐、无骨无刺"]
    assert cells[5].startswith(f"{boxes} 份")
    assert _one(page, '[data-total="seniors"]').get_text(strip=True) == "1"


def test_packing_and_labels_follow_the_stop_order_the_driver_sees(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, TODAY)
    orders = [
        make_order(session, make_senior(session, name=n), lunch, fulfilment="delivery")
        for n in ("王秀英", "李建国", "陈美华")
    ]
    publish_plan(session, canteen, TODAY, [("孙师傅", [orders[2], orders[0], orders[1]])])
    client = _cook(session, login, canteen)
    base = f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch"

    packing = _soup(client.get(f"{base}/packing"))
    labels = _soup(client.get(f"{base}/labels"))

    route = _one(packing, 'section[data-list="route"]')
    assert "孙师傅" in _one(route, ".packing-crew").get_text()
    expected = [str(orders[i].id) for i in (2, 0, 1)]
    assert [str(tr["data-order"]) for tr in route.select("tr[data-order]")] == expected
    assert [str(tr["data-stop"]) for tr in route.select("tr[data-order]")] == ["1", "2", "3"]
    assert [str(div["data-order"]) for div in labels.select(".label")] == expected
    assert _one(labels, ".label .l-head").get_text(strip=True).startswith("第1站")


def test_hot_holding_moves_the_eat_by_time_on_the_labels(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)
    base = f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/labels"

    plain = _one(_soup(client.get(base)), ".l-time").get_text(strip=True)
    held = _one(_soup(client.get(f"{base}?hot_held=true")), ".l-time").get_text(strip=True)

    assert plain == "出锅 10:45　请在 12:45 前食用"
    assert held == "出锅 10:45　请在 14:45 前食用（保温）"


def test_another_canteens_kitchen_is_refused(session: Session, login: Any) -> None:
    mine, theirs = make_canteen(session), make_canteen(session)
    _lunch_with_orders(session, theirs)
    client = _cook(session, login, mine)

    for path in ("prep", "labels.pdf"):
        response = client.get(f"/kitchen/{theirs.id}/{TODAY.isoformat()}/lunch/{path}")
        assert response.status_code == 403
        assert "其他食堂的厨房单据" in response.text


def test_a_driver_may_not_open_the_kitchen(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    driver = make_user(session, ("driver", canteen.id))

    response = login(driver.phone).get("/kitchen")

    assert response.status_code == 403


def test_an_unknown_slot_or_sheet_is_not_found(session: Session, login: Any) -> None:
    canteen = make_canteen(session)
    client = _cook(session, login, canteen)

    assert client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/supper/prep").status_code == 404
    assert client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/menu.pdf").status_code == 404


def test_the_labels_pdf_has_pages_and_the_chinese_text(session: Session, login: Any, tmp_path: Path) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    lunch = _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)

    response = client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/labels.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    text = _pdftotext(response.content, tmp_path)
    assert "李*国" in text and "自取" in text and "请在 12:45 前食用" in text
    assert lunch.set_dishes[0].name in text


def test_the_production_sheet_pdf_prints_the_totals_and_the_sample_checklist(
    session: Session, login: Any, tmp_path: Path
) -> None:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    _lunch_with_orders(session, canteen)
    client = _cook(session, login, canteen)

    response = client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/prep.pdf")

    text = _pdftotext(response.content, tmp_path)
    assert _pages(response.content, tmp_path) >= 1
    assert "生产单" in text and "彭浦新村长者食堂" in text and "留样记录" in text and "≥ 125 克" in text


def test_the_special_diet_pdf_of_25_seniors_with_four_dishes_each_fits_on_one_page(
    session: Session, login: Any, tmp_path: Path
) -> None:
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, TODAY)
    for n in range(25):
        senior = make_senior(session, name=f"周秀{n}", diet_restrictions="低盐")
        make_order(session, senior, lunch, lines=[(lunch.set_item, "软食", "标准", 1), (lunch.dish_item, "软食", "标准", 1)])
    client = _cook(session, login, canteen)

    response = client.get(f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/diets.pdf")

    assert _pages(response.content, tmp_path) == 1
    assert _pdftotext(response.content, tmp_path).count("软食") == 25


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_a_districts_labels_render_in_page_chunks_and_keep_their_order(
    session: Session, login: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from app.kitchen import pages as kitchen_pages

    monkeypatch.setattr(kitchen_pages, "MIN_PAGES_PER_CHUNK", 1)
    monkeypatch.setattr(kitchen_pages, "cpu_count", lambda: 2)
    canteen = make_canteen(session)
    lunch = make_lunch(session, canteen, TODAY)
    surnames = "赵钱孙李周吴郑王冯陈"
    for surname in surnames:
        make_order(
            session,
            make_senior(session, name=f"{surname}秀英", building="临汾小区1号"),
            lunch,
            fulfilment="pickup",
        )
    client = _cook(session, login, canteen)

    base = f"/kitchen/{canteen.id}/{TODAY.isoformat()}/lunch/labels"

    response = client.get(f"{base}.pdf")

    names = [
        _one(label, ".l-name").get_text().split()[0] for label in _soup(client.get(base)).select(".label")
    ]
    first_page, second_page = _pdftotext(response.content, tmp_path).split("\f")[:2]
    assert _pages(response.content, tmp_path) == 2
    assert [name in first_page for name in names] == [True] * 8 + [False] * 2
    assert [name in second_page for name in names] == [False] * 8 + [True] * 2


def test_pdf_rendering_reads_only_the_apps_static_files() -> None:
    from app.core.pdf import StaticFetcher

    fetcher = StaticFetcher()

    css = fetcher.fetch("http://testserver/static/css/print.css")  # whatever the host, read from disk
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    for url in (
        "https://example.com/fonts/noto.woff2",
        "file:///etc/passwd",
        "http://testserver/etc/hosts",
    ):
        with pytest.raises(ValueError, match="only reads /static/ files"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="no static file"):
        fetcher.fetch("http://testserver/static/../../pyproject.toml")


def test_a_central_kitchens_prep_sheet_has_one_row_per_dish_and_a_column_per_point(
    session: Session, login: Any
) -> None:
    central = make_canteen(session, name="彭浦新村长者食堂")
    point = make_canteen(session, name="闻喜路助餐点", kind="point", supplier_id=central.id)
    own, theirs = make_lunch(session, central, TODAY), make_lunch(session, point, TODAY)
    for mine, same in zip([*theirs.set_dishes, theirs.dish], [*own.set_dishes, own.dish], strict=True):
        mine.name = same.name
        session.add(mine)
    session.commit()
    for _ in range(2):
        make_order(session, make_senior(session), own)
    for _ in range(3):
        make_order(session, make_senior(session), theirs, fulfilment="pickup")
    client = _cook(session, login, central)

    page = _soup(client.get(f"/kitchen/{central.id}/{TODAY.isoformat()}/lunch/prep"))

    rice = own.set_dishes[2].name
    rows = page.select(f'.prep-table tbody tr[data-dish="{rice}"]')
    assert [(_one(r, "[data-qty]").text, _one(r, '[data-point="彭浦新村长者食堂"]').text,
             _one(r, '[data-point="闻喜路助餐点"]').text) for r in rows] == [("5", "2", "3")]
    assert [th.text for th in page.select("[data-point-col]")] == ["彭浦新村长者食堂", "闻喜路助餐点"]
    assert [_one(page, f'[data-point-total="{name}"]').text for name in ("彭浦新村长者食堂", "闻喜路助餐点")] == [
        "6",
        "9",
    ]
    assert len(page.select(f'[data-sample="{rice}"]')) == 1
