"""voucher reversals and withdrawn scheme versions

Revision ID: 15b
Revises: 14b
Create Date: 2026-12-03 09:00:00+08:00

The voucher ledger takes reversing entries: a refund or correction is a new negative row pointing at the
payment it takes back (at most one reversal per payment), never an edit of the payment. A scheme version that
is not yet in force may be withdrawn; the row stays, marked with when, who and why.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import AwareDateTime

revision: str = "15b"
down_revision: str | None = "14b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REVERSAL = "(reverses_id IS NULL AND amount_fen > 0) OR (reverses_id IS NOT NULL AND amount_fen < 0)"


def upgrade() -> None:
    with op.batch_alter_table("voucher_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=False, server_default=""))
        batch_op.drop_constraint(batch_op.f("ck_voucher_payment_amount_positive"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_voucher_payment_amount_nonzero"), "amount_fen <> 0")
        batch_op.create_check_constraint(batch_op.f("ck_voucher_payment_reversal_negative"), _REVERSAL)
        batch_op.create_unique_constraint(batch_op.f("uq_voucher_payment_reverses_id"), ["reverses_id"])
        batch_op.create_foreign_key(batch_op.f("fk_voucher_payment_reverses_id_voucher_payment"),
                                    "voucher_payment", ["reverses_id"], ["id"])
    with op.batch_alter_table("voucher_payment", schema=None) as batch_op:
        batch_op.alter_column("reason", server_default=None)
    with op.batch_alter_table("subsidy_scheme_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdraw_reason", sa.String(length=300), nullable=False, server_default=""))
        batch_op.create_foreign_key(batch_op.f("fk_subsidy_scheme_version_withdrawn_by_id_app_user"),
                                    "app_user", ["withdrawn_by_id"], ["id"])
    with op.batch_alter_table("subsidy_scheme_version", schema=None) as batch_op:
        batch_op.alter_column("withdraw_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("subsidy_scheme_version", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_subsidy_scheme_version_withdrawn_by_id_app_user"), type_="foreignkey")
        batch_op.drop_column("withdraw_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
    op.execute("DELETE FROM voucher_payment WHERE amount_fen < 0")
    with op.batch_alter_table("voucher_payment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_voucher_payment_reverses_id_voucher_payment"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_voucher_payment_reverses_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_voucher_payment_reversal_negative"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_voucher_payment_amount_nonzero"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_voucher_payment_amount_positive"), "amount_fen > 0")
        batch_op.drop_column("reason")
        batch_op.drop_column("reverses_id")
