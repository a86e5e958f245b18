"""audit log: request id on events, a customer's events indexed by id

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        # `Customer.activity` reads a customer's events newest first by id, a page at a time.
        batch_op.drop_index("ix_domain_events_customer")
        batch_op.create_index("ix_domain_events_customer", ["customer_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_events_customer")
        batch_op.create_index("ix_domain_events_customer", ["customer_id"], unique=False)
        batch_op.drop_column("request_id")
