"""background work on procrastinate; plan jobs with owner tokens and cancel; alerts raised once

Revision ID: 16b
Revises: 18b
Create Date: 2026-12-03 09:00:00+08:00

On PostgreSQL the job engine's own schema (procrastinate 3.10, its `schema.sql`) comes in here, so schema changes
only ever come from Alembic. On SQLite there is no engine schema: the worker's local runner takes the plans whose
job_state is 'queued' (app.jobs.local).

The home-made queue's heartbeat column goes (the engine's workers beat their hearts); a plan job now records who
may store its result (job_owner), the engine's job id (to cancel it), when it was queued (for expiry), and may be
'cancelled'. Alerts raised by periodic checks carry a unique dedupe_key; a cutoff notice has no senior.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from app.models.base import AwareDateTime

revision: str = "16b"
down_revision: str | None = "18b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "job_state IN ('idle', 'queued', 'running', 'done', 'failed')"
NEW_STATES = "job_state IN ('idle', 'queued', 'running', 'done', 'failed', 'cancelled')"
OLD_KINDS = "kind IN ('no_answer', 'wellness', 'problem', 'silence')"
NEW_KINDS = "kind IN ('no_answer', 'wellness', 'problem', 'silence', 'cutoff', 'evidence')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        _raw(SchemaManager.get_schema())
    with op.batch_alter_table("delivery_plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_delivery_plan_job_state"), type_="check")
        batch_op.alter_column("job_state", existing_type=sa.String(length=8), type_=sa.String(length=10),
                              existing_nullable=False)
        batch_op.drop_column("job_heartbeat_at")
        batch_op.add_column(sa.Column("job_queued_at", AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("job_owner", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("job_engine_id", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_delivery_plan_job_state"), NEW_STATES)
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_alert_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_alert_kind"), NEW_KINDS)
        batch_op.alter_column("senior_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_alert_dedupe_key"), ["dedupe_key"])


def downgrade() -> None:
    op.execute("DELETE FROM alert WHERE senior_id IS NULL OR kind IN ('cutoff', 'evidence')")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_alert_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
        batch_op.alter_column("senior_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("ck_alert_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_alert_kind"), OLD_KINDS)
    op.execute("UPDATE delivery_plan SET job_state = 'idle' WHERE job_state = 'cancelled'")
    with op.batch_alter_table("delivery_plan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_delivery_plan_job_state"), type_="check")
        batch_op.drop_column("job_engine_id")
        batch_op.drop_column("job_owner")
        batch_op.drop_column("job_queued_at")
        batch_op.add_column(sa.Column("job_heartbeat_at", AwareDateTime(timezone=True), nullable=True))
        batch_op.alter_column("job_state", existing_type=sa.String(length=10), type_=sa.String(length=8),
                              existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_delivery_plan_job_state"), OLD_STATES)
    if op.get_bind().dialect.name == "postgresql":
        _drop_procrastinate()


def _drop_procrastinate() -> None:
    """Everything procrastinate's schema file created is named procrastinate_*: tables, functions, types."""
    _raw("""
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
                     AND tablename LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                     AND t.typtype IN ('e', 'c') LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
            END LOOP;
        END $$;
    """)


def _raw(sql: str) -> None:
    """Run a PostgreSQL script as it is: no bind parameters, so its `%` and `:` mean what they say (offline, for
    review, the script is printed as it is)."""
    if context.is_offline_mode():
        op.execute(sql)
        return
    op.get_bind().execution_options(no_parameters=True).exec_driver_sql(sql)
