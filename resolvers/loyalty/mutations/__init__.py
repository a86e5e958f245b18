"""The loyalty mutations, one module each; `resolvers/loyalty/schema.py` declares them."""
