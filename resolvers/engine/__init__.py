"""How operations run, apart from what the API says: the execution context and its shortcuts,
the request limits, error masking and the count cache. It imports none of the API's domain
packages (import-linter checks it), so that the domains use it and never the other way round."""
