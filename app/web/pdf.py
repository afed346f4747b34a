"""Server-side PDF rendering of printable pages (WeasyPrint, Noto CJK), reusable by every area.

The same HTML a browser prints is rendered here, so a sheet looks alike from the print dialog and as a download.
Stylesheets and images are read from `app/static` on disk: rendering never opens a network connection.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
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


def attachment_header(filename: str) -> dict[str, str]:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    return {"Content-Disposition": f"attachment; filename=\"sheet.pdf\"; filename*=UTF-8''{quote(filename)}"}
