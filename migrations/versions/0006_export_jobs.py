"""export jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:11:21.908709
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("actor_kind", _enum("actorkind", "STAFF_USER", "API_KEY", "CUSTOMER",
                                      "SYSTEM", "ANONYMOUS"), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("kind", _enum("exportkind", "CUSTOMERS", "HISTORY"), nullable=False),
        sa.Column("format", _enum("exportformat", "CSV", "XLSX"), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("status", _enum("exportstatus", "PENDING", "RUNNING", "SUCCEEDED", "FAILED",
                                  "EXPIRED"), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("file_key", sa.String(length=300), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_export_jobs_organization_id_organizations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_export_jobs_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_export_jobs_status", ["status", "organization_id", "id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("export_jobs")
