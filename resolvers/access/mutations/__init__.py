"""The access mutations, one module each; `resolvers/access/schema.py` declares them."""
