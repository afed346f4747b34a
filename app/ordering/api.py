"""Ordering as JSON under /api/v1 (menus, quote, place, cancel, list), for a WeChat mini-program or a kiosk.
The same rules and prices as the pages; errors come back as {"detail": "<中文说明>"} with the HTTP status."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import to_json

from app.core import audit
from app.core.deps import SessionDep, allow, client_address
from app.core.principal import Principal
from app.ordering import api_data as ordering_api
from app.ordering import rules
from app.ordering import service as ordering
from app.ordering.views import MealView, OrderView

router = APIRouter(prefix="/api/v1", tags=["点餐"])
ORDERING_ROLES = ("senior", "helper", "counter")
KEY_PATTERN = r"^([A-Za-z0-9_-]{8,64})?$"  # the service's rule, published (empty: the key is in the other place)


class ItemOut(BaseModel):
    id: int = Field(description="菜单项编号，下单时填在 items[].menu_item_id")
    kind: str = Field(description="set 套餐 / dish 单点菜")
    name: str = Field(description="名称")
    price_fen: int = Field(description="标准份价格，单位：分")
    small_price_fen: int | None = Field(description="小份价格（分）；没有小份时为空")
    members: list[str] = Field(description="套餐包含的菜")
    diet_tags: list[str] = Field(description="膳食标签，如 低盐、低脂（套餐为每道菜都有的标签）")
    allergens: list[str] = Field(description="含有的过敏原")
    textures: list[str] = Field(description="这位老人可以选的做法，按接近其需要的顺序；第一项为默认")
    left: int | None = Field(description="还剩几份；不限量时为空")
    blocked: str = Field(description="不能订的原因（过敏、没有合适做法、已订完）；可以订时为空字符串")
    alternative_id: int | None = Field(description="不能订时建议改订的菜单项编号")


class WayOut(BaseModel):
    fulfilment: str = Field(description="dine_in 堂食 / pickup 自取 / delivery 送餐上门")
    open: bool = Field(description="现在还能不能这样订")
    cutoff_words: str = Field(description="截止时间的说法，如“今天上午9:30前可订”")
    problem: str = Field(description="不能订时的原因（已截止、超出送餐范围等）")


class MealOut(BaseModel):
    menu_id: int = Field(description="菜单编号，下单时填在 menu_id")
    canteen_name: str = Field(description="食堂名称")
    service_date: date = Field(description="用餐日期")
    slot: str = Field(description="lunch 午餐 / dinner 晚餐 / breakfast 早餐")
    title: str = Field(description="这一餐的说法，如“今天午餐”")
    items: list[ItemOut]
    ways: list[WayOut] = Field(description="堂食、自取、送餐上门各自能否订、截止时间")
    order_id: int | None = Field(description="这一餐已订的订单编号；未订时为空")


class LineIn(BaseModel):
    menu_item_id: int = Field(description="菜单项编号")
    quantity: int = Field(default=1, ge=1, le=ordering.MAX_QUANTITY, description="份数")
    # enums in the published contract (issue 13, finding 14)
    texture: Literal["", "普通", "软食", "碎食", "糊状"] = Field(default="", description="做法：普通 / 软食 / 碎食 / 糊状；留空则按老人自己的需要")
    portion: Literal["标准", "小份"] = Field(default="标准", description="标准 / 小份")


class OrderIn(BaseModel):
    senior_id: int = Field(description="为哪位老人点餐（本人、已授权的家属志愿者、本食堂窗口）")
    menu_id: int = Field(description="菜单编号（决定食堂、日期和餐次）")
    fulfilment: Literal["dine_in", "pickup", "delivery"] = Field(description="dine_in 堂食 / pickup 自取 / delivery 送餐上门")
    items: list[LineIn] = Field(min_length=1, max_length=10, description="点的菜")
    idempotency_key: str = Field(default="", max_length=64, pattern=KEY_PATTERN,
                                 description="防重复提交编号（8–64 位字母数字）；也可放在 Idempotency-Key 请求头")
    note: str = Field(default="", max_length=200, description="备注")


class QuoteOut(BaseModel):
    list_fen: int = Field(description="原价（分），含送餐费")
    delivery_fee_fen: int = Field(description="送餐费（分）")
    discount_fen: int = Field(description="折扣（分）")
    subsidy_fen: int = Field(description="补贴（分）")
    payable_fen: int = Field(description="自付（分）= 原价 − 折扣 − 补贴")
    discount_name: str = Field(description="折扣的名义")
    category_name: str = Field(description="补贴类别")
    explanation: str = Field(description="为什么是这个价，一句话")
    arrival: str = Field(description="什么时候送到或来吃")
    cancel_until: str = Field(description="下单后多久以前还能取消，如“今天上午9:30”")


class OrderOut(BaseModel):
    id: int
    public_no: str = Field(description="完整订单号：日期-食堂-当天号码，全市不重复")
    order_no: str = Field(description="当天本食堂的短号（如 0012），可以在电话里读出来")
    senior_id: int
    canteen_name: str
    service_date: date
    slot: str
    fulfilment: str
    status: str = Field(description="placed 已订 / cancelled 已取消 / served / delivered / no_answer / refunded")
    items: list[str] = Field(description="点的菜，含做法")
    list_fen: int
    discount_fen: int
    subsidy_fen: int
    payable_fen: int
    explanation: str
    arrival: str
    cancellable: bool = Field(description="现在还能不能取消")
    changeable_until_words: str = Field(description="可以取消到什么时候")


def _meal(meal: MealView) -> dict[str, Any]:
    """A meal as MealOut's JSON, built as plain dicts: a week's menus are some two hundred items a request, and
    building each as a model first cost a quarter of the answer (issue 21). The keys are MealOut's fields; a
    test reads the answer back through MealOut, so the published schema and the answer cannot drift apart."""
    return {
        "menu_id": meal.menu_id, "canteen_name": meal.canteen_name, "service_date": meal.service_date,
        "slot": meal.slot, "title": meal.title,
        "items": [{"id": v.item.id, "kind": v.item.kind, "name": v.item.name, "price_fen": v.item.price_fen,
                   "small_price_fen": v.item.small_price_fen, "members": v.item.members,
                   "diet_tags": v.item.diet_tags, "allergens": v.item.allergens, "textures": v.textures,
                   "left": v.item.left, "blocked": v.blocked, "alternative_id": v.alternative_id}
                  for v in meal.items],
        "ways": [{"fulfilment": w.fulfilment, "open": w.open, "cutoff_words": w.cutoff_words, "problem": w.problem}
                 for w in meal.ways],
        "order_id": meal.order.id if meal.order else None,
    }


def _order(view: OrderView) -> OrderOut:
    return OrderOut.model_validate({**view.__dict__, "items": list(view.items)})


def _request(body: OrderIn, key: str = "") -> ordering.OrderRequest:
    choices = tuple(ordering.Choice(i.menu_item_id, i.quantity, i.texture, i.portion) for i in body.items)
    return ordering.OrderRequest(body.senior_id, body.menu_id, body.fulfilment, choices,
                                 key or body.idempotency_key, body.note)


def _now() -> datetime:
    return rules.current_time()


_ORDER_JSON = TypeAdapter(OrderOut)


def _json(adapter: TypeAdapter[Any], value: Any, status_code: int = 200) -> Response:
    """The answer serialised here, in the handler's thread, by the response model's own serialiser: FastAPI
    would otherwise validate the models we just built a second time, in one more thread hop (issue 21). The
    route's `response_model` still publishes the schema."""
    return Response(adapter.dump_json(value), status_code=status_code, media_type="application/json")


@router.get("/menus", name="api_orders:menus", response_model=list[MealOut], summary="菜单：今天起几天的午餐和晚餐")
def menus(session: SessionDep, senior_id: Annotated[int, Query(description="为哪位老人看菜单")],
          days: Annotated[int, Query(ge=1, le=14, description="看几天")] = 7,
          principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    """每道菜都按这位老人的过敏和做法标出能不能订；每种吃法都给出截止时间。"""
    meals = [_meal(m) for m in ordering_api.menus(session, principal, senior_id, days, _now())]
    return Response(to_json(meals), media_type="application/json")


@router.post("/quote", name="api_orders:quote", response_model=QuoteOut, summary="算价：原价、折扣、补贴、自付")
def quote(body: OrderIn, session: SessionDep, principal: Principal = allow(*ORDERING_ROLES)) -> QuoteOut:
    """检查所有规则并按补贴方案算价，不下单。出错时返回中文说明。"""
    q = ordering_api.quote(session, principal, _request(body), _now())
    b = q.draft.breakdown
    return QuoteOut(list_fen=b.list_fen, delivery_fee_fen=b.delivery_fee_fen, discount_fen=b.discount_fen,
                    subsidy_fen=b.subsidy_fen, payable_fen=b.payable_fen, discount_name=b.discount_name,
                    category_name=b.category_name, explanation=b.explanation, arrival=q.draft.arrival,
                    cancel_until=q.cancel_until_words)


@router.post("/orders", name="api_orders:place", response_model=OrderOut, status_code=201, summary="下单")
def place(body: OrderIn, session: SessionDep,
          idempotency_key: Annotated[str, Header(alias="Idempotency-Key", max_length=64, pattern=KEY_PATTERN)] = "",
          principal: Principal = allow(*ORDERING_ROLES)) -> Response:
    """同一个防重复提交编号再次提交，返回原来那笔订单（200），不会下两单。"""
    view, created = ordering_api.place(session, principal, _request(body, idempotency_key), _now())
    return _json(_ORDER_JSON, _order(view), 201 if created else 200)


@router.get("/orders", name="api_orders:list", response_model=list[OrderOut], summary="这位老人今天起已订的餐")
def orders(request: Request, session: SessionDep, senior_id: Annotated[int, Query(description="哪位老人")],
           principal: Principal = allow(*ORDERING_ROLES)) -> list[OrderOut]:
    found = [_order(v) for v in ordering_api.orders(session, principal, senior_id, _now())]
    if principal.has("counter") and principal.senior_id != senior_id:  # a sensitive read (issue 13, finding 13)
        audit.record_read(session, user_id=principal.user_id, action="senior.counter_view", object_type="senior",
                          object_id=senior_id, detail="/api/v1/orders", address=client_address(request))
    return found


@router.post("/orders/{order_id}/cancel", name="api_orders:cancel", response_model=OrderOut, summary="取消订单")
def cancel(order_id: int, session: SessionDep, principal: Principal = allow(*ORDERING_ROLES)) -> OrderOut:
    """截止前、以及下单后至少 10 分钟内可以取消；份数和补贴名额随之退回。"""
    return _order(ordering_api.cancel(session, principal, order_id, _now()))
