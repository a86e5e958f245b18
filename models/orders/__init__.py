"""Orders from every channel: the tables, recording an order, changing its status, reading
orders of many customers, and the order aggregates kept on the customer row.

Its tables are named here too (`from models import orders`, then `orders.Order`):
the layers above tell them from their own types of the same name without renaming them."""

from models.orders.table import Order, OrderItem

__all__ = ["Order", "OrderItem"]
