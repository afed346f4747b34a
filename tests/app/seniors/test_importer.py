"""An operator imports the civil-affairs register: messy cells are read right, a single bad row stops the whole
import, the valid rows can be imported explicitly, and importing again updates instead of duplicating."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from app.models import AuditEvent, Senior
from app.seniors import importer as si
from tests.data import registers as reg
from tests.factories import make_canteen, make_user

TODAY = date(2026, 11, 22)


def _import(session: Session, data: bytes, **kw: object) -> si.ImportOutcome:
    table = si.read_table(data, "名册.xlsx")
    return si.import_seniors(
        session, table, si.guess_mapping(table.headers), today=TODAY, user_id=None, filename="名册.xlsx", **kw
    )  # type: ignore[arg-type]


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Senior)).one()


def test_the_messy_register_is_read_through_merged_headers_spaces_full_width_digits_and_serial_dates(
    session: Session,
) -> None:
    outcome = _import(session, reg.messy_register())

    wang = session.exec(select(Senior).where(Senior.id_number == reg.WANG)).one()
    li = session.exec(select(Senior).where(Senior.id_number == reg.LI)).one()
    zhang = session.exec(select(Senior).where(Senior.id_number == reg.ZHANG)).one()
    assert outcome == si.ImportOutcome(created=3, updated=0, unchanged=0, skipped_invalid=0)
    assert (wang.name, wang.phone, wang.birth_date, wang.gender) == (
        "王秀英",
        "13912345678",
        date(1944, 3, 5),
        "女",
    )
    assert (wang.hukou_city, wang.hukou_district, wang.residence_district) == ("上海", "普陀", "静安")
    assert (wang.economic_status, wang.economic_valid_from, wang.economic_valid_to, wang.lives_alone) == (
        "低保",
        date(2026, 1, 1),
        date(2026, 12, 31),
        True,
    )
    assert wang.address == "上海市静安区临汾路380弄2号301室"
    assert (zhang.phone, zhang.economic_status, zhang.lives_alone) == ("13812345678", "", False)
    assert (li.hukou_city, li.economic_status, li.economic_valid_to, li.phone) == (
        "苏州",
        "低收入",
        date(2027, 2, 28),
        "021-56601234",
    )


def test_one_invalid_row_means_nothing_is_saved_and_every_invalid_row_is_reported_with_its_reason(
    session: Session,
) -> None:
    with pytest.raises(si.ImportRefused) as refused:
        _import(session, reg.messy_register_with_mistakes())

    reported = {r.row_no: r.errors for r in refused.value.invalid}
    assert _count(session) == 0
    assert sorted(reported) == reg.INVALID_ROW_NUMBERS
    assert reported[8] == ["身份证号校验位不对，请核对是否抄错"]
    assert reported[9] == ["出生日期填的是 1952-06-05，与身份证号中的 1952-05-05 不一致"]
    assert reported[10] == [
        "联系电话“139000”不对：手机应为 11 位，座机如 021-56600000",
        "经济状况“困难户”不认识，应为低保、低收入、特困或空",
    ]


def test_the_operator_may_explicitly_import_only_the_valid_rows(session: Session) -> None:
    operator = make_user(session, "operator")

    outcome = _import(session, reg.messy_register_with_mistakes(), valid_only=True)

    assert outcome == si.ImportOutcome(created=3, updated=0, unchanged=0, skipped_invalid=3)
    assert _count(session) == 3
    assert operator.id is not None
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "senior.import")).one()
    assert audit.detail == "名册.xlsx：新增 3，更新 0，跳过无效 3"


def test_importing_a_corrected_register_again_updates_the_seniors_instead_of_duplicating_them(
    session: Session,
) -> None:
    _import(session, reg.messy_register())
    corrected = [list(r) for r in reg.VALID_ROWS]
    corrected[1][4] = "13800009999"

    outcome = _import(session, reg.messy_register([tuple(r) for r in corrected]))

    zhang = session.exec(select(Senior).where(Senior.id_number == reg.ZHANG)).one()
    assert outcome == si.ImportOutcome(created=0, updated=1, unchanged=2, skipped_invalid=0)
    assert _count(session) == 3
    assert zhang.phone == "13800009999"


def test_a_gb18030_csv_from_the_office_imports_with_the_canteens_district_when_the_address_has_none(
    session: Session,
) -> None:
    canteen = make_canteen(session, district="静安", street="彭浦镇")
    csv_text = (
        f"姓名,身份证号,联系电话,户籍,住址\n周阿娣,{reg.QIAN},13900003333,上海,临汾路 200 弄 3 号 301 室\n"
    )
    table = si.read_table(csv_text.encode("gb18030"), "roster.csv")

    outcome = si.import_seniors(
        session, table, si.guess_mapping(table.headers), today=TODAY, user_id=None, canteen_id=canteen.id
    )

    zhou = session.exec(select(Senior)).one()
    assert outcome.created == 1
    assert (zhou.residence_district, zhou.residence_street, zhou.default_canteen_id) == (
        "静安",
        "彭浦镇",
        canteen.id,
    )


def test_a_column_with_an_unusual_header_is_mapped_by_hand_and_a_missing_required_column_is_named() -> None:
    table = si.read_table("姓名,身份证号,老人手机,户籍,住址\n".encode(), "a.csv")

    with pytest.raises(si.InvalidInput) as missing:
        si.check_mapping(si.guess_mapping(table.headers), len(table.headers))
    mapping = si.mapping_from_names(table.headers, {"phone": "老人手机"})

    assert missing.value.errors == {"map_phone": "请指定“联系电话”在哪一列。"}
    assert mapping["phone"] == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (16438, date(1945, 1, 1)),
        ("16438", date(1945, 1, 1)),
        ("1945/1/1", date(1945, 1, 1)),
        ("１９４５年１月１日", date(1945, 1, 1)),
        ("19450101", date(1945, 1, 1)),
        ("1945.01.01", date(1945, 1, 1)),
        (None, None),
        ("", None),
    ],
)
def test_dates_are_read_in_every_way_registers_write_them(cell: object, expected: date | None) -> None:
    assert si.parse_date(cell) == expected


def test_a_word_in_a_date_column_is_refused() -> None:
    with pytest.raises(ValueError):
        si.parse_date("不详")


def test_the_command_line_import_refuses_a_file_with_mistakes_then_imports_the_valid_rows_on_request(
        session: Session, tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from app.__main__ import main

    register = Path(str(tmp_path)) / "名册.xlsx"
    register.write_bytes(reg.messy_register_with_mistakes())

    refused = main(["import-seniors", str(register)])
    refused_err = capsys.readouterr().err
    saved_before = _count(session)
    done = main(["import-seniors", str(register), "--valid-only"])

    assert (refused, saved_before, done, _count(session)) == (1, 0, 0, 3)
    assert "第 8 行：身份证号校验位不对" in refused_err
    assert "100% 6/6" in refused_err
    assert capsys.readouterr().out == "导入完成：新增 3 位，更新 0 位，无变化 0 位，跳过无效 3 行。\n"


def test_an_id_number_excel_turned_into_a_number_is_explained_and_a_country_code_on_a_phone_is_dropped(
        session: Session) -> None:
    rows = [list(r) for r in reg.VALID_ROWS]
    rows[0][2] = float(reg.ZHAO)  # what Excel does to an 18-digit number typed without a leading quote
    rows[1][4] = "+86 138 1234 5678"

    with pytest.raises(si.ImportRefused) as refused:
        _import(session, reg.messy_register([tuple(r) for r in rows]))

    assert [(r.row_no, r.errors) for r in refused.value.invalid] == [
        (5, ["身份证号被 Excel 存成了数字，后几位已经丢失：请把这一列设为“文本”后重新填写"])]


def test_the_registers_emergency_contact_is_imported_and_updated_on_re_import(session: Session) -> None:
    from app.models import EmergencyContact

    head = "姓名,身份证号,联系电话,户籍,住址,紧急联系人,与老人关系,紧急联系人电话\n"
    first = f"{head}王秀英,{reg.WANG},13912345678,上海,上海市静安区临汾路380弄2号301室,王海燕,女儿,13800001234\n"
    moved = first.replace("13800001234", "13800005678")
    table = si.read_table(first.encode(), "a.csv")
    si.import_seniors(session, table, si.guess_mapping(table.headers), today=TODAY, user_id=None)

    again = si.read_table(moved.encode(), "a.csv")
    outcome = si.import_seniors(session, again, si.guess_mapping(again.headers), today=TODAY, user_id=None)

    contacts = session.exec(select(EmergencyContact)).all()
    assert outcome.updated == 1
    assert [(c.name, c.relation, c.phone, c.priority) for c in contacts] == [("王海燕", "女儿", "13800005678", 1)]


def test_a_contact_without_a_phone_is_an_invalid_row() -> None:
    table = si.read_table(f"姓名,身份证号,联系电话,户籍,住址,紧急联系人\n王秀英,{reg.WANG},13912345678,上海,"
                          "上海市静安区临汾路380弄2号301室,王海燕\n".encode(), "a.csv")

    (result,) = si.validate(table, si.guess_mapping(table.headers), today=TODAY)

    assert result.errors == ["紧急联系人要有姓名和正确的电话，现在是“王海燕”“（无电话）”"]


def test_an_id_number_with_a_digit_of_another_script_is_refused_in_words() -> None:
    ethiopic = reg.WANG[:5] + "፩" + reg.WANG[6:]  # U+1369 ETHIOPIC DIGIT ONE: str.isdigit() says yes
    table = si.read_table(f"姓名,身份证号,联系电话,户籍,住址\n王秀英,{ethiopic},13912345678,上海,"
                          "上海市静安区临汾路380弄2号301室\n".encode(), "a.csv")

    (result,) = si.validate(table, si.guess_mapping(table.headers), today=TODAY)

    assert result.errors == ["身份证号应为 18 位（最后一位可以是 X）"]


def test_an_address_longer_than_the_record_holds_is_refused_not_cut() -> None:
    address = "上海市静安区临汾路380弄" + "长" * 3000
    table = si.read_table(f"姓名,身份证号,联系电话,户籍,住址\n王秀英,{reg.WANG},13912345678,上海,{address}\n"
                          .encode(), "a.csv")

    (result,) = si.validate(table, si.guess_mapping(table.headers), today=TODAY)

    assert result.errors == ["居住地址太长（3013 个字），最多 200 个字"]


def test_a_workbook_that_unpacks_to_more_cells_than_a_register_has_is_refused_before_it_is_read() -> None:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws.cell(row=si.MAX_CELLS, column=2, value="x")  # a sheet stretched over 2 x MAX_CELLS cells
    out = io.BytesIO()
    wb.save(out)

    with pytest.raises(si.InvalidInput) as refused:
        si.read_table(out.getvalue(), "名册.xlsx")

    assert refused.value.errors == {"file": "这个文件太大：最多 200000 个单元格。请只保留名册这一张表，删掉多余的行和列后再上传。"}


def test_a_csv_with_more_cells_than_a_register_has_is_refused() -> None:
    data = ("姓名,身份证号\n" + "a,b\n" * si.MAX_CELLS).encode()

    with pytest.raises(si.InvalidInput) as refused:
        si.read_table(data, "名册.csv")

    assert "最多 200000 个单元格" in refused.value.errors["file"]


def test_the_table_kept_between_preview_and_import_reads_back_exactly_as_it_was_read() -> None:
    table = si.read_table(reg.messy_register(), "名册.xlsx")

    again = si.table_from_json(si.table_to_json(table))

    assert again == table


def test_a_real_registers_words_are_read_into_the_record_and_every_normalisation_is_shown() -> None:
    table = si.read_table(reg.real_register(), "名册.xlsx")

    results = si.validate(table, si.guess_mapping(table.headers), today=TODAY)

    by_name = {r.values["name"]: r for r in results}
    assert len(results) == 6  # the 合计 and 审核人 lines are not seniors
    assert all(r.ok for r in results), [r.errors for r in results]
    wang, zhang, li = by_name["王秀英"], by_name["张建国"], by_name["李桂英"]
    assert (wang.values["hukou_city"], wang.values["economic_status"], wang.values["lives_alone"]) == ("上海", "低保",
                                                                                                       True)
    assert (wang.values["allergies"], wang.values["room"], wang.values["floor"]) == ("花生", "502", 5)
    assert wang.notes == ["户籍“本市” → 上海", "是否低保“是” → 经济状况：低保", "备注“对花生过敏” → 过敏/忌口：花生"]
    assert (zhang.values["hukou_city"], zhang.values["residence_city"], zhang.values["residence_district"]) == (
        "上海", "上海", "静安")
    assert (zhang.values["floor"], zhang.values["has_lift"], zhang.values["special_groups"]) == (6, False, "重残")
    assert zhang.values["allergies"] == "花生,鱼,甲壳类,贝类"  # by the district's allergen list (issue 14)
    assert [n for n in zhang.notes if n.startswith("过敏原")] == ["过敏原“海鲜” → 鱼、甲壳类、贝类", "过敏原“花生米” → 花生"]
    assert (li.values["hukou_city"], li.values["hukou_district"], li.values["status"]) == ("上海", "静安", "paused")
    assert li.values["economic_status"] == "低保"
    assert by_name["钱小弟"].warnings == ["只有 56 岁，不满 60 岁：请确认是服务对象"]
    assert by_name["孙老太"].skipped == "备注写着已故：不导入"
    assert by_name["孙福根"].values["hukou_city"] == "苏州"


def test_importing_the_real_register_needs_the_under_60_confirmed_and_leaves_the_deceased_out(
        session: Session) -> None:
    with pytest.raises(si.WarningsUnconfirmed):
        _import(session, reg.real_register())
    assert _count(session) == 0

    outcome = _import(session, reg.real_register(), confirmed=True)

    names = set(session.exec(select(Senior.name)).all())
    assert (outcome.created, outcome.skipped_deceased) == (5, 1)
    assert names == {"王秀英", "张建国", "李桂英", "钱小弟", "孙福根"}
    li = session.exec(select(Senior).where(Senior.name == "李桂英")).one()
    assert li.status == "paused"


def test_a_low_income_column_with_a_word_it_does_not_know_is_refused_with_the_value_named() -> None:
    rows = [list(r) for r in reg.REAL_ROWS[:1]]
    rows[0][6] = "待定"
    table = si.read_table(reg.real_register(rows), "名册.xlsx")

    (result,) = si.validate(table, si.guess_mapping(table.headers), today=TODAY)

    assert result.errors == ["是否低保“待定”不认识，应为是或否"]
