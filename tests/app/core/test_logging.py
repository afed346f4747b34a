"""An operator follows one complaint through the log: every line of a request carries its id, the access line
leaves out the query string, and no ID number or phone is ever written, whoever logs it."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.log_config import configure_logging, logging_config
from app.core.privacy import mask_personal
from app.main import create_app

ID_NUMBER = "310106194503127716"
PHONE = "13912345678"


@pytest.fixture
def log_stream(engine: Engine) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", stream)
    yield stream
    root.handlers[:], root.level = saved
    for name in logging_config()["loggers"]:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate, logger.level = True, logging.NOTSET
    logging.captureWarnings(False)


def _lines(stream: io.StringIO, request_id: str) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if f"[{request_id}]" in line]


def test_access_line_has_the_request_id_and_no_query_string(log_stream: io.StringIO) -> None:
    with TestClient(create_app()) as client:
        response = client.get(f"/admin/seniors?q={PHONE}", follow_redirects=False)

    request_id = response.headers["x-request-id"]
    lines = _lines(log_stream, request_id)
    assert len(lines) == 1
    assert " INFO    " in lines[0]
    assert lines[0].endswith("ms") and "app.access: GET /admin/seniors 303 " in lines[0]
    assert PHONE not in log_stream.getvalue() and "?q=" not in log_stream.getvalue()


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(log_stream: io.StringIO) -> None:
    with TestClient(create_app()) as client:
        kept = client.get("/", headers={"X-Request-ID": "lb-7f3a9c"})
        replaced = client.get("/", headers={"X-Request-ID": "x\n2026-12-03 ERROR forged line"})

    assert kept.headers["x-request-id"] == "lb-7f3a9c"
    assert len(_lines(log_stream, "lb-7f3a9c")) == 1
    assert replaced.headers["x-request-id"] != "x" and len(replaced.headers["x-request-id"]) == 12
    assert "forged line" not in log_stream.getvalue()


def test_an_unhandled_error_is_logged_with_its_request_id_and_masked(log_stream: io.StringIO) -> None:
    app = create_app()

    def broken() -> None:
        raise RuntimeError(f"senior {ID_NUMBER} phone {PHONE} not found")

    app.add_api_route("/broken-for-test", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken-for-test")

    assert response.status_code == 500
    text = log_stream.getvalue()
    access = next(line for line in text.splitlines() if "GET /broken-for-test 500" in line)
    request_id = access.split("[", 1)[1].split("]", 1)[0]
    assert any("ERROR" in line and "unhandled error on /broken-for-test" in line
               for line in _lines(log_stream, request_id))
    assert "RuntimeError: senior 310***********7716 phone 139****5678 not found" in text
    assert ID_NUMBER not in text and PHONE not in text


def test_warnings_reach_the_log(log_stream: io.StringIO) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(True)
        warnings.warn("deprecated thing used by 13800001111", UserWarning, stacklevel=1)
        logging.captureWarnings(False)

    assert "WARNING [-] py.warnings:" in log_stream.getvalue()
    assert "UserWarning: deprecated thing used by 138****1111" in log_stream.getvalue()


@pytest.mark.parametrize(("text", "masked"), [
    (f"id={ID_NUMBER}", "id=310***********7716"),
    ("id=31010619450312771X", "id=310***********771X"),
    (f"tel {PHONE}.", "tel 139****5678."),
    ("card 88000001 and order 20261203001", "card 88000001 and order 20261203001"),
    ("ten digits 1391234567 stay", "ten digits 1391234567 stay"),
])
def test_what_the_filter_masks_and_what_it_leaves(text: str, masked: str) -> None:
    assert mask_personal(text) == masked
