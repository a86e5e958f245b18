"""Organizations (the tenants) with their settings, what those settings let guests do on a
storefront, and their stores.

Its tables are named here too (`from models import organizations`, then `organizations.Organization`), so that
the layers above can tell them from their own types of the same name without renaming."""

from models.organizations.stores import Store
from models.organizations.table import Organization

__all__ = ["Organization", "Store"]
