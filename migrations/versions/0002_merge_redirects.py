"""merge redirects

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:42:06.314316
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_redirects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "merged_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_redirects_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["customers.id"],
            name=op.f("fk_customer_redirects_target_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_redirects")),
        sa.UniqueConstraint("merged_id", name=op.f("uq_customer_redirects_merged_id")),
    )
    with op.batch_alter_table("customer_redirects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_redirects_target_id"), ["target_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_redirects_target_id"))

    op.drop_table("customer_redirects")
