"""Customers in GraphQL: the `Customer` type and its profile, the list with its filters, sorts
and figures, the customer mutations, and the loaders of what hangs off a customer."""
