"""The dispatch map on real tiles: a tile server started by the test serves PNG tiles, the browser loads them
under the route lines and the stop numbers."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import jobs
from app.core.settings import get_settings
from app.dispatch import service as dispatch
from tests.browser.dispatch_world import TODAY, lunch, run_jobs, sign_in
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def png_tile(rgb: tuple[int, int, int] = (222, 234, 214)) -> bytes:
    """A plain 256 × 256 PNG, made with the standard library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * 256
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * 256))
            + chunk(b"IEND", b""))


@pytest.fixture
def tile_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    served: list[str] = []
    body = png_tile()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CANTEEN_MAP_TILE_URL", f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png")
    monkeypatch.setenv("CANTEEN_MAP_TILE_CRS", "gcj02")
    monkeypatch.setenv("CANTEEN_MAP_TILE_ATTRIBUTION", "测试底图")
    get_settings.cache_clear()
    yield served
    get_settings.cache_clear()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_dispatch_map_draws_the_routes_on_tiles_from_the_configured_tile_server(
        page: Any, session: Session, engine: Engine, tile_server: list[str]) -> None:
    world = lunch(session)
    plan = dispatch.plan_for(session, world["canteen"].id, TODAY, "lunch")
    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)
    sign_in(page, "13900000003")

    page.goto(f"/dispatch?canteen={world['canteen'].id}&day={TODAY}&slot=lunch")
    page.wait_for_selector("[data-tile-map][data-ready='1'] img.leaflet-tile-loaded", timeout=15000)
    page.locator("[data-tile-map]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "dispatch-tiles")

    loaded = page.locator("img.leaflet-tile-loaded").count()
    assert loaded >= 1 and len(tile_server) >= loaded
    assert all(path.endswith(".png") and path.count("/") == 3 for path in tile_server)
    assert page.locator(".stop-pin:not(.depot-pin)").count() == 8
    assert page.locator(".leaflet-tooltip.depot-label").inner_text() == "厨房"
    assert "测试底图" in page.locator(".leaflet-control-attribution").inner_text()
