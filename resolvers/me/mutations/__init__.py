"""The signed-in customer's own mutations, one module each; `resolvers/me/schema.py` declares
them."""
