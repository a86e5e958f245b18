"""Loyalty in GraphQL: ledger entries, the points mutation and the loaders of memberships and
ledgers."""
