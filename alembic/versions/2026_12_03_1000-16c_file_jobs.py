"""file jobs: slow files built in the background, offered when ready

Revision ID: 16c
Revises: 15b
Create Date: 2026-12-03 10:00:00+08:00

The brief names 16b as the parent; on main 16b is followed (17b, 14b, then 15b), so this chains to the head, 15b, to
keep one head (the lead re-chains at merge). A partial unique index keeps one queued/running job per dedupe key.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from app.models.base import AwareDateTime

revision: str = "16c"
down_revision: str | None = "15b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "state IN ('queued', 'running')"


def upgrade() -> None:
    op.create_table(
        "file_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.String(length=2000), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.String(length=80), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("download_name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=80), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=36), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("engine_id", sa.Integer(), nullable=True),
        sa.Column("created_at", AwareDateTime(), nullable=False),
        sa.Column("started_at", AwareDateTime(), nullable=True),
        sa.Column("finished_at", AwareDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')",
                           name=op.f("ck_file_job_state")),
        sa.ForeignKeyConstraint(["requester_id"], ["app_user.id"], name=op.f("fk_file_job_requester_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_job")),
    )
    op.create_index(op.f("ix_file_job_requester_id"), "file_job", ["requester_id"], unique=False)
    op.create_index(op.f("ix_file_job_state"), "file_job", ["state"], unique=False)
    op.create_index("ix_file_job_active_dedupe", "file_job", ["dedupe_key"], unique=True,
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade() -> None:
    op.drop_index("ix_file_job_active_dedupe", table_name="file_job")
    op.drop_index(op.f("ix_file_job_state"), table_name="file_job")
    op.drop_index(op.f("ix_file_job_requester_id"), table_name="file_job")
    op.drop_table("file_job")
