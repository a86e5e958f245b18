"""Tables and the domain rules that act on them. No GraphQL and no HTTP here."""

from models.access.api_keys import ApiKey
from models.access.codes import SignInCode
from models.access.credentials import CustomerCredential
from models.access.sessions import AuthSession, RetiredRefreshToken
from models.access.staff import StaffUser, StaffUserStore
from models.core.base import Base
from models.core.events import DomainEvent
from models.customers.consent import ConsentEvent
from models.customers.table import Customer, CustomerAddress, CustomerRedirect, CustomerStore
from models.exports.jobs import ExportJob
from models.loyalty.ledger import LoyaltyAccount, LoyaltyLedgerEntry
from models.orders.table import Order, OrderItem
from models.organizations.stores import Store
from models.organizations.table import Organization

__all__ = [
    "ApiKey",
    "AuthSession",
    "Base",
    "ConsentEvent",
    "Customer",
    "CustomerAddress",
    "CustomerCredential",
    "CustomerRedirect",
    "CustomerStore",
    "DomainEvent",
    "ExportJob",
    "LoyaltyAccount",
    "LoyaltyLedgerEntry",
    "Order",
    "OrderItem",
    "Organization",
    "RetiredRefreshToken",
    "SignInCode",
    "StaffUser",
    "StaffUserStore",
    "Store",
]
