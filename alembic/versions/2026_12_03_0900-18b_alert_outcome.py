"""An alert is closed with what was done: called the contact, visited, sent to hospital, or other with a note.

Revision ID: 18b
Revises: 17a
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "18b"
down_revision: str | None = "17a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "outcome IN ('', 'called_contact', 'visited', 'hospital', 'other')"


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(
            sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="")
        )
        batch.create_check_constraint(op.f("ck_alert_outcome"), OUTCOMES)


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("ck_alert_outcome"), type_="check")
        batch.drop_column("outcome")
