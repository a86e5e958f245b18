"""Request limits that refuse an abusive operation before it runs: depth, aliases, tokens,
cost and page size (each error names the limit, its value and what the request had), and
introspection only for staff and API keys.

`setup.limit_extensions(Limits(...))` builds everything once, at start-up: the validation cache
keys on the rules, so rules made per request would never hit it (docs/ARCHITECTURE.md, 5).
"""
