"""Loyalty: membership, the points ledger and the rules that earn, reverse and adjust points.

Its tables are named here too (`from models import loyalty`, then `loyalty.LoyaltyAccount`):
the layers above tell them from their own types of the same name without renaming them."""

from models.loyalty.ledger import LoyaltyAccount, LoyaltyLedgerEntry

__all__ = ["LoyaltyAccount", "LoyaltyLedgerEntry"]
