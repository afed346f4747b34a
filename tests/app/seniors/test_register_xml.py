"""A register whose sheet XML declares entities (the 'billion laughs' shape) is refused as unreadable before any
entity could be expanded or fetched: openpyxl parses through defusedxml, which forbids the declarations themselves
(the standard parser would read this file without complaint)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.core import messages as msg
from app.core.errors import InvalidInput
from app.seniors.register import read_table

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 8))
          + "]>")


def _register(sheet_prefix: str = "") -> bytes:
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["张三", "310106194503127716"])
    plain = io.BytesIO()
    book.save(plain)
    if not sheet_prefix:
        return plain.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                body = (sheet_prefix + text).encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_an_ordinary_register_still_reads() -> None:
    assert read_table(_register(), "名单.xlsx").headers == ["姓名", "身份证号"]


def test_a_register_with_entity_declarations_is_refused_not_expanded() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_table(_register(LAUGHS), "名单.xlsx")

    assert refused.value.errors == {"file": msg.IMPORT_FILE_UNREADABLE}
