"""Unknown and impossible ids in every route's path answer with a Chinese 4xx, never a 500, for the people
allowed the route (from the role matrix, so a new route is covered as soon as it is listed)."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from app.settings import ROOT
from tests.security.test_role_matrix import TABLE, _case_for, _routes
from tests.security.walk import call
from tests.security.world import World


def _int_params() -> list[tuple[str, str]]:
    return sorted((name, p.name) for name in TABLE for p in _routes()[name].route.dependant.path_params
                  if p.field_info.annotation is int)


INT_PARAMS = _int_params()
# An id no row has, and one beyond 64 bits (SQLite refuses to bind it at all).
BAD_IDS = ("987654", "9" * 25)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("name", "param"), INT_PARAMS)
def test_an_unknown_id_in_the_path_is_a_chinese_4xx(name: str, param: str, world: World, client: Any) -> None:
    route, case = _routes()[name], TABLE[name]
    who = sorted(case.roles - {"anonymous"})[0]

    answers = {bad: call(client, world, who, route, _case_for(replace(case, params={param: bad}), world))
               for bad in BAD_IDS}

    assert {bad: r.status_code for bad, r in answers.items() if not 400 <= r.status_code < 500} == {}
    assert [bad for bad, r in answers.items() if not CHINESE.search(_message(r))] == []


def test_no_handler_in_app_web_calls_select() -> None:
    """DESIGN.md: handlers parse, call one service and render; queries live in app/services."""
    calls = []
    for path in sorted((ROOT / "app" / "web").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _name(node.func) == "select":
                calls.append(f"{Path(path).relative_to(ROOT)}:{node.lineno}")

    assert calls == []


def test_no_module_in_app_web_imports_select() -> None:
    imports = [f"{path.relative_to(ROOT)}:{node.lineno}"
               for path in sorted((ROOT / "app" / "web").rglob("*.py"))
               for node in ast.walk(ast.parse(path.read_text(), str(path)))
               if isinstance(node, ast.ImportFrom) and any(a.name == "select" for a in node.names)]

    assert imports == []


def _message(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json().get("detail", ""))
    main = BeautifulSoup(response.text, "html.parser").select_one("main")
    return main.get_text(" ") if main else ""


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""
