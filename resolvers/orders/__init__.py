"""Orders in GraphQL: the `Order` type, a customer's order connection, the order mutations and
loaders."""
