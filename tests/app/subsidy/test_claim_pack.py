"""A month with check-ins, a no-show, a voucher payment and a cancelled voucher order settles to the fen, and the
claim pack per funder (Excel and PDF) carries the same figures, the operating subsidy and the evidence."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.core.settings import TZ
from app.models import Order, OrderEvent, OrderSubsidy, VoucherPayment, now
from app.subsidy import claim_pack_pdf, schemes, settlement, settlement_export, vouchers
from app.subsidy.claim_pack import build_claim_pack, claim_pack_xlsx
from tests.app.subsidy.test_scheme_setup import hexi_form
from tests.conftest import ARTIFACTS
from tests.factories import id_of, make_canteen, make_priced_order, make_senior, make_user, seed_schemes

FIRST = (now().date().replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
MONTH = f"{FIRST:%Y-%m}"


def _day(n: int) -> date:
    return FIRST.replace(day=n)


def _check_in(session: Session, order: Order, clerk: Any, hour: int = 11) -> None:
    at = datetime.combine(order.service_date, time(hour, 40), TZ)
    session.add(OrderEvent(order_id=id_of(order), at=at, status="served", by_user_id=id_of(clerk), note="窗口核销"))
    session.commit()


@pytest.fixture
def month(session: Session) -> dict[str, Any]:
    """天津河西 (backdated to last month, 3 元 per diner-day operating subsidy from the district): 王 (85, 重度失能)
    eats on the 3rd and the 4th (paying 5 元 of the 4th by voucher), 李 (70) on the 3rd, 赵 booked the 3rd and
    never came, 王's dinner on the 5th was paid by voucher and then cancelled."""
    seed_schemes(session)
    operator = make_user(session, "operator")
    form = hexi_form(effective_from=FIRST.isoformat(), note="通知晚到，补登上月起的补贴", operating_fen="3",
                     operating_funder="district", meals_per_day="")
    checked = schemes.check_version(session, form, scheme_key=None, today=now().date())
    schemes.save_checked(session, form | {"previewed": checked.digest}, scheme_key=None, user_id=id_of(operator),
                         today=now().date())
    canteen = make_canteen(session, name="友谊路长者食堂", district="河西", street="友谊路街道", scheme_key="tianjin-hexi")
    clerk = make_user(session, ("counter", canteen.id), name="刘窗口")
    place = {"hukou": "天津", "residence_city": "天津", "residence_district": "河西", "today": FIRST}
    wang = make_senior(session, age=85, disability_level="重", **place)
    li = make_senior(session, age=70, **place)
    zhao = make_senior(session, age=70, **place)
    eaten = [make_priced_order(session, wang, canteen, _day(3), price_fen=1500, status="served"),
             make_priced_order(session, wang, canteen, _day(4), price_fen=1500, status="served"),
             make_priced_order(session, li, canteen, _day(3), price_fen=1500, status="served")]
    for order in eaten:
        _check_in(session, order, clerk)
    vouchers.record_voucher_payment(session, id_of(eaten[1]), voucher_no="YL-0001", amount_fen=500,
                                    user_id=id_of(clerk))
    no_show = make_priced_order(session, zhao, canteen, _day(3), price_fen=1500)
    dinner = make_priced_order(session, wang, canteen, _day(5), "dinner", price_fen=1500)
    vouchers.record_voucher_payment(session, id_of(dinner), voucher_no="YL-0001", amount_fen=1000,
                                    user_id=id_of(clerk))
    dinner.status = "cancelled"
    vouchers.reverse_order_vouchers(session, id_of(dinner), user_id=id_of(clerk), reason="订单取消，消费券退回")
    session.add(dinner)
    session.commit()
    return {"eaten": eaten, "no_show": no_show, "dinner": dinner}


def test_the_month_settles_to_the_fen(session: Session, month: dict[str, Any]) -> None:
    report = settlement.settle(session, settlement.month_scope(MONTH))

    eaten_ids = [id_of(o) for o in month["eaten"]]
    shares = session.exec(select(OrderSubsidy.amount_fen).where(col(OrderSubsidy.order_id).in_(eaten_ids))).all()
    by_day = [month["eaten"][0], month["eaten"][2], month["eaten"][1]]
    assert [row.order_no for row in report.ledger] == [o.public_no for o in by_day]
    assert (report.total.subsidy_fen, sum(shares)) == (1300, 1300)
    assert (report.total.list_fen, report.total.payable_fen, report.total.voucher_fen) == (4500, 3200, 500)
    assert report.total.list_fen == report.total.discount_fen + report.total.subsidy_fen + report.total.payable_fen
    assert [(e.kind, e.order_no) for e in report.exceptions if e.kind == "no_show"] == [
        ("no_show", month["no_show"].public_no)]
    assert [(o.canteen_name, o.funder_name, o.diner_days, o.amount_fen) for o in report.operating] == [
        ("友谊路长者食堂", "河西区财政", 3, 900)]
    sheet = load_workbook(io.BytesIO(settlement_export.to_xlsx(report)))["运营补贴"]
    assert [c.value for c in sheet[3]] == ["友谊路长者食堂", "tianjin-hexi", "河西区财政", 3, 3, 9]
    dinner_vouchers = session.exec(select(VoucherPayment.amount_fen)
                                   .where(VoucherPayment.order_id == month["dinner"].id)).all()
    assert sorted(dinner_vouchers) == [-1000, 1000]


def test_the_district_claim_adds_the_operating_subsidy_per_diner_day(session: Session, month: dict[str, Any]) -> None:
    pack = build_claim_pack(session, "tianjin-hexi", MONTH, "district")

    (claim,) = pack.canteens
    assert claim.categories == {"80周岁及以上": [2, 800], "60至79周岁": [1, 200]}
    assert (claim.subsidy_fen, claim.diner_days, claim.operating_fen) == (1000, 3, 900)
    assert (pack.subsidy_fen, pack.operating_fen, pack.claim_fen, pack.voucher_fen) == (1000, 900, 1900, 500)
    assert [m.evidence for m in pack.meals] == [f"{_day(3):%m-%d} 11:40 刘窗口窗口核销",
                                                f"{_day(3):%m-%d} 11:40 刘窗口窗口核销",
                                                f"{_day(4):%m-%d} 11:40 刘窗口窗口核销"]
    assert [e.order_no for e in pack.no_shows] == [month["no_show"].public_no]


def test_the_city_claim_has_its_own_share_and_no_operating_subsidy(session: Session, month: dict[str, Any]) -> None:
    pack = build_claim_pack(session, "tianjin-hexi", MONTH, "city")

    assert (pack.funder_name, pack.subsidy_fen, pack.operating_fen) == ("天津市财政", 300, 0)
    assert sum(m.share_fen for m in pack.meals) == 300


def test_an_unknown_funder_is_not_found(session: Session, month: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        build_claim_pack(session, "tianjin-hexi", MONTH, "town")


def test_the_claim_pack_files_carry_the_same_totals(session: Session, month: dict[str, Any]) -> None:
    pack = build_claim_pack(session, "tianjin-hexi", MONTH, "district")

    book = load_workbook(io.BytesIO(claim_pack_xlsx(pack)))
    pdf = claim_pack_pdf(session, "tianjin-hexi", MONTH, "district")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "claim-pack.pdf").write_bytes(pdf)

    summary = [[c.value for c in row] for row in book["申领汇总"].iter_rows(min_row=3)]
    assert summary[-1][0] == "合计" and float(summary[-1][3]) == 19.00
    assert summary[-2][:3] == ["友谊路长者食堂", "运营补贴（3 人·天）", 3]
    assert book["就餐明细"].max_row == 4 and book["未核销"].max_row == 2
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("老年助餐补贴申领表", "申领总额", "19.00", "运营补贴合计", "9.00", "街道盖章", "审核人",
                  month["no_show"].public_no):
        assert words in text, words


def test_a_district_operator_downloads_the_claim_pack(session: Session, month: dict[str, Any], login: Any) -> None:
    make_user(session, "operator", phone="13900008803")
    client = login("13900008803")

    page = client.get("/subsidy/schemes/tianjin-hexi")
    pdf = client.get(f"/subsidy/schemes/tianjin-hexi/claim?funder=district&month={MONTH}&fmt=pdf")
    xlsx = client.get(f"/subsidy/schemes/tianjin-hexi/claim?funder=city&month={MONTH}&fmt=xlsx")
    unknown = client.get(f"/subsidy/schemes/tianjin-hexi/claim?funder=nobody&month={MONTH}")

    assert 'name="funder"' in page.text and "河西区财政" in page.text
    settled = client.get(f"/subsidy/settlement?month={MONTH}")
    assert "<td>友谊路长者食堂</td><td>河西区财政</td><td class=\"num\">3</td>" in settled.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content))["申领汇总"]["A1"].value.startswith(
        "天津市河西区老年助餐补贴 · 天津市财政")
    assert unknown.status_code == 404


def test_an_operator_of_some_canteens_may_not_download_a_claim(session: Session, month: dict[str, Any],
                                                               login: Any) -> None:
    canteen = make_canteen(session, district="河西", street="友谊路街道", scheme_key="tianjin-hexi")
    make_user(session, ("operator", canteen.id), phone="13900008804")
    client = login("13900008804")

    r = client.get(f"/subsidy/schemes/tianjin-hexi/claim?funder=district&month={MONTH}")

    assert r.status_code == 403
