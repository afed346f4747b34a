"""The planning job's body, run by the worker: solve a draft, or slot late orders into a published plan."""

from __future__ import annotations

from sqlmodel import Session

import routing
from app.core import messages as msg
from app.core.errors import Conflict, NotFound
from app.dispatch import service as d
from app.dispatch.edit import insert_late_orders
from app.models import DeliveryPlan


def run_plan_job(session: Session, plan_id: int, progress: d.Progress, *, time_limit_s: float = 10.0,
                 deterministic: bool = False) -> None:
    """The worker's job body. A draft is (re)planned around its locks; a published plan only gets the orders
    that arrived after publication slotted in with the least disruption (routing.insert_late_stops)."""
    plan = session.get(DeliveryPlan, plan_id)
    if plan is None:
        raise NotFound(msg.DISPATCH_PLAN_NOT_FOUND)
    if plan.status == "published":
        insert_late_orders(session, plan, progress, time_limit_s=min(time_limit_s, 5.0))
        return
    t = d.build_problem(session, plan)

    def on_progress(p: routing.SolveProgress) -> None:
        progress(msg.JOB_STAGE_NAMES.get(p.stage, p.stage), p.best_cost)

    try:
        result = routing.solve(t.problem, time_limit_s=time_limit_s, deterministic=deterministic,
                               progress=on_progress)
    except routing.NoFeasibleRoute as exc:
        # Locks the dispatcher set cannot all be kept: say so in words instead of a technical failure.
        raise Conflict(msg.DISPATCH_LOCK_CONFLICT) from exc
    progress(msg.JOB_STAGE_NAMES["saving"], result.travel_s)
    d.store_plan(session, plan, t, result)
