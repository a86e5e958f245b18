"""Customers: the table and its addresses, the profile rules (add, edit, register), the list's
search, the export columns, consent, merging, erasure, the activity log and a customer's own
profile."""
