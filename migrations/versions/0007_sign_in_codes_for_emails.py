"""sign-in codes for emails too: `phone_e164` becomes `destination` (a phone in E.164 or a
lower-cased email)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite alters a table by copying it.
    with op.batch_alter_table("sign_in_codes") as batch:
        batch.drop_constraint("uq_sign_in_codes_organization_id_phone_e164", type_="unique")
        batch.alter_column("phone_e164", new_column_name="destination",
                           existing_type=sa.String(length=20), type_=sa.String(length=254),
                           existing_nullable=False)
    # A second batch: in the first, SQLite's copy would lose a constraint on a renamed column.
    with op.batch_alter_table("sign_in_codes") as batch:
        batch.create_unique_constraint("uq_sign_in_codes_organization_id_destination",
                                       ["organization_id", "destination"])


def downgrade() -> None:
    op.execute("DELETE FROM sign_in_codes WHERE destination NOT LIKE '+%'")
    with op.batch_alter_table("sign_in_codes") as batch:
        batch.drop_constraint("uq_sign_in_codes_organization_id_destination", type_="unique")
        batch.alter_column("destination", new_column_name="phone_e164",
                           existing_type=sa.String(length=254), type_=sa.String(length=20),
                           existing_nullable=False)
    with op.batch_alter_table("sign_in_codes") as batch:
        batch.create_unique_constraint("uq_sign_in_codes_organization_id_phone_e164",
                                       ["organization_id", "phone_e164"])
