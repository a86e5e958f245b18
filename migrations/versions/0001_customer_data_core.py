"""customer data core

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:14:33.168220
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # Trigram index: `LIKE '%fragment%'` over the folded search text uses it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "guest_checkout_web",
            sa.Enum(
                "ENABLED",
                "DISABLED_CART_AVAILABLE",
                "DISABLED_CART_UNAVAILABLE",
                "DISABLED_CART_UNAVAILABLE_HIDE_PRICES",
                name="guestcheckout",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "guest_checkout_mobile_app",
            sa.Enum(
                "ENABLED",
                "DISABLED_CART_AVAILABLE",
                "DISABLED_CART_UNAVAILABLE",
                "DISABLED_CART_UNAVAILABLE_HIDE_PRICES",
                name="guestcheckout",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "registration_strategy",
            sa.Enum(
                "EMAIL",
                "PHONE",
                "EMAIL_OR_PHONE",
                name="registrationstrategy",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("loyalty_earn_rate", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("display_prefix", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_keys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_stores_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("organization_id", "code", name=op.f("uq_stores_organization_id_code")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "type",
            sa.Enum("GUEST", "REGISTERED", name="customertype", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=150), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "WEB",
                "MOBILE_APP",
                "POS",
                "PHONE",
                "DELIVERY_PLATFORM",
                "IMPORT",
                "MANUAL",
                name="customersource",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "main_store_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_access_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("consent_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "consent_source",
            sa.Enum(
                "WEB",
                "MOBILE_APP",
                "POS",
                "PHONE",
                "DELIVERY_PLATFORM",
                "IMPORT",
                "ADMIN",
                "API",
                name="consentsource",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column(
            "shopper_level",
            sa.Enum(
                "NEW",
                "OCCASIONAL",
                "REGULAR",
                "VIP",
                name="shopperlevel",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "risk_level",
            sa.Enum("LOW", "MEDIUM", "HIGH", name="risklevel", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("tax_exempt", sa.Boolean(), nullable=False),
        sa.Column("age_restricted_allowed", sa.Boolean(), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("total_spent", sa.BigInteger(), nullable=False),
        sa.Column("average_spend", sa.BigInteger(), nullable=False),
        sa.Column("first_order_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_order_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_order_status",
            sa.Enum(
                "PENDING",
                "CONFIRMED",
                "PREPARING",
                "READY",
                "OUT_FOR_DELIVERY",
                "COMPLETED",
                "CANCELLED",
                name="orderstatus",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "last_order_punctuality",
            sa.Enum("ON_TIME", "DELAYED", name="punctuality", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("points_balance", sa.BigInteger(), nullable=False),
        sa.Column("points_earned", sa.BigInteger(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("sort_name", sa.String(length=260), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["main_store_id"],
            ["stores.id"],
            name=op.f("fk_customers_main_store_id_stores"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_org_average_spend",
            ["organization_id", "average_spend", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
        batch_op.create_index(
            "ix_customers_org_created_at",
            ["organization_id", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
        batch_op.create_index("uq_customers_org_email", ["organization_id", "email"], unique=True)
        batch_op.create_index(
            "ix_customers_org_external_id", ["organization_id", "external_id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_org_main_store", ["organization_id", "main_store_id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_org_order_count",
            ["organization_id", "order_count", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
        batch_op.create_index(
            "uq_customers_org_phone", ["organization_id", "phone_e164"], unique=True
        )
        batch_op.create_index(
            "ix_customers_org_points_balance",
            ["organization_id", "points_balance", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
        batch_op.create_index(
            "ix_customers_org_sort_name",
            ["organization_id", "sort_name", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
        batch_op.create_index(
            "ix_customers_org_total_spent",
            ["organization_id", "total_spent", "id"],
            unique=False,
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )

    # Nullable dates sort with NULL as the earliest value; PostgreSQL's index must say so.
    for column in ("registered_at", "last_access_at", "last_order_at"):
        op.create_index(
            f"ix_customers_org_{column}",
            "customers",
            ["organization_id", sa.text(f"{column} ASC NULLS FIRST" if postgres else column), "id"],
            postgresql_where=sa.text("erased_at IS NULL"),
            sqlite_where=sa.text("erased_at IS NULL"),
        )
    if postgres:
        op.create_index(
            "ix_customers_search_text_trgm",
            "customers",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )

    op.create_table(
        "consent_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "WEB",
                "MOBILE_APP",
                "POS",
                "PHONE",
                "DELIVERY_PLATFORM",
                "IMPORT",
                "ADMIN",
                "API",
                name="consentsource",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "actor_kind",
            sa.Enum(
                "STAFF_USER",
                "API_KEY",
                "CUSTOMER",
                "SYSTEM",
                name="actorkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_consent_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_consent_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_events_customer", ["customer_id", "occurred_at"], unique=False
        )

    op.create_table(
        "customer_addresses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_addresses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_addresses")),
    )
    with op.batch_alter_table("customer_addresses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_addresses_customer", ["customer_id", "position"], unique=False
        )

    op.create_table(
        "customer_stores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("store_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("first_order_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_order_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_stores_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_customer_stores_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_customer_stores_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_stores")),
        sa.UniqueConstraint(
            "customer_id", "store_id", name=op.f("uq_customer_stores_customer_id_store_id")
        ),
    )
    with op.batch_alter_table("customer_stores", schema=None) as batch_op:
        batch_op.create_index("ix_customer_stores_store", ["store_id", "customer_id"], unique=False)

    op.create_table(
        "domain_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "actor_kind",
            sa.Enum(
                "STAFF_USER",
                "API_KEY",
                "CUSTOMER",
                "SYSTEM",
                name="actorkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_domain_events_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_domain_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index("ix_domain_events_org_id", ["organization_id", "id"], unique=False)
        batch_op.create_index("ix_domain_events_customer", ["customer_id"], unique=False)

    op.create_table(
        "loyalty_accounts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("membership_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_accounts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_loyalty_accounts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_accounts")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_loyalty_accounts_customer_id")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("store_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "WEB",
                "MOBILE_APP",
                "POS",
                "PHONE",
                "DELIVERY_PLATFORM",
                name="orderchannel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "CONFIRMED",
                "PREPARING",
                "READY",
                "OUT_FOR_DELIVERY",
                "COMPLETED",
                "CANCELLED",
                name="orderstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column(
            "fulfilment_type",
            sa.Enum(
                "DELIVERY", "PICKUP", "DINE_IN", name="fulfilmenttype", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "punctuality",
            sa.Enum("ON_TIME", "DELAYED", name="punctuality", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_orders_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_orders_store_id_stores"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "organization_id", "external_id", name=op.f("uq_orders_organization_id_external_id")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_customer_placed_at", ["customer_id", "placed_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_orders_org_placed_at", ["organization_id", "placed_at", "id"], unique=False
        )
        batch_op.create_index("ix_orders_store", ["store_id"], unique=False)

    op.create_table(
        "loyalty_ledger",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "EARN",
                "REDEEM",
                "ADJUST",
                "EXPIRE",
                name="ledgerkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_ledger_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_loyalty_ledger_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_loyalty_ledger_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_ledger")),
    )
    with op.batch_alter_table("loyalty_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loyalty_ledger_customer", ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_loyalty_ledger_order", ["order_id"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index("ix_order_items_order", ["order_id", "position"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_customers_search_text_trgm", table_name="customers")

    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_order")

    op.drop_table("order_items")
    with op.batch_alter_table("loyalty_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_ledger_order")
        batch_op.drop_index("ix_loyalty_ledger_customer")

    op.drop_table("loyalty_ledger")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_store")
        batch_op.drop_index("ix_orders_org_placed_at")
        batch_op.drop_index("ix_orders_customer_placed_at")

    op.drop_table("orders")
    op.drop_table("loyalty_accounts")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_events_customer")
        batch_op.drop_index("ix_domain_events_org_id")

    op.drop_table("domain_events")
    with op.batch_alter_table("customer_stores", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_stores_store")

    op.drop_table("customer_stores")
    with op.batch_alter_table("customer_addresses", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_addresses_customer")

    op.drop_table("customer_addresses")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_customer")

    op.drop_table("consent_events")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_org_total_spent")
        batch_op.drop_index("ix_customers_org_sort_name")
        batch_op.drop_index("ix_customers_org_registered_at")
        batch_op.drop_index("ix_customers_org_points_balance")
        batch_op.drop_index("uq_customers_org_phone")
        batch_op.drop_index("ix_customers_org_order_count")
        batch_op.drop_index("ix_customers_org_main_store")
        batch_op.drop_index("ix_customers_org_last_order_at")
        batch_op.drop_index("ix_customers_org_last_access_at")
        batch_op.drop_index("ix_customers_org_external_id")
        batch_op.drop_index("uq_customers_org_email")
        batch_op.drop_index("ix_customers_org_created_at")
        batch_op.drop_index("ix_customers_org_average_spend")

    op.drop_table("customers")
    op.drop_table("stores")
    op.drop_table("api_keys")
    op.drop_table("organizations")
