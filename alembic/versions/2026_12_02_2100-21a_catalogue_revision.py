"""catalogue revision: the counter per-process menu caches key on

Revision ID: 21a
Revises: 0001
Create Date: 2026-12-02 17:50:00+08:00
"""
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "21a"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "catalogue_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("stamp", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0, "stamp": secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table("catalogue_revision")
