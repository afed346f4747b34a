"""building register, where a senior's point came from, hand-corrected fields

Revision ID: 14b
Revises: 17b
Create Date: 2026-12-03 09:00:00+08:00

A district's buildings with WGS-84 coordinates let seniors' addresses find their map point offline (issue 14).
Seniors gain the point's source, the matched building, and the fields an operator corrected by hand (JSON) that a
re-import must keep. Allergies and dish allergens typed as free text are rewritten by the district's allergen list
(app.core.allergens: 花生米 → 花生, 海鲜 → 鱼、甲壳类、贝类; words not on the list stay as written). Ordering
compares by allergen anyway, so the downgrade leaves the rewritten text as it is.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "14b"
down_revision: str | None = "17b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district", S(length=20), nullable=False),
        sa.Column("compound", S(length=60), nullable=False),
        sa.Column("aliases", S(length=200), nullable=False),
        sa.Column("road", S(length=60), nullable=False),
        sa.Column("number", S(length=10), nullable=False),
        sa.Column("road_key", S(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("has_lift", sa.Boolean(), nullable=True),
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180", name=op.f("ck_building_coords")),
        sa.CheckConstraint("floors IS NULL OR floors BETWEEN 1 AND 60", name=op.f("ck_building_floors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building")),
        sa.UniqueConstraint("district", "compound", "number", name="uq_building_district_compound_number"),
    )
    op.create_index(op.f("ix_building_road_key"), "building", ["road_key"], unique=False)
    with op.batch_alter_table("senior", schema=None) as batch_op:
        batch_op.add_column(sa.Column("point_source", S(length=12), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("building_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hand_fields", S(length=4000), nullable=False, server_default="{}"))
        batch_op.create_index(batch_op.f("ix_senior_building_id"), ["building_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_senior_building_id_building"), "building", ["building_id"],
                                    ["id"], ondelete="SET NULL")
    _rewrite_allergens("senior", "allergies", 200)
    _rewrite_allergens("dish", "allergens", 100)


def _rewrite_allergens(table: str, column: str, limit: int) -> None:
    from app.core import allergens  # stdlib only: safe to import from a migration

    if op.get_context().as_sql:  # offline SQL for review: there are no rows to read
        return
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")).all()
    for row_id, text in rows:
        stored = allergens.normalise(text)[0][:limit]
        if stored != text:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), {"v": stored, "i": row_id})


def downgrade() -> None:
    with op.batch_alter_table("senior", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_senior_building_id_building"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_senior_building_id"))
        batch_op.drop_column("hand_fields")
        batch_op.drop_column("building_id")
        batch_op.drop_column("point_source")
    op.drop_index(op.f("ix_building_road_key"), table_name="building")
    op.drop_table("building")
