"""Server-side PDF rendering of printable pages (WeasyPrint, Noto CJK), reusable by every area.

The same HTML a browser prints is rendered here, so a sheet looks alike from the print dialog and as a download.
Stylesheets and images are read from `app/static` on disk: rendering never opens a network connection.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PDF_MEDIA_TYPE = "application/pdf"


class StaticFetcher(URLFetcher):
    """Serves `/static/...` URLs (whatever host `url_for` put in front) from disk; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = unquote(urlsplit(url).path)
        if not path.startswith("/static/"):
            raise ValueError(f"PDF rendering only reads /static/ files, not {url}")
        file = (STATIC_DIR / path.removeprefix("/static/")).resolve()
        if not file.is_relative_to(STATIC_DIR) or not file.is_file():
            raise ValueError(f"no static file for {url}")
        headers_out = {"Content-Type": _content_type(file)}
        return URLFetcherResponse(url, file.read_bytes(), headers_out)


def _content_type(file: Path) -> str:
    types = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}
    return types.get(file.suffix, "application/octet-stream")


def render_pdf(html: str, *, base_url: str = "http://localhost/") -> bytes:
    """Render a complete HTML page (with its print stylesheet links) to PDF bytes."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFetcher(), media_type="print").write_pdf()


def render_pdf_parts(parts: Sequence[str], *, base_url: str = "http://localhost/", workers: int = 0) -> bytes:
    """Render independent HTML documents (say, 250 pages of labels cut into chunks) and join them in order.

    WeasyPrint lays a document out on one core, and a district's 2,000 labels take longer than a cook should
    wait; chunks of whole pages render side by side in worker processes. Spawned, not forked: the web server
    runs threads, and forking a threaded process can copy a held lock.
    """
    workers = min(len(parts), workers or os.cpu_count() or 1)
    if workers <= 1:
        pdfs = [render_pdf(part, base_url=base_url) for part in parts]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            pdfs = list(pool.map(partial(render_pdf, base_url=base_url), parts))
    return join_pdfs(pdfs)


def join_pdfs(pdfs: Sequence[bytes]) -> bytes:
    if len(pdfs) == 1:
        return pdfs[0]
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attachment_header(filename: str) -> dict[str, str]:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    return {"Content-Disposition": f"attachment; filename=\"sheet.pdf\"; filename*=UTF-8''{quote(filename)}"}
