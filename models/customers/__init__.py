"""Customers: the table and its addresses, the profile rules (add, edit, register), the list's
search, the export columns, consent, merging, erasure, the activity log and a customer's own
profile.

Its tables are named here too (`from models import customers`, then `customers.Customer`):
the layers above tell them from their own types of the same name without renaming them."""

from models.customers.consent import ConsentEvent
from models.customers.table import Customer, CustomerAddress, CustomerRedirect, CustomerStore

__all__ = ["ConsentEvent", "Customer", "CustomerAddress", "CustomerRedirect", "CustomerStore"]
