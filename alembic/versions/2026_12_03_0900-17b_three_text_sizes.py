"""three text sizes: 标准 / 大 / 特大

Revision ID: 17b
Revises: 16b
Create Date: 2026-12-03 09:00:00+08:00

The text-size setting had two steps, 大 (the default, 24 px body text on senior pages) and 特大. It now has three:
标准 (24 px, the default), 大 (28 px) and 特大 (32 px). Accounts still on the old default 大 never chose it, so they
become 标准 and see the page they saw before; 特大 stays 特大.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "17b"
down_revision: str | None = "16b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_app_user_font_size"), type_="check")
    op.execute("UPDATE app_user SET font_size = '标准' WHERE font_size = '大'")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_app_user_font_size"), "font_size IN ('标准', '大', '特大')")


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_app_user_font_size"), type_="check")
    op.execute("UPDATE app_user SET font_size = '大' WHERE font_size = '标准'")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_app_user_font_size"), "font_size IN ('大', '特大')")
