"""Tables and the domain rules that act on them. No GraphQL and no HTTP here."""

from models.api_keys import ApiKey
from models.auth_sessions import AuthSession, RetiredRefreshToken
from models.base import Base
from models.consent import ConsentEvent
from models.customer_credentials import CustomerCredential
from models.customers import Customer, CustomerAddress, CustomerRedirect, CustomerStore
from models.events import DomainEvent
from models.export_jobs import ExportJob
from models.loyalty import LoyaltyAccount, LoyaltyLedgerEntry
from models.orders import Order, OrderItem
from models.organizations import Organization
from models.sign_in_codes import SignInCode
from models.staff_users import StaffUser, StaffUserStore
from models.stores import Store

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
