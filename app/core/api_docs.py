"""The API's browsable docs, served from this site: Swagger UI 5 (OpenAPI 3.1) comes from the swagger-ui-py
package (no CDN, which the closed network and the CSP would both refuse) and starts from a script file."""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>长者食堂助餐平台 API 文档</title>
<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec="/api/openapi.json"></div>
<script src="/api/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>"""


async def docs_page(_request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


def install(app: FastAPI) -> None:
    app.mount("/api/docs-assets", StaticFiles(directory=str(SWAGGER_STATIC)), name="api_docs_assets")
    app.add_route("/api/docs", docs_page, include_in_schema=False)
