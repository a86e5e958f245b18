"""customers by updated_at: the list filters and sorts by it, for incremental sync

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Like the list's other sort indexes: the customers it shows (not erased), then id, so that
    # a page since a moment walks the index.
    op.create_index(
        "ix_customers_org_updated_at", "customers", ["organization_id", "updated_at", "id"],
        unique=False, postgresql_where=sa.text("erased_at IS NULL"),
        sqlite_where=sa.text("erased_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_customers_org_updated_at", table_name="customers")
