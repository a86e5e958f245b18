"""Loyalty: membership, the points ledger and the rules that earn, reverse and adjust points."""
