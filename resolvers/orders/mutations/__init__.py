"""The order mutations, one module each; `resolvers/orders/schema.py` declares them."""
