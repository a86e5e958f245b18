"""Organizations (the tenants) with their settings, what those settings let guests do on a
storefront, and their stores.

Its tables are named here too (`from models import organizations`, then `organizations.Store`):
the layers above tell them from their own types of the same name without renaming them."""

from models.organizations.stores import Store
from models.organizations.table import Organization

__all__ = ["Organization", "Store"]
