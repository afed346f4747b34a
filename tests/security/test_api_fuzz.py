"""Schemathesis against /api/openapi.json: every /api/v1 operation, as each role the role matrix allows it,
with generated valid and invalid input (wrong types, missing and unknown fields, odd strings, huge numbers).

Nothing may answer 5xx; every 4xx carries a Chinese `detail`; and a refused request writes nothing (the row
counts of every table a request could touch stay the same). Ids are drawn half the time from the world's real
ones (and enum-like words from the valid ones), so requests also get past "not found" into the rules. Derandomized and bounded, so it is the same run
every time and takes seconds.
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from sqlmodel import Session, SQLModel, func, select

from app.core.security import CSRF_COOKIE
from app.models import (
    AuditEvent,
    Order,
    OrderEvent,
    OrderLine,
    OrderSubsidy,
    StopEvent,
    VoucherPayment,
    WellnessCheck,
)
from tests.security.conftest import shared_app
from tests.security.routes import app_routes
from tests.security.test_role_matrix import TABLE
from tests.security.walk import sign_as
from tests.security.world import ANONYMOUS, World

SCHEMA = schemathesis.openapi.from_asgi("/api/openapi.json", shared_app())
EXAMPLES = 15
CHINESE = re.compile(r"[\u4e00-\u9fff]")
WRITTEN: tuple[type[SQLModel], ...] = (Order, OrderLine, OrderEvent, OrderSubsidy, VoucherPayment, StopEvent,
                                       WellnessCheck, AuditEvent)


def _operations() -> list[tuple[str, str, str]]:
    """(method, path, role) for every /api/v1 operation and every role allowed it."""
    names = {(m, r.path): r.name for r in app_routes(shared_app()) for m in r.methods}
    found = []
    for result in SCHEMA.get_all_operations():
        op = cast(Any, result).ok()
        if op.path.startswith("/api/v1/"):
            name = names[(op.method.upper(), op.path)]
            found += [(op.method.upper(), op.path, role) for role in sorted(TABLE[name].roles - {ANONYMOUS})]
    return found


def _counts(session: Session) -> dict[str, int]:
    """Rows of every table a request could write; a refusal's own audit event (403s are audited) not counted."""
    counts = {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in WRITTEN}
    counts["AuditEvent"] = session.exec(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.action != "access.forbidden")).one()
    session.rollback()  # end the read, or SQLite would keep the app's writers waiting
    return counts


def _known_values(world: World) -> dict[str, st.SearchStrategy[Any]]:
    """Real ids and valid words for the fields that guard the deeper rules, to be swapped in half the time."""
    ids = {"senior_id": [world.senior.id or 0, world.other_senior.id or 0, world.far_senior.id or 0],
            "menu_id": [world.open_menu.id, world.far_open_menu.id, world.order.menu_id],
            "menu_item_id": [world.open_item_id, world.far_open_item_id, world.item_id],
            "order_id": [world.order.id or 0, world.other_order.id or 0, world.far_order.id or 0],
            "stop_id": [world.stop.id or 0, world.other_stop.id or 0, world.yesterday_stop.id or 0]}
    words = {"fulfilment": ["dine_in", "pickup", "delivery"],
             "choice": ["delivered:well", "delivered:needs_help", "no_answer", "step:knock_again", "problem"]}
    known: dict[str, st.SearchStrategy[Any]] = {k: st.sampled_from(v) for k, v in (ids | words).items()}
    known["idempotency_key"] = st.text("0123456789abcdef", min_size=8, max_size=16)
    known["client_report_id"] = known["idempotency_key"]
    return known


def _swap(value: Any, pick: dict[str, Any]) -> Any:
    """Put real values where the generated ones have the same field and type (body, item lines, query, path)."""
    if isinstance(value, dict):
        return {k: pick[k] if k in pick and type(v) is type(pick[k]) else _swap(v, pick) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, pick) for v in value]
    return value


def _send(client: Any, case: Any, pick: dict[str, Any] | None) -> Any:
    if pick:
        case.body = _swap(case.body, pick)
        case.query = _swap(case.query, pick)
        case.path_parameters = _swap(case.path_parameters, pick)
    kwargs = case.as_transport_kwargs()
    kwargs.pop("cookies", None)
    headers = {k: v for k, v in kwargs.pop("headers").items() if k.lower() != "x-schemathesis-testcaseid"}
    headers["X-CSRF-Token"] = client.cookies.get(CSRF_COOKIE) or ""
    if isinstance(kwargs.get("data"), bytes | str):  # a non-JSON body: httpx wants raw content as `content`
        kwargs["content"] = kwargs.pop("data")
    return client.request(kwargs.pop("method"), kwargs.pop("url"), headers=headers, follow_redirects=False, **kwargs)


@pytest.mark.parametrize(("method", "path", "role"), _operations())
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_crash_and_refusals_write_nothing(
        mode: GenerationMode, method: str, path: str, role: str, world: World, client: Any,
        session: Session) -> None:
    sign_as(client, world, role)
    picks = st.none() | st.fixed_dictionaries(_known_values(world))
    problems: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=SCHEMA[path][method].as_strategy(generation_mode=mode), pick=picks)
    def run(case: Any, pick: dict[str, Any] | None) -> None:
        before = _counts(session)
        r = _send(client, case, pick)
        said = f"{r.status_code} {case.body!r:.300} {r.text[:200]}"
        if r.status_code >= 500:
            problems.append(said)
        elif r.status_code >= 400:
            detail = r.json().get("detail", "") if "json" in r.headers.get("content-type", "") else ""
            if not CHINESE.search(str(detail)):
                problems.append("no Chinese detail: " + said)
            if _counts(session) != before:
                problems.append("refused but wrote: " + said)

    run()

    assert problems == []


def test_the_fuzzed_operations_are_the_api_v1_ones() -> None:
    paths = {p for _, p, _ in _operations()}

    assert {"/api/v1/orders", "/api/v1/driver/reports"} <= paths
    assert all(p.startswith("/api/v1/") for p in paths)


# ---------------------------------------------------------------- the bad bodies named in the issue, by hand

def _post(client: Any, path: str, **kw: Any) -> Any:
    headers = {"X-CSRF-Token": client.cookies.get(CSRF_COOKIE) or ""} | kw.pop("headers", {})
    return client.post(path, headers=headers, **kw)


@pytest.mark.parametrize("body", [b"{", b"[1, 2", b"\xff\xfe", b"null", b"{\"senior_id\": }", b"\"text\""])
def test_malformed_json_is_a_400_or_422_with_a_chinese_message(body: bytes, world: World, client: Any,
                                                               session: Session) -> None:
    sign_as(client, world, "senior")
    before = _counts(session)

    r = _post(client, "/api/v1/orders", content=body, headers={"content-type": "application/json"})

    assert r.status_code in (400, 422)
    assert CHINESE.search(r.json()["detail"])
    assert _counts(session) == before


def test_an_oversized_json_body_is_a_413_before_it_is_read(world: World, client: Any, session: Session) -> None:
    sign_as(client, world, "senior")
    before = _counts(session)

    r = _post(client, "/api/v1/orders", content=b"[" + b"1," * (3 * 1024 * 1024) + b"1]",
              headers={"content-type": "application/json"})

    assert r.status_code == 413
    assert "太大" in r.json()["detail"]
    assert _counts(session) == before


def test_a_malformed_content_length_is_a_400(client: Any) -> None:
    r = client.post("/api/v1/orders", content=b"{}", headers={"content-length": "abc",
                                                               "content-type": "application/json"})

    assert r.status_code == 400
    assert CHINESE.search(r.json()["detail"])


@pytest.mark.parametrize("body", [
    {"senior_id": "一", "menu_id": 1, "fulfilment": "dine_in", "items": [{"menu_item_id": 1}]},
    {"senior_id": 1, "menu_id": 1.5, "fulfilment": "dine_in", "items": [{"menu_item_id": 1}]},
    {"senior_id": 1, "menu_id": 1, "fulfilment": "dine_in", "items": []},
    {"senior_id": 1, "menu_id": 1, "fulfilment": "dine_in", "items": [{"menu_item_id": 1, "quantity": 0}]},
    {"senior_id": 1, "menu_id": 1, "fulfilment": ["dine_in"], "items": [{"menu_item_id": 1}]},
])
def test_wrong_types_are_a_422_naming_the_field(body: dict[str, Any], world: World, client: Any,
                                               session: Session) -> None:
    sign_as(client, world, "senior")
    before = _counts(session)

    r = _post(client, "/api/v1/orders", json=body)

    assert r.status_code == 422
    assert r.json()["errors"] and CHINESE.search(r.json()["detail"])
    assert _counts(session) == before


@pytest.mark.parametrize("senior_id", [0, -1, 987654, 10**25])
def test_unknown_ids_in_a_json_body_are_a_4xx(senior_id: int, world: World, client: Any,
                                             session: Session) -> None:
    sign_as(client, world, "counter")
    before = _counts(session)

    r = _post(client, "/api/v1/orders", json={"senior_id": senior_id, "menu_id": world.open_menu.id,
                                              "fulfilment": "dine_in", "idempotency_key": "unknown-id-0001",
                                              "items": [{"menu_item_id": world.open_item_id}]})

    assert 400 <= r.status_code < 500
    assert CHINESE.search(r.json()["detail"])
    assert _counts(session) == before
