"""The API's browsable docs, served from this site: Swagger UI 5 (OpenAPI 3.1) comes from the swagger-ui-py
package (no CDN, which the closed network and the CSP would both refuse) and starts from a script file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
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


# Every refusal any /api/v1 operation can give, in the one shape the error handler writes (issue 13, finding 14):
# the schema promised what the server answers, so a client generated from it handles each.
ERRORS = {
    "400": "请求格式不对（如 JSON 写错了）", "401": "没有登录或登录已过期", "403": "没有权限，或 CSRF 令牌不对",
    "404": "没有找到", "409": "请求没错，但这一餐或老人的情况不允许（如已订过、已截止、已订完、不送餐、过敏）",
    "410": "已经过期", "413": "请求太大",
    "422": "有字段不对，errors 逐项说明", "429": "尝试太频繁，请按 Retry-After 等一下", "503": "系统正忙，请按 Retry-After 稍后再试",
}
ERROR_SCHEMA = {"title": "Error", "type": "object", "required": ["detail"], "properties": {
    "detail": {"type": "string", "description": "给人看的中文说明"},
    "errors": {"type": "object", "additionalProperties": {"type": "string"}, "description": "字段名 → 中文说明"}}}


def _with_errors(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, text in ERRORS.items():
                responses[code] = {"description": text, "content": body}
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_errors(get_openapi(title=app.title, version=app.version, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/api/docs-assets", StaticFiles(directory=str(SWAGGER_STATIC)), name="api_docs_assets")
    app.add_route("/api/docs", docs_page, include_in_schema=False)
