"""The GraphQL layer: types, inputs, root fields and dataloaders. It translates and delegates."""

import resolvers.enums  # noqa: F401  (registers the domain enums before any type uses them)
