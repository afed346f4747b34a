"""A published plan that breaks a food-safety limit carries the dispatcher's written reason.

Revision ID: 18a
Revises: 21a
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "18a"
down_revision: str | None = "21a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_plan") as batch:
        batch.add_column(
            sa.Column("safety_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_plan") as batch:
        batch.drop_column("safety_reason")
