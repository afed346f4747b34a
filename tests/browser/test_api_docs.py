"""A kiosk or mini-program developer opens the API docs: they load from this site and list the operations."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_api_docs_render_every_v1_operation_without_any_outside_request(page: Any, live_server: str) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None)

    page.goto("/api/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    screenshot(page, "api-docs")

    assert outside == []
    assert any("/api/v1/orders" in p for p in paths)
    assert not any(p.startswith("/admin") or p.startswith("/kitchen") for p in paths)
