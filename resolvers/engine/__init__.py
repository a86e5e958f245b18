"""How operations run, apart from what the API says: the execution context, its plans and
shortcuts, the request limits, error masking and the count cache. It imports none of the API's
domain packages, so that the domains use it and never the other way round, and reaches
graphql-core's and Strawberry's internals through `internals.py` alone (both checked by
tests/engine/test_boundaries.py, and the first also by import-linter's contracts in
pyproject.toml)."""
