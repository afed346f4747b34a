"""Finding 14: the /api/v1 contract is exact. Schemathesis generates valid and invalid requests for every
operation, as a role the role matrix allows it, and runs every one of its checks on each answer (`--checks all`:
no 5xx, only documented status codes, content types and headers, bodies matching the declared schemas, invalid
data refused, 405 with `Allow`, ...). Derandomized and bounded: the same few hundred requests every run."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy.engine import Engine

from app.core.principal import csrf_for_session
from tests.security.test_api_fuzz import SCHEMA, _operations
from tests.security.world import World

EXAMPLES = 30


def _first_role_per_operation() -> list[tuple[str, str, str]]:
    seen: dict[tuple[str, str], str] = {}
    for method, path, role in _operations():
        seen.setdefault((method, path), role)
    return [(m, p, r) for (m, p), r in sorted(seen.items())]


def _idempotency(case: Any) -> dict[str, str]:
    """An order needs its idempotency key in the body or in the Idempotency-Key header, which OpenAPI cannot say
    (one of two places): when generation left both empty, the header carries one, as every real client does."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.path != "/api/v1/orders" or body.get("idempotency_key") or (case.headers or {}).get("Idempotency-Key"):
        return {}
    return {"Idempotency-Key": f"contract-{uuid.uuid4().hex[:16]}"}


@pytest.mark.parametrize(("method", "path", "role"), _first_role_per_operation())
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_matches_the_published_contract(mode: GenerationMode, method: str, path: str, role: str,
                                                     world: World, engine: Engine) -> None:
    token = world.tokens[role]
    headers = {"Cookie": f"canteen_session={token}; canteen_csrf={csrf_for_session(token)}",
               "X-CSRF-Token": csrf_for_session(token)}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=SCHEMA[path][method].as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers | _idempotency(case))  # raises, with every failed check named

    run()


def test_a_method_the_operation_does_not_have_is_a_405_naming_the_allowed_ones(client: Any) -> None:
    r = client.delete("/api/v1/orders")

    assert r.status_code == 405
    assert {"GET", "POST"} <= set(r.headers["allow"].replace(" ", "").split(","))
    assert r.json()["detail"] == "不支持这种操作。"


def test_every_refusal_is_documented_with_the_one_error_shape(client: Any) -> None:
    schema = client.get("/api/openapi.json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "422", "429"} <= codes, (method, path)
            assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
