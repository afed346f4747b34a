"""JSON for the driver's phone: the offline queue in driver.js posts each report here, possibly twice."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.deps import SessionDep, allow
from app.core.principal import Principal
from app.dispatch import driver as dv

router = APIRouter(prefix="/api/v1/driver")


class ReportIn(BaseModel):
    client_report_id: str = Field(min_length=8, max_length=64)
    stop_id: int
    # the buttons of the driver's page, as an enum in the published contract (issue 13, finding 14)
    choice: Literal["delivered", "delivered:well", "delivered:unwell", "delivered:needs_help", "no_answer", "problem",
                    "step:knock_again", "step:call_senior", "step:call_contact", "step:tell_office"]
    note: str = Field(default="", max_length=300)


class ReportOut(BaseModel):
    stop_id: int
    status: str
    duplicate: bool
    message: str


@router.post("/reports", name="api_driver:report", response_model=ReportOut)
def post_report(body: ReportIn, session: SessionDep, principal: Principal = allow("driver")) -> ReportOut:
    """Record a report; the same client_report_id sent again is answered with duplicate=true and changes nothing."""
    kind, wellness, step = dv.parse_choice(body.choice)
    result = dv.report(session, principal, stop_id=body.stop_id, kind=kind, client_report_id=body.client_report_id,
                       note=body.note, wellness=wellness, step=step)
    return ReportOut(stop_id=result.stop_id, status=result.status, duplicate=result.duplicate, message=result.message)
