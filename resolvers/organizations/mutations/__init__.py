"""The organization mutations, one module each; `resolvers/organizations/schema.py` declares
them."""
