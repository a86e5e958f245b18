"""A customer's password, for signing in to the web shop and the mobile app by email.

One row per customer who chose a password; customers who sign in by phone have none. The hash
is Argon2id (`models.access.passwords`). Erasing the customer deletes it; merging moves it to the
customer merged into when that one has none.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access.passwords import hash_off_loop, needs_rehash, password_problem, verify_off_loop
from models.core.base import Base, BigId, TenantScoped, utcnow
from models.core.enums import CustomerType
from models.core.errors import ErrorCode, Rejected, error
from models.customers.table import Customer


class CustomerCredential(TenantScoped, Base):
    __tablename__ = "customer_credentials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def check_new_password(password: str | None, path: str = "password") -> str:
    """The password, if the policy accepts it; `Rejected` otherwise."""
    if not password:
        raise Rejected([error(path, ErrorCode.REQUIRED, "Choose a password.")])
    problem = password_problem(password)
    if problem is not None:
        raise Rejected([error(path, ErrorCode.INVALID, problem)])
    return password


async def has_password(session: AsyncSession, customer_id: int) -> bool:
    return await session.scalar(select(CustomerCredential.id).where(
        CustomerCredential.customer_id == customer_id)) is not None


async def set_password(session: AsyncSession, customer: Customer, password: str) -> None:
    """Store the hash of a password the caller checked with `check_new_password`."""
    now = utcnow()
    password_hash = await hash_off_loop(password)
    row = await session.scalar(select(CustomerCredential).where(
        CustomerCredential.customer_id == customer.id))
    if row is None:
        session.add(CustomerCredential(organization_id=customer.organization_id,
                                       customer_id=customer.id, password_hash=password_hash,
                                       created_at=now, updated_at=now))
    else:
        row.password_hash = password_hash
        row.updated_at = now
    await session.flush()


async def customer_by_password(session: AsyncSession, email: str, password: str
                               ) -> Customer | None:
    """The registered customer whose email (normal form) and password these are, or None.

    An unknown email, a guest, an erased customer and a wrong password all give None, after the
    same Argon2 verification, so that neither the answer nor its timing tells them apart.
    """
    row = (await session.execute(
        select(Customer, CustomerCredential.password_hash)
        .outerjoin(CustomerCredential, CustomerCredential.customer_id == Customer.id)
        .where(Customer.email == email,
               Customer.type == CustomerType.REGISTERED, Customer.erased_at.is_(None))
    )).first()
    customer, password_hash = (row[0], row[1]) if row is not None else (None, None)
    if not await verify_off_loop(password_hash, password) or customer is None:
        return None
    assert password_hash is not None  # verification fails without a hash
    if needs_rehash(password_hash):
        await set_password(session, customer, password)
    return customer
