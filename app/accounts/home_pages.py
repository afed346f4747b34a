"""The home page: each role's entry point in Chinese."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.deps import PUBLIC
from app.core.principal import Principal
from app.core.templating import render

router = APIRouter()

# (role, route name, title, what it is for)
ENTRIES = [
    ("senior", "order:home", "长者点餐", "看今天和本周的菜单，订堂食、自取或送餐上门"),
    ("helper", "helper:home", "家属 / 志愿者代订", "为您关照的老人点餐，查看送餐和探访情况"),
    ("counter", "counter:home", "窗口点餐", "为到店老人查找并点餐"),
    ("kitchen", "kitchen:home", "厨房", "备餐数量、特殊膳食、装箱单和餐盒标签"),
    ("dispatcher", "dispatch:home", "送餐调度", "规划送餐路线、调整并发布"),
    ("driver", "driver:home", "送餐员", "今天的送餐路线、导航和送达登记"),
    ("operator", "admin:home", "运营管理", "食堂、菜单、长者、补贴方案和报表"),
]


@router.get("/", name="home")
def home(request: Request, principal: Principal | None = PUBLIC) -> Response:
    entries = [e for e in ENTRIES if principal is None or principal.has(e[0])] if principal else ENTRIES
    return render(request, "home.html", {"entries": entries})
