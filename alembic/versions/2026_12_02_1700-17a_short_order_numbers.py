"""short order numbers per service date and canteen

Revision ID: 17a
Revises: 13a
Create Date: 2026-12-02 17:00:00+08:00

Orders get a short number (1.., shown 0012) that can be read out over the phone. A counter row per
(service date, canteen) hands them out under its row lock; a unique constraint on the order is the backstop.
Orders placed before this change keep short_no NULL and are shown by their public_no.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "17a"
down_revision: str | None = "13a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_number_counter",
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_no >= 0 AND last_no <= 999999", name=op.f("ck_order_number_counter_last_no_range")),
        sa.ForeignKeyConstraint(["canteen_id"], ["canteen.id"], name=op.f("fk_order_number_counter_canteen_id_canteen")),
        sa.PrimaryKeyConstraint("service_date", "canteen_id", name=op.f("pk_order_number_counter")),
    )
    with op.batch_alter_table("meal_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_no", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_meal_order_short_no"), ["service_date", "canteen_id", "short_no"])
        batch_op.create_check_constraint(
            batch_op.f("ck_meal_order_short_no_range"), "short_no IS NULL OR (short_no >= 1 AND short_no <= 999999)")


def downgrade() -> None:
    with op.batch_alter_table("meal_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_meal_order_short_no_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_meal_order_short_no"), type_="unique")
        batch_op.drop_column("short_no")
    op.drop_table("order_number_counter")
