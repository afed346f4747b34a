"""A small lunch for the browser stories: one canteen, two drivers on e-bikes, eight doors around it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import jobs
from app.core.principal import Principal
from app.dispatch import edit
from app.dispatch import service as dispatch
from tests.factories import PASSWORD, make_canteen, make_delivery_orders, make_driver, make_user, now

TODAY = now().date()
DOORS = [(0.003, 0.001), (0.004, -0.002), (0.006, 0.002), (0.002, 0.004),
         (-0.003, 0.001), (-0.004, -0.003), (-0.006, 0.001), (-0.002, -0.004)]


def lunch(session: Session) -> dict[str, Any]:
    canteen = make_canteen(session, name="彭浦新村长者食堂")
    make_driver(session, canteen, TODAY, name="孙师傅", phone="13900000011", capacity=6)
    make_driver(session, canteen, TODAY, name="钱师傅", phone="13900000012", capacity=6)
    orders = make_delivery_orders(session, canteen, TODAY, DOORS[:4], driver_notes="耳背请大声敲门")
    orders += make_delivery_orders(session, canteen, TODAY, DOORS[4:6], lives_alone=True, floor=4, has_lift=False)
    orders += make_delivery_orders(session, canteen, TODAY, DOORS[6:])
    dispatcher = make_user(session, ("dispatcher", canteen.id), phone="13900000003", name="王调度")
    make_user(session, "operator", phone="13900000001", name="陈运营")
    return {"canteen": canteen, "orders": orders, "dispatcher": dispatcher}


def run_jobs(engine: Engine) -> int:
    """The worker's loop, in the test process, until the queue is empty (tiny time limit)."""
    return jobs.drain(engine, time_limit_s=1.0, deterministic=True, in_child=False)


def planned_and_published(session: Session, engine: Engine, world: dict[str, Any]) -> int:
    plan = dispatch.plan_for(session, world["canteen"].id, TODAY, "lunch")
    jobs.enqueue(session, plan.id or 0)
    run_jobs(engine)
    principal = Principal(user_id=world["dispatcher"].id, name="王调度",
                          roles={"dispatcher": frozenset({world["canteen"].id})}, senior_id=None, font_size="大",
                          session_id=0, csrf_token="")
    edit.publish(session, principal, plan.id or 0)
    return plan.id or 0


def sign_in(page: Any, phone: str) -> None:
    page.goto("/login?mode=staff")
    page.fill("#f-phone", phone)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
