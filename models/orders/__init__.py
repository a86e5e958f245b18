"""Orders from every channel: the tables, recording an order, changing its status, reading
orders of many customers, and the order aggregates kept on the customer row.

Its tables are named here too (`from models import orders`, then `orders.Order`), so that
the layers above can tell them from their own types of the same name without renaming."""

from models.orders.table import Order, OrderItem

__all__ = ["Order", "OrderItem"]
