"""The customer row, its addresses and the stores it ordered at.

The order aggregates and the loyalty balance live on the customer row, indexed, because the
customer list filters and sorts by them; `models.orders.aggregates` keeps them exact.
"""

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.base import Base, BigId, TenantScoped, by_customer, enum_column, utcnow
from models.core.enums import (
    ConsentSource,
    CustomerSource,
    CustomerType,
    OrderStatus,
    Punctuality,
    RiskLevel,
    ShopperLevel,
)
from models.core.errors import ErrorCode, Rejected, error
from models.core.text import fold, phone_digits
from models.organizations.stores import Store


def _listed(name: str, column: str) -> Index:
    """An index the customer list sorts and pages by: on the customers it shows (not erased),
    so that counts over a range are index-only scans."""
    listed = text("erased_at IS NULL")
    return Index(name, "organization_id", column, "id", postgresql_where=listed,
                 sqlite_where=listed)


class Customer(TenantScoped, Base):
    __tablename__ = "customers"
    __table_args__ = (
        # One customer per email and per phone in an organization (NULLs do not clash).
        Index("uq_customers_org_email", "organization_id", "email", unique=True),
        Index("uq_customers_org_phone", "organization_id", "phone_e164", unique=True),
        Index("ix_customers_org_external_id", "organization_id", "external_id"),
        _listed("ix_customers_org_sort_name", "sort_name"),
        _listed("ix_customers_org_order_count", "order_count"),
        _listed("ix_customers_org_total_spent", "total_spent"),
        _listed("ix_customers_org_average_spend", "average_spend"),
        _listed("ix_customers_org_points_balance", "points_balance"),
        _listed("ix_customers_org_created_at", "created_at"),
        # Integrators page through what changed since their last sync (`updatedAt`).
        _listed("ix_customers_org_updated_at", "updated_at"),
        Index("ix_customers_org_main_store", "organization_id", "main_store_id"),
        Index(
            "ix_customers_search_text_trgm", "search_text",
            postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        # Merged customers are deleted: SQLite must never hand their IDs out again, since
        # those IDs go on resolving to the customer they were merged into.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[CustomerType] = mapped_column(enum_column(CustomerType))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(254))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[CustomerSource] = mapped_column(enum_column(CustomerSource))
    main_store_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("stores.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime | None]
    last_access_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]

    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_updated_at: Mapped[datetime | None]
    consent_source: Mapped[ConsentSource | None] = mapped_column(enum_column(ConsentSource))

    birthday: Mapped[date | None] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(100))
    shopper_level: Mapped[ShopperLevel | None] = mapped_column(enum_column(ShopperLevel))
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel))
    notes: Mapped[str | None] = mapped_column(Text)
    company_name: Mapped[str | None] = mapped_column(String(200))
    tax_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    age_restricted_allowed: Mapped[bool] = mapped_column(Boolean, default=False)

    # Order aggregates: exact, written in the same transaction as each order write.
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units
    average_spend: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units, rounded
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]
    last_order_status: Mapped[OrderStatus | None] = mapped_column(enum_column(OrderStatus))
    last_order_punctuality: Mapped[Punctuality | None] = mapped_column(enum_column(Punctuality))
    # Loyalty balance follows the ledger, kept here so the list can sort by it.
    points_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    points_earned: Mapped[int] = mapped_column(BigInteger, default=0)

    # Accent- and case-folded text the search box and the name filter match against.
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_name: Mapped[str] = mapped_column(String(260), default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when the customer's personal data was erased on request; the row stays for the orders.
    erased_at: Mapped[datetime | None]

    def refresh_search_columns(self, membership_id: str | None = None) -> None:
        """Recompute the folded columns from the fields they are made of."""
        self.sort_name = search_name(self.first_name, self.last_name)
        self.search_text = search_text(
            self.first_name, self.last_name, self.email, self.phone_e164,
            self.external_id, membership_id,
        )


def search_name(first_name: str | None, last_name: str | None) -> str:
    return fold(" ".join(p for p in (first_name, last_name) if p))


def search_text(
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    phone_e164: str | None,
    external_id: str | None,
    membership_id: str | None,
) -> str:
    parts = [search_name(first_name, last_name), fold(email or ""),
             phone_digits(phone_e164 or ""), fold(external_id or ""), fold(membership_id or "")]
    return " ".join(p for p in parts if p)


# The nullable dates sort with NULL as the earliest value (models/customers/search.py). SQLite's
# b-trees already hold NULLs first; PostgreSQL's must be told, or it sorts instead of walking.
for _column in (Customer.registered_at, Customer.last_access_at, Customer.last_order_at):
    _name = f"ix_customers_org_{_column.key}"
    _where = text("erased_at IS NULL")
    Index(_name, Customer.organization_id, _column.asc().nulls_first(), Customer.id,
          postgresql_where=_where).ddl_if(dialect="postgresql")
    Index(_name, Customer.organization_id, _column, Customer.id,
          sqlite_where=_where).ddl_if(dialect="sqlite")


class CustomerRedirect(TenantScoped, Base):
    """A customer merged into another: its ID goes on resolving to the one it was merged into."""

    __tablename__ = "customer_redirects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merged_id: Mapped[int] = mapped_column(BigId, unique=True)
    target_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerAddress(TenantScoped, Base):
    __tablename__ = "customer_addresses"
    __table_args__ = (Index("ix_customer_addresses_customer", "customer_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str | None] = mapped_column(String(50))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))


class CustomerStore(TenantScoped, Base):
    """A store a customer has ordered at, with that customer's first and last order there."""

    __tablename__ = "customer_stores"
    __table_args__ = (
        UniqueConstraint("customer_id", "store_id"),
        Index("ix_customer_stores_store", "store_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(BigId, ForeignKey("stores.id", ondelete="CASCADE"))
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]


async def locked_customer(session: AsyncSession, customer_id: int, path: str = "customerId"
                          ) -> Customer:
    """The customer (or, if it was merged away, the one it was merged into), locked for the
    rest of the transaction; NOT_FOUND when there is none in this organization."""
    customer = await session.scalar(
        select(Customer).where(Customer.id == customer_id).with_for_update())
    if customer is None:
        target = await session.scalar(select(CustomerRedirect.target_id).where(
            CustomerRedirect.merged_id == customer_id))
        if target is not None:
            customer = await session.scalar(
                select(Customer).where(Customer.id == target).with_for_update())
    if customer is None:
        raise Rejected([error(path, ErrorCode.NOT_FOUND, "No such customer.")])
    return customer


async def addresses_of_customers(session: AsyncSession, customer_ids: Collection[int]
                                 ) -> dict[int, list[CustomerAddress]]:
    """Each customer's addresses, in their saved order; one statement."""
    rows = await session.scalars(
        select(CustomerAddress).where(CustomerAddress.customer_id.in_(customer_ids))
        .order_by(CustomerAddress.customer_id, CustomerAddress.position, CustomerAddress.id))
    return by_customer(rows)


async def stores_of_customers(session: AsyncSession, customer_ids: Collection[int]
                              ) -> dict[int, list[Store]]:
    """The stores each customer has ordered at, by name; one statement."""
    rows = await session.execute(
        select(CustomerStore.customer_id, Store)
        .join(Store, Store.id == CustomerStore.store_id)
        .where(CustomerStore.customer_id.in_(customer_ids))
        .order_by(CustomerStore.customer_id, Store.name, Store.id))
    stores: dict[int, list[Store]] = defaultdict(list)
    for customer_id, store in rows:
        stores[customer_id].append(store)
    return stores
