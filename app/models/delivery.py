"""Drivers, vehicles, delivery plans with routes and stops, and what drivers report at the door."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class Driver(SQLModel, table=True):
    __tablename__ = "driver"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", unique=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    name: str = Field(max_length=40)
    phone: str = Field(max_length=20)
    active: bool = True


class Vehicle(SQLModel, table=True):
    __tablename__ = "vehicle"
    __table_args__ = (
        CheckConstraint("kind IN ('ebike', 'car', 'foot')", name="kind"),
        CheckConstraint("capacity_meals >= 1", name="capacity_positive"),
        CheckConstraint("speed_kmh IS NULL OR speed_kmh > 0", name="speed_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    name: str = Field(max_length=40)
    kind: str = Field(default="ebike", max_length=6)
    capacity_meals: int = 16
    speed_kmh: float | None = None
    active: bool = True


class DriverShift(SQLModel, table=True):
    """Who drives which vehicle for a canteen's slot on a date, and when their shift runs."""

    __tablename__ = "driver_shift"
    __table_args__ = (
        UniqueConstraint("driver_id", "service_date", "slot", name="uq_driver_shift_driver_date_slot"),
        CheckConstraint("max_trips BETWEEN 1 AND 5", name="max_trips"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    service_date: date = Field(index=True)
    slot: str = Field(max_length=12)
    start_at: datetime = ts_field()
    end_at: datetime = ts_field()
    max_trips: int = 1


class DeliveryPlan(SQLModel, table=True):
    """Routes for one canteen × date × slot. Solving runs as a background job (app.jobs) whose state the page
    polls lives here; `job_owner` is the token of the run that may store a result, `job_engine_id` the job
    engine's id (procrastinate on PostgreSQL; None on the SQLite default's local runner)."""

    __tablename__ = "delivery_plan"
    __table_args__ = (
        UniqueConstraint("canteen_id", "service_date", "slot", name="uq_delivery_plan_canteen_date_slot"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("job_state IN ('idle', 'queued', 'running', 'done', 'failed', 'cancelled')", name="job_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    service_date: date = Field(index=True)
    slot: str = Field(max_length=12)
    status: str = Field(default="draft", max_length=10)
    version: int = 0
    job_state: str = Field(default="idle", max_length=10)
    job_stage: str = Field(default="", max_length=40)
    job_best_cost: int | None = None
    job_started_at: datetime | None = ts_field(nullable=True)
    job_queued_at: datetime | None = ts_field(nullable=True)
    job_owner: str | None = Field(default=None, max_length=36)
    job_engine_id: int | None = Field(default=None, sa_type=BigInteger)
    job_finished_at: datetime | None = ts_field(nullable=True)
    job_error: str = Field(default="", max_length=300)
    dispatch_at: datetime | None = ts_field(nullable=True)
    continuity_weight: int = 300
    total_travel_s: int = 0
    total_distance_m: int = 0
    published_at: datetime | None = ts_field(nullable=True)
    published_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # Published although a stop is past its ride limit or eat-by time: the dispatcher's written reason, shown
    # to the drivers and the kitchen; empty when the plan kept every food-safety limit.
    safety_reason: str = Field(default="", max_length=300)


class DeliveryRoute(SQLModel, table=True):
    __tablename__ = "delivery_route"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="delivery_plan.id", index=True, ondelete="CASCADE")
    driver_id: int = Field(foreign_key="driver.id", index=True)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    position: int = 0
    color: str = Field(default="#1f6feb", max_length=9)
    locked: bool = False
    travel_s: int = 0
    distance_m: int = 0
    meals: int = 0


class DeliveryStop(SQLModel, table=True):
    """One door on a route. client_report_id makes an offline report replayed twice count once."""

    __tablename__ = "delivery_stop"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'no_answer', 'problem')", name="status"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="delivery_route.id", index=True, ondelete="CASCADE")
    order_id: int = Field(foreign_key="meal_order.id", unique=True)
    seq: int
    trip: int = 1
    eta: datetime | None = ts_field(nullable=True)
    ride_s: int = 0
    meals: int = 1
    locked: bool = False
    status: str = Field(default="pending", max_length=10)
    reported_at: datetime | None = ts_field(nullable=True)
    note: str = Field(default="", max_length=300)
    client_report_id: str | None = Field(default=None, max_length=64, unique=True)


class UnassignedStop(SQLModel, table=True):
    """An order the planner could not serve, with the reason in words; never silently dropped."""

    __tablename__ = "unassigned_stop"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="delivery_plan.id", index=True, ondelete="CASCADE")
    order_id: int = Field(foreign_key="meal_order.id")
    reason_code: str = Field(max_length=40)
    reason: str = Field(max_length=200)


class StopEvent(SQLModel, table=True):
    """Each step a driver records at a door (knocked again, called senior, called contact, told office)."""

    __tablename__ = "stop_event"

    id: int | None = Field(default=None, primary_key=True)
    stop_id: int = Field(foreign_key="delivery_stop.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)
    at: datetime = ts_field(default_now=True)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str = Field(default="", max_length=300)
    client_report_id: str | None = Field(default=None, max_length=64, unique=True)


class WellnessCheck(SQLModel, table=True):
    """探访关爱 at the door for seniors living alone (MZ/T 237—2024)."""

    __tablename__ = "wellness_check"
    __table_args__ = (CheckConstraint("result IN ('well', 'unwell', 'needs_help')", name="result"),)

    id: int | None = Field(default=None, primary_key=True)
    stop_id: int = Field(foreign_key="delivery_stop.id", unique=True)
    senior_id: int = Field(foreign_key="senior.id", index=True)
    result: str = Field(max_length=12)
    seen_in_person: bool = True
    note: str = Field(default="", max_length=300)
    at: datetime = ts_field(default_now=True)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")


class Alert(SQLModel, table=True):
    """Something an operator must act on: a no-answer, a wellness concern, a problem at the door."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint("kind IN ('no_answer', 'wellness', 'problem', 'silence', 'cutoff', 'evidence')",
                        name="kind"),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status"),
        CheckConstraint("outcome IN ('', 'called_contact', 'visited', 'hospital', 'other')", name="outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    status: str = Field(default="open", max_length=12, index=True)
    # None only for a notice about a canteen's slot (kind "cutoff"), not about one senior.
    senior_id: int | None = Field(default=None, foreign_key="senior.id", index=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    stop_id: int | None = Field(default=None, foreign_key="delivery_stop.id")
    message: str = Field(max_length=300)
    created_at: datetime = ts_field(default_now=True, index=True)
    handled_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    handled_at: datetime | None = ts_field(nullable=True)
    handling_note: str = Field(default="", max_length=300)
    # What was done when it was closed ('' while open): kept as the senior's alert history.
    outcome: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    # Set by the periodic checks (app.jobs.checks): what the alert is about ("silence:12:2026-11-30"), unique, so
    # two workers checking at once cannot raise it twice. None for alerts raised by people.
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
