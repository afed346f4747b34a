"""One standing order per senior and slot, one daily subsidy per senior and scheme, held by the database.

Revision ID: 13a
Revises: 20a
Create Date: 2026-12-02 13:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "13a"
down_revision = "20a"
branch_labels = None
depends_on = None

STANDING = "status IN ('placed', 'served', 'delivered', 'no_answer')"
CLAIMS_DAY = STANDING + " AND subsidy_day IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("meal_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subsidy_day", sa.Date(), nullable=True))
    op.create_index("uq_meal_order_standing_slot", "meal_order", ["senior_id", "service_date", "slot"],
                    unique=True, sqlite_where=sa.text(STANDING), postgresql_where=sa.text(STANDING))
    op.create_index("uq_meal_order_subsidy_day", "meal_order", ["senior_id", "scheme_key", "subsidy_day"],
                    unique=True, sqlite_where=sa.text(CLAIMS_DAY), postgresql_where=sa.text(CLAIMS_DAY))


def downgrade() -> None:
    op.drop_index("uq_meal_order_subsidy_day", table_name="meal_order")
    op.drop_index("uq_meal_order_standing_slot", table_name="meal_order")
    with op.batch_alter_table("meal_order", schema=None) as batch_op:
        batch_op.drop_column("subsidy_day")
