"""The operator's home: the day's picture per canteen or district."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.routing import NoMatchFound

from app import canteens as canteens_admin
from app.core.deps import SessionDep, allow, int_or_none
from app.core.principal import Principal
from app.core.templating import render, templates
from app.models import now
from app.reports import dashboard

router = APIRouter(prefix="/admin")
OPERATOR = allow("operator")

# (route name, label, section key): the operators' navigation, including other areas' operator pages.
NAV = [("admin:home", "今日概况", "home"), ("admin:menus", "每周菜单", "menus"),
       ("admin:catalogue", "菜品与套餐", "catalogue"), ("admin:seniors", "长者名册", "seniors"),
       ("admin:import", "导入名册", "import"), ("admin:buildings", "楼栋登记", "buildings"),
       ("admin:canteens", "食堂与餐次", "canteens"),
       ("admin:fleet", "送餐员与车辆", "fleet"), ("admin:reports", "统计报表", "reports"),
       ("subsidy:schemes", "补贴方案", "subsidy"), ("subsidy:settlement", "补贴核销", "settlement"),
       ("accounts:users", "账号管理", "users"), ("accounts:helper_links", "家属关联", "links"),
       ("accounts:audit", "操作记录", "audit"),
       ("planning:coverage", "服务圈覆盖", "planning"), ("planning:supply", "供给能力", "planning_supply"),
       ("planning:outreach", "政策找人", "planning_outreach"), ("planning:care", "探访关爱", "planning_care")]


def admin_nav(request: Request) -> list[tuple[str, str, str]]:
    """(url, label, key) for each page that exists; the router builds each URL, so a missing area drops out."""
    links = []
    for name, label, key in NAV:
        try:
            links.append((str(request.app.url_path_for(name)), label, key))
        except NoMatchFound:
            continue
    return links


def admin_link(request: Request, name: str) -> str:
    """The URL of another area's page, or "" while that page does not exist yet."""
    try:
        return str(request.app.url_path_for(name))
    except NoMatchFound:
        return ""


templates.env.globals.update(admin_nav=admin_nav, admin_link=admin_link)


@router.get("", name="admin:home")
def home(request: Request, session: SessionDep, canteen: str = "", district: str = "",
         principal: Principal = OPERATOR) -> Response:
    allowed = canteens_admin.allowed_canteens(principal)
    scope = dashboard.Scope(canteen_id=int_or_none(canteen), district=district.strip(),
                            allowed=allowed)
    picture = dashboard.picture(session, scope, now().date())
    return render(request, "reports/dashboard.html", {
        "p": picture, "form": {"canteen": canteen, "district": district}, "section": "home",
        "canteen_options": [("", "全部食堂")] + [(str(c.id), c.name)
                                                 for c in canteens_admin.list_canteens(session, allowed)],
        "district_options": [("", "全部区")] + [(d, d) for d in dashboard.districts(session)],
        "channels": dashboard.CHANNELS,
    })
